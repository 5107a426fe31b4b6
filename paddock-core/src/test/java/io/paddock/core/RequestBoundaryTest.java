package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Effect.AppendLog;
import io.paddock.core.Effect.CloseClient;
import io.paddock.core.Effect.ConnectReply;
import io.paddock.core.Effect.Reply;
import io.paddock.core.Effect.Trace;
import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.Event.LogAppended;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.GetDataRequest;
import io.paddock.core.wire.MultiOp;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.OpCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the request boundary: when handling one client's request throws inside the core (here
 * forced with records no decoder would produce, standing in for a bug), that connection is
 * answered SYSTEMERROR when the answer is next in its order, closed, and named in one Trace;
 * nothing the request began is left behind (no zxid taken, nothing pending), the core's
 * invariants hold, and every other connection is served as before.
 */
class RequestBoundaryTest {
    private static final long T0 = 1_000_000;
    private static final long BAD = 1;
    private static final long GOOD = 2;
    private Replica core;

    @BeforeEach
    void setUp() {
        core = new Replica(new CoreConfig(100, 200, 2000, false, 1000, 100, null), 0x100, new byte[] {7}, T0);
        connect(BAD);
        connect(GOOD);
    }

    private List<Effect> step(Event e) {
        List<Effect> out = core.step(e);
        core.checkInvariants();
        return out;
    }

    private void connect(long connId) {
        step(new ClientConnected(connId, new ConnectRequest(0, 0, 1000, 0, new byte[16], false, true), "127.0.0.1"));
        List<Effect> out = step(new LogAppended(core.lastZxid()));
        assertEquals(1, ofType(out, ConnectReply.class).size());
    }

