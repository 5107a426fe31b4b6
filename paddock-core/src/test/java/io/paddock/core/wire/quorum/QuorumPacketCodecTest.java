package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.Id;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.zookeeper.server.quorum.Leader;
import org.junit.jupiter.api.Test;

/**
 * Proves QuorumPacket is byte-identical to ZooKeeper 3.9.5's jute record both ways; that the stream
 * decoder tells a prefix (need more) from a packet from garbage, and never accepts bytes as a
 * packet ZooKeeper would read differently; that every length is bounded before allocation; and
 * that our packet type numbers are Leader.java's.
 */
class QuorumPacketCodecTest {
    private static final QuorumPacketDecoder DECODER = QuorumPacketDecoder.withDefaultLimits();
    private static final List<byte[]> DATAS = Arrays.asList(null, new byte[0], allBytes(), new byte[300]);
    private static final List<List<Id>> AUTHINFOS = Arrays.asList(null, List.of(), List.of(Id.ANYONE),
            List.of(new Id("digest", "bob:x8Hq4oBQRQ8Mh0CyJr2xPqWJ4CU="), new Id("ip", "10.0.0.1"), new Id("", "")));
    private static final long[] ZXIDS = {0, 1, -1, 0x1_0000_0005L, Long.MAX_VALUE, Long.MIN_VALUE};

    @Test
    void pingHasTheseBytes() {
        QuorumPacket ping = new QuorumPacket(QuorumPacketType.PING, 0x1_0000_0005L);
        assertEquals("00000005" + "0000000100000005" + "ffffffff" + "ffffffff", hex(ping.encode()));
        QuorumPacket request = new QuorumPacket(QuorumPacketType.REQUEST, 0, new byte[] {7}, List.of(new Id("ip", "a")));
        assertEquals("00000001" + "0000000000000000" + "00000001" + "07" + "00000001"
                + "00000002" + "6970" + "00000001" + "61", hex(request.encode()));
    }

    @Test
    void packetsMatchZooKeeperBothWays() throws Exception {
        for (QuorumPacket ours : samples()) {
            byte[] zk = ZkQuorumOracle.bytes(ZkQuorumOracle.zkPacket(ours));
            assertArrayEquals(zk, ours.encode(), () -> "bytes of " + ours);
            QuorumPacket zkReadsOurs = ZkQuorumOracle.ours(
                    ZkQuorumOracle.read(ours.encode(), new org.apache.zookeeper.server.quorum.QuorumPacket()));
            assertEquals(ours, zkReadsOurs);
            assertEquals(ours, StreamAsserts.assertStreamDecodes(zk, DECODER::decode));
            assertEquals(ours, DECODER.decodeWhole(zk));
        }
    }

    @Test
    void packetsBackToBackDecodeOneByOneWhateverTheChunks() throws Exception {
        List<QuorumPacket> sent = samples();
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        for (QuorumPacket p : sent) {
            stream.writeBytes(ZkQuorumOracle.bytes(ZkQuorumOracle.zkPacket(p)));
        }
        byte[] all = stream.toByteArray();
        for (int chunk : new int[] {1, 3, 17, 4096, all.length}) {
            assertEquals(sent, receiveInChunks(all, chunk), "chunks of " + chunk);
        }
    }

    /** A shell's read loop in miniature: append what arrives, decode while packets are complete. */
    private static List<QuorumPacket> receiveInChunks(byte[] all, int chunk) throws PeerProtocolException {
        List<QuorumPacket> out = new ArrayList<>();
        int start = 0;
        int arrived = 0;
        while (start < all.length) {
            DecodeResult<QuorumPacket> r = DECODER.decode(all, start, arrived - start);
            if (r instanceof DecodeResult.Complete<QuorumPacket> c) {
                out.add(c.value());
                start += c.length();
            } else {
                assertTrue(arrived < all.length, "need more at the end of the stream");
                arrived = Math.min(all.length, arrived + chunk);
            }
        }
        return out;
    }

