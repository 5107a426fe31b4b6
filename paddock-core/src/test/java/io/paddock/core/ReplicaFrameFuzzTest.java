package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paddock.core.Effect.AppendLog;
import io.paddock.core.Effect.CloseClient;
import io.paddock.core.Effect.ConnectReply;
import io.paddock.core.Effect.Reply;
import io.paddock.core.Event.ClientClosed;
import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.Event.LogAppended;
import io.paddock.core.Event.Tick;
import io.paddock.core.storage.TxnCodec;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.RequestHeader;
import io.paddock.core.wire.Requests;
import io.paddock.core.wire.UnknownOpCodeException;
import io.paddock.core.wire.WireException;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes one {@link Replica} with whatever a client connection can send, and proves that no
 * byte sequence from a client breaks the core: only the declared decode errors escape the
 * decoding ({@link WireException}, {@link UnknownOpCodeException}; the shell answers those and
 * closes the connection), {@link Replica#step} never throws, {@link Replica#checkInvariants()}
 * holds after every step, and at the end a second, well-formed client still gets its session and
 * an answer to {@code exists /zookeeper}. Every transaction the core hands to the log must also
 * read back equal through {@link TxnCodec}, so a restart replays what was acknowledged.
 *
 * <p>The input is the byte stream a client writes to its socket: frames of a 4-byte big-endian
 * length and a body, the first a ConnectRequest. So a recorded connection is a seed as it is.
 * It is cut and decoded as the server's network layer does it (paddock-server's {@code
 * FrameDecoder} and {@code ClientHandler}, mirrored in {@link #feed}; the decoding itself is the
 * core's {@link ConnectRequest#read}, {@link RequestHeader#read} and {@link
 * Requests#decodeRequest}): a length outside 0..{@link #FRAME_BYTES_MAX} or a frame that does
 * not decode closes the connection, and a frame cut by the end of the input is never delivered.
 * Writes are made durable after every frame ({@link LogAppended}), as a disk that keeps up;
 * after the stream the connection closes and the clock jumps past every session timeout, so
 * expiry runs over whatever the stream built.
 *
 * <p>Quorum packets (election notifications, QuorumPacket) are to come: a target for them
 * belongs beside this one as {@code peerStream}, feeding {@code PeerMessage} events decoded by
 * the quorum codecs, with the same rule that only their declared decode error may escape.
 */
class ReplicaFrameFuzzTest {
    /** ZooKeeper's default jute.maxbuffer, the server's default frame limit. */
    static final int FRAME_BYTES_MAX = 0xfffff;
    private static final long T0 = 1_000_000;
    private static final long FUZZED_CONN = 1;
    private static final long PROBE_CONN = 2;
    private static final int PROBE_XID = 1;

    @FuzzTest(maxDuration = "10m")
    void clientStream(byte[] stream) {
        Harness h = new Harness();
        h.feed(stream);
        h.step(new ClientClosed(FUZZED_CONN));
        h.step(new Tick(T0 + 3_600_000));
        h.probe();
    }

    /** A core, its effects, and the durability the disk would report. */
    private static final class Harness {
        final Replica core = new Replica(new CoreConfig(100, 200, 2000, true, 1000, 100, null), 0x100,
                new byte[] {7}, T0);
        final List<Effect> effects = new ArrayList<>();
        long appendedZxid;
        long durableZxid;
        boolean fuzzedConnClosed;

        /** Cuts and decodes frames as the server's network layer does, and feeds the core. */
        void feed(byte[] stream) {
            int pos = 0;
            boolean handshakeDone = false;
            while (!fuzzedConnClosed && stream.length - pos >= 4) {
                int length = readInt(stream, pos);
                if (length < 0 || length > FRAME_BYTES_MAX) {
                    return; // FrameDecoder closes the connection before reading the body
                }
                if (stream.length - pos - 4 < length) {
                    return; // the rest of the frame never arrives
                }
                JuteReader in = new JuteReader(stream, pos + 4, length);
                pos += 4 + length;
                if (!handshakeDone) {
                    ConnectRequest request;
                    try {
                        request = ConnectRequest.read(in);
                    } catch (WireException declared) {
                        return; // closed before the core heard of the connection
                    }
                    handshakeDone = true;
                    step(new ClientConnected(FUZZED_CONN, request, "127.0.0.1"));
                } else {
                    ClientRequest request;
                    try {
                        RequestHeader header = RequestHeader.read(in);
                        JuteRecord body = Requests.decodeRequest(header.type(), in);
                        request = new ClientRequest(FUZZED_CONN, header.xid(), header.type(), body);
                    } catch (WireException | UnknownOpCodeException declared) {
                        return; // answered MARSHALLINGERROR or UNIMPLEMENTED and closed
                    }
                    step(request);
                }
                makeDurable();
            }
        }

        void step(Event event) {
            int before = effects.size();
            core.step(event, effects);
            core.checkInvariants();
            for (Effect e : effects.subList(before, effects.size())) {
                if (e instanceof AppendLog a) {
                    assertTrue(a.txn().zxid() > appendedZxid, () -> "zxids out of order: " + a);
                    // what the core logs must read back as it was, or a restart fails or differs
                    assertEquals(a.txn(), TxnCodec.decode(TxnCodec.encode(a.txn())), "a logged txn does not read back");
                    appendedZxid = a.txn().zxid();
                } else if (e instanceof CloseClient c && c.connId() == FUZZED_CONN) {
                    fuzzedConnClosed = true;
                }
            }
        }

        void makeDurable() {
            while (durableZxid < appendedZxid) { // a LogAppended may append more (sweeps never do here)
                durableZxid = appendedZxid;
                step(new LogAppended(durableZxid));
            }
        }

        /** A well-behaved client still gets a session and an answer. */
        void probe() {
            makeDurable();
            int start = effects.size();
            step(new ClientConnected(PROBE_CONN, new ConnectRequest(0, 0, 1000, 0, new byte[16], false, true),
                    "127.0.0.1"));
            makeDurable();
            step(new ClientRequest(PROBE_CONN, PROBE_XID, OpCode.EXISTS, new ExistsRequest("/zookeeper", false)));
            makeDurable();
            List<Effect> toProbe = effects.subList(start, effects.size()).stream()
                    .filter(e -> connOf(e) == PROBE_CONN).toList();
            if (toProbe.size() < 2 || !(toProbe.get(0) instanceof ConnectReply connected)
                    || !(toProbe.get(1) instanceof Reply reply)) {
                fail("the probe client was not answered: " + toProbe);
                return;
            }
            assertTrue(connected.response().sessionId() != 0, () -> "probe refused a session: " + connected);
            assertEquals(PROBE_XID, reply.xid());
            // exists needs READ on /zookeeper (ZOOKEEPER-2590), which the stream may have taken away
            assertTrue(reply.err() == Code.OK || reply.err() == Code.NO_AUTH, () -> "probe answered " + reply);
        }

        private static long connOf(Effect e) {
            if (e instanceof ConnectReply c) {
                return c.connId();
            } else if (e instanceof Reply r) {
                return r.connId();
            } else if (e instanceof Effect.Watch w) {
                return w.connId();
            } else if (e instanceof CloseClient c) {
                return c.connId();
            }
            return -1;
        }
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