    private static <T> List<T> ofType(List<Effect> out, Class<T> type) {
        return out.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static CreateRequest create(String path) {
        return new CreateRequest(path, new byte[0], Acl.OPEN, 0);
    }

    /** The bad connection was answered {@code err} (or not at all when null), closed, and traced. */
    private static void assertFailedAndClosed(List<Effect> out, int xid, Integer err, int opCode) {
        List<Reply> replies = ofType(out, Reply.class).stream().filter(r -> r.connId() == BAD && r.xid() == xid).toList();
        if (err == null) {
            assertEquals(List.of(), replies, "no reply that would overtake an earlier one");
        } else {
            assertEquals(1, replies.size(), "one reply to xid " + xid + ": " + out);
            assertEquals(err, replies.get(0).err());
        }
        assertEquals(List.of(BAD), ofType(out, CloseClient.class).stream().map(CloseClient::connId).toList());
        List<Trace> traces = ofType(out, Trace.class);
        assertEquals(1, traces.size(), "one trace: " + out);
        assertTrue(traces.get(0).message().contains("op " + opCode), traces.get(0).message());
    }

    /** The good connection creates {@code path} with the next zxid and is answered OK. */
    private void assertGoodConnectionWrites(String path, long expectedZxid) {
        List<Effect> out = step(new ClientRequest(GOOD, 10, OpCode.CREATE, create(path)));
        assertEquals(expectedZxid, ofType(out, AppendLog.class).get(0).txn().zxid(), "no zxid was skipped");
        out = step(new LogAppended(core.lastZxid()));
        Reply reply = ofType(out, Reply.class).get(0);
        assertEquals(GOOD, reply.connId());
        assertEquals(Code.OK, reply.err());
        assertNotNull(core.tree().get(path));
    }

    @Test
    void aWriteWhosePrepThrowsCostsItsConnectionAndNoZxid() {
        long zxidBefore = core.lastZxid();
        List<Effect> out = step(new ClientRequest(BAD, 5, OpCode.CREATE, new GetDataRequest("/a", false)));
        assertFailedAndClosed(out, 5, Code.SYSTEM_ERROR, OpCode.CREATE);
        assertEquals(List.of(), ofType(out, AppendLog.class));
        assertEquals(zxidBefore, core.lastZxid());
        assertEquals(1, core.connectionCount());
        assertGoodConnectionWrites("/a", zxidBefore + 1);
    }

    @Test
    void aMultiThatThrowsHalfWayLeavesNothingPending() {
        long zxidBefore = core.lastZxid();
        // The second op's ACL holds a null entry, which no decoder produces: fixup throws on it
        // after the first op has recorded its pending create of /a.
        MultiRequest multi = new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, create("/a")),
                new MultiOp(OpCode.CREATE, new CreateRequest("/b", new byte[0], Arrays.asList((Acl) null), 0))));
        List<Effect> out = step(new ClientRequest(BAD, 6, OpCode.MULTI, multi));
        assertFailedAndClosed(out, 6, Code.SYSTEM_ERROR, OpCode.MULTI);
        assertEquals(zxidBefore, core.lastZxid());
        assertGoodConnectionWrites("/a", zxidBefore + 1); // not NodeExists: the half-multi left nothing
    }

    @Test
    void aReadThatThrowsCostsOnlyItsConnection() {
        List<Effect> out = step(new ClientRequest(BAD, 7, OpCode.GET_DATA, create("/x")));
        assertFailedAndClosed(out, 7, Code.SYSTEM_ERROR, OpCode.GET_DATA);
        out = step(new ClientRequest(GOOD, 8, OpCode.GET_DATA, new GetDataRequest("/zookeeper", false)));
        assertEquals(Code.OK, ofType(out, Reply.class).get(0).err());
    }

    @Test
    void aQueuedReadThatThrowsIsAnsweredInItsTurn() {
        long zxid = core.lastZxid() + 1;
        step(new ClientRequest(BAD, 1, OpCode.CREATE, create("/q")));
        List<Effect> queued = step(new ClientRequest(BAD, 2, OpCode.GET_DATA, create("/x")));
        assertEquals(List.of(), queued, "the read waits behind the write");
        List<Effect> out = step(new LogAppended(zxid));
        List<Reply> replies = ofType(out, Reply.class);
        assertEquals(List.of(1, 2), replies.stream().map(Reply::xid).toList(), "in order: " + out);
        assertEquals(Code.OK, replies.get(0).err());
        assertFailedAndClosed(out, 2, Code.SYSTEM_ERROR, OpCode.GET_DATA);
        assertNotNull(core.tree().get("/q"), "the durable write was applied in full");
        assertGoodConnectionWrites("/after", zxid + 1);
    }

    @Test
    void aWriteThatThrowsBehindAWriteInFlightClosesUnanswered() {
        long zxid = core.lastZxid() + 1;
        step(new ClientRequest(BAD, 1, OpCode.CREATE, create("/first")));
        List<Effect> out = step(new ClientRequest(BAD, 2, OpCode.CREATE, new GetDataRequest("/a", false)));
        assertFailedAndClosed(out, 2, null, OpCode.CREATE);
        assertEquals(zxid, core.lastZxid(), "only the first write holds a zxid");
        out = step(new LogAppended(zxid));
        assertEquals(List.of(), ofType(out, Reply.class), "the closed connection hears nothing more");
        assertNotNull(core.tree().get("/first"), "a write already durable-bound still applies");
        assertNull(core.tree().get("/a"));
        assertGoodConnectionWrites("/a", zxid + 1);
    }

    @Test
    void theGoodConnectionIsUnaffectedByManyFailures() {
        List<Effect> all = new ArrayList<>();
        for (long conn = 100; conn < 110; conn++) {
            connect(conn);
            all.addAll(step(new ClientRequest(conn, 1, OpCode.SET_DATA, new GetDataRequest("/", false))));
        }
        assertEquals(10, ofType(all, CloseClient.class).size());
        assertEquals(2, core.connectionCount(), "BAD and GOOD remain");
        assertGoodConnectionWrites("/still", core.lastZxid() + 1);
    }
}