    @Test
    void corruptPacketsAreRefusedOrReadExactlyAsZooKeeperReadsThem() throws Exception {
        for (QuorumPacket p : samples()) {
            byte[] good = p.encode();
            for (int at = 0; at < good.length; at++) {
                for (int value : new int[] {0x00, 0xff, 0x7f, 0x80, good[at] ^ 0x01}) {
                    byte[] bad = good.clone();
                    bad[at] = (byte) value;
                    assertRefusedOrSameAsZooKeeper(bad);
                }
            }
        }
    }

    private static void assertRefusedOrSameAsZooKeeper(byte[] bytes) throws IOException {
        DecodeResult<QuorumPacket> r;
        try {
            r = DECODER.decode(bytes, 0, bytes.length);
        } catch (PeerProtocolException refused) {
            return;
        }
        if (r instanceof DecodeResult.Complete<QuorumPacket> c) {
            byte[] taken = Arrays.copyOf(bytes, c.length());
            QuorumPacket zk = ZkQuorumOracle.ours(
                    ZkQuorumOracle.read(taken, new org.apache.zookeeper.server.quorum.QuorumPacket()));
            assertEquals(zk, c.value(), () -> "bytes " + hex(taken));
        }
    }

    @Test
    void lengthsOverTheirLimitsAreRefusedBeforeTheBytesArrive() throws Exception {
        byte[] hugeData = fromHex("00000002" + "0000000100000001" + "7fffffff");
        assertThrows(PeerProtocolException.class, () -> DECODER.decode(hugeData, 0, hugeData.length));
        byte[] atLimit = fromHex("00000002" + "0000000100000001" + String.format("%08x", QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT));
        DecodeResult.NeedMore<?> more = assertInstanceOf(DecodeResult.NeedMore.class, DECODER.decode(atLimit, 0, atLimit.length));
        assertEquals(16 + QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT, more.bytesNeeded()); // the data, at least
        byte[] overLimit = fromHex("00000002" + "0000000100000001"
                + String.format("%08x", QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT + 1));
        assertThrows(PeerProtocolException.class, () -> DECODER.decode(overLimit, 0, overLimit.length));

        QuorumPacketDecoder small = new QuorumPacketDecoder(4, 16);
        byte[] fiveBytes = new QuorumPacket(1, 0, new byte[5], null).encode();
        assertThrows(PeerProtocolException.class, () -> small.decode(fiveBytes, 0, fiveBytes.length));
        byte[] twoIds = new QuorumPacket(1, 0, null, List.of(new Id("a", "b"), new Id("c", "d"))).encode();
        assertInstanceOf(DecodeResult.Complete.class, new QuorumPacketDecoder(4, 20).decode(twoIds, 0, twoIds.length));
        assertThrows(PeerProtocolException.class, () -> new QuorumPacketDecoder(4, 19).decode(twoIds, 0, twoIds.length));
        byte[] manyIds = fromHex("00000001" + "0000000000000000" + "ffffffff" + "00000003");
        assertThrows(PeerProtocolException.class, () -> small.decode(manyIds, 0, manyIds.length));
    }

    /**
     * A Paddock leader's SNAP carries its whole snapshot as the data: a learner's decoder takes it up
     * to its own SNAP limit, and only for SNAP; every other type, and every decoder with the default
     * limits (a leader reading its learners), keeps ZooKeeper's 2 MiB.
     */
    @Test
    void aLearnersDecoderTakesASnapLargerThanOtherPacketsMayBe() throws Exception {
        int big = QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT + 4096;
        QuorumPacketDecoder learner = QuorumPacketDecoder.forLearner(64L << 20);
        assertEquals(64 << 20, learner.snapBytesMax());
        assertEquals(QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT, learner.dataBytesMax());
        byte[] snapData = new byte[big];
        snapData[big - 1] = 7;
        byte[] snap = new QuorumPacket(QuorumPacketType.SNAP, 0x500000003L, snapData, null).encode();
        DecodeResult.Complete<?> whole = assertInstanceOf(DecodeResult.Complete.class, learner.decode(snap, 0, snap.length));
        assertEquals(new QuorumPacket(QuorumPacketType.SNAP, 0x500000003L, snapData, null), whole.value());
        assertEquals(snap.length, whole.length());

        byte[] proposal = new QuorumPacket(QuorumPacketType.PROPOSAL, 1, snapData, null).encode();
        assertThrows(PeerProtocolException.class, () -> learner.decode(proposal, 0, proposal.length));
        assertThrows(PeerProtocolException.class, () -> DECODER.decode(snap, 0, snap.length));

        byte[] overLearnerLimit = fromHex(String.format("%08x", QuorumPacketType.SNAP) + "0000000100000001"
                + String.format("%08x", (64 << 20) + 1));
        assertThrows(PeerProtocolException.class, () -> learner.decode(overLearnerLimit, 0, overLearnerLimit.length));
        assertEquals(QuorumPacketDecoder.SNAP_BYTES_MAX_CEILING, QuorumPacketDecoder.forLearner(Long.MAX_VALUE).snapBytesMax());
        assertEquals(QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT, QuorumPacketDecoder.forLearner(0).snapBytesMax(),
                "never below what any packet may carry");
    }

    @Test
    void nullFormsRoundTripAndNegativeLengthsAreRefused() throws Exception {
        QuorumPacket nulls = new QuorumPacket(QuorumPacketType.COMMIT, 9, null, null);
        QuorumPacket empties = new QuorumPacket(QuorumPacketType.COMMIT, 9, new byte[0], List.of());
        assertNotEquals(hex(nulls.encode()), hex(empties.encode()));
        assertEquals(nulls, DECODER.decodeWhole(nulls.encode()));
        assertEquals(empties, DECODER.decodeWhole(empties.encode()));
        for (String bad : List.of(
                "00000004" + "0000000000000009" + "fffffffe" + "ffffffff", // data length -2
                "00000004" + "0000000000000009" + "ffffffff" + "fffffffe", // authinfo count -2 (ZooKeeper: empty)
                "00000001" + "0000000000000009" + "ffffffff" + "00000001" + "ffffffff" + "00000000")) { // null scheme
            byte[] b = fromHex(bad);
            assertThrows(PeerProtocolException.class, () -> DECODER.decode(b, 0, b.length), bad);
        }
        assertThrows(PeerProtocolException.class, () -> DECODER.decodeWhole(fromHex(hex(nulls.encode()) + "00")));
    }

    @Test
    void packetTypesAreLeaderJavas() {
        String[] names = {"REQUEST", "PROPOSAL", "ACK", "COMMIT", "PING", "REVALIDATE", "SYNC", "INFORM",
            "COMMITANDACTIVATE", "NEWLEADER", "FOLLOWERINFO", "UPTODATE", "DIFF", "TRUNC", "SNAP", "OBSERVERINFO",
            "LEADERINFO", "ACKEPOCH", "INFORMANDACTIVATE"};
        for (String name : names) {
            int zk = (Integer) ZkQuorumOracle.staticField(Leader.class, name);
            int ours = (Integer) ZkQuorumOracle.staticField(QuorumPacketType.class, name);
            assertEquals(zk, ours, name);
            assertEquals(name, QuorumPacketType.name(ours));
        }
        assertEquals("UNKNOWN(20)", QuorumPacketType.name(20));
        assertEquals("UNKNOWN(0)", QuorumPacketType.name(0));
    }

    private static List<QuorumPacket> samples() {
        List<QuorumPacket> out = new ArrayList<>();
        int[] types = {QuorumPacketType.PING, QuorumPacketType.PROPOSAL, QuorumPacketType.REQUEST, 0, -7, 99};
        for (int i = 0; i < types.length; i++) {
            for (byte[] data : DATAS) {
                for (List<Id> authinfo : AUTHINFOS) {
                    out.add(new QuorumPacket(types[i], ZXIDS[(i + out.size()) % ZXIDS.length], data, authinfo));
                }
            }
        }
        return out;
    }

    private static byte[] allBytes() {
        byte[] b = new byte[256];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] fromHex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
