package io.paddock.core;

import static org.junit.jupiter.api.Assertions.*;

import io.paddock.core.Effect.AppendLog;
import io.paddock.core.Effect.CloseClient;
import io.paddock.core.Effect.ConnectReply;
import io.paddock.core.Effect.Reply;
import io.paddock.core.Effect.Watch;
import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.Event.LogAppended;
import io.paddock.core.Event.Tick;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.AuthPacket;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.GetDataRequest;
import io.paddock.core.wire.GetDataResponse;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetDataRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Conversations with one core, events in and effects out. They prove the durability contract
 * (nothing is answered, no watch fires, before the disk says the write is durable), that a
 * connection's replies keep its request order, and that sessions expire on the core's clock.
 */
class ReplicaTest {
    private static final long T0 = 1_000_000;
    private Replica core;
    private final List<Effect> effects = new ArrayList<>();

    @BeforeEach
    void setUp() {
        core = new Replica(new CoreConfig(100, 200, 2000, false, 1000, 100, null), 0x100, new byte[] {7}, T0);
    }

    private List<Effect> step(Event e) {
        List<Effect> out = core.step(e);
        effects.addAll(out);
        core.checkInvariants();
        return out;
    }

    /** Connects connection {@code connId} with a new session and makes it durable. */
    private long connect(long connId) {
        step(new ClientConnected(connId, new ConnectRequest(0, 0, 1000, 0, new byte[16], false, true), "127.0.0.1"));
        List<Effect> out = step(new LogAppended(core.lastZxid()));
        ConnectReply reply = only(out, ConnectReply.class);
        assertEquals(1000, reply.response().timeOut());
        return reply.response().sessionId();
    }

    private static <T> T only(List<Effect> out, Class<T> type) {
        List<T> found = out.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), "expected one " + type.getSimpleName() + " in " + out);
        return found.get(0);
    }

    private static CreateRequest create(String path, String data) {
        return new CreateRequest(path, data.getBytes(), Acl.OPEN, 0);
    }

    @Test
    void aWriteIsAnsweredOnlyAfterItIsDurable() {
        connect(1);
        List<Effect> out = step(new ClientRequest(1, 1, OpCode.CREATE, create("/a", "x")));
        AppendLog append = only(out, AppendLog.class);
        assertTrue(out.stream().noneMatch(e -> e instanceof Reply), "replied before the disk: " + out);
        out = step(new LogAppended(append.txn().zxid()));
        Reply reply = only(out, Reply.class);
        assertEquals(1, reply.xid());
        assertEquals(Code.OK, reply.err());
        assertEquals(append.txn().zxid(), reply.zxid());
    }

    @Test
    void aReadWaitsBehindTheSameConnectionsWriteButNotBehindOthers() {
        connect(1);
        connect(2);
        step(new ClientRequest(1, 1, OpCode.CREATE, create("/a", "x")));
        List<Effect> read1 = step(new ClientRequest(1, 2, OpCode.GET_DATA, new GetDataRequest("/a", false)));
        assertTrue(read1.isEmpty(), "a read overtook its connection's write: " + read1);
        List<Effect> read2 = step(new ClientRequest(2, 1, OpCode.GET_DATA, new GetDataRequest("/a", false)));
        assertEquals(Code.NO_NODE, only(read2, Reply.class).err(), "uncommitted data leaked to another client");
        List<Effect> out = step(new LogAppended(core.lastZxid()));
        List<Reply> replies = out.stream().filter(e -> e instanceof Reply).map(e -> (Reply) e).toList();
        assertEquals(List.of(1, 2), replies.stream().map(Reply::xid).toList());
        assertArrayEquals("x".getBytes(), ((GetDataResponse) replies.get(1).body()).data());
    }

    @Test
    void writesPreparedBackToBackSeeEachOther() {
        connect(1);
        step(new ClientRequest(1, 1, OpCode.CREATE, create("/a", "x")));
        step(new ClientRequest(1, 2, OpCode.CREATE, create("/a", "again")));
        step(new ClientRequest(1, 3, OpCode.SET_DATA, new SetDataRequest("/a", "y".getBytes(), 0)));
        step(new ClientRequest(1, 4, OpCode.SET_DATA, new SetDataRequest("/a", "z".getBytes(), 0)));
        List<Effect> out = step(new LogAppended(core.lastZxid()));
        List<Integer> errs = out.stream().filter(e -> e instanceof Reply).map(e -> ((Reply) e).err()).toList();
        assertEquals(List.of(Code.OK, Code.NODE_EXISTS, Code.OK, Code.BAD_VERSION), errs);
    }

    @Test
    void aWatchFiresBeforeTheReplyToTheWrite() {
        connect(1);
        connect(2);
        step(new ClientRequest(1, 1, OpCode.CREATE, create("/a", "x")));
        step(new LogAppended(core.lastZxid()));
        step(new ClientRequest(2, 1, OpCode.GET_DATA, new GetDataRequest("/a", true)));
        step(new ClientRequest(1, 2, OpCode.SET_DATA, new SetDataRequest("/a", "y".getBytes(), -1)));
        List<Effect> out = step(new LogAppended(core.lastZxid()));
        assertTrue(out.get(0) instanceof Watch w && w.connId() == 2, "watch first: " + out);
        assertTrue(out.get(1) instanceof Reply r && r.connId() == 1, "then the reply: " + out);
    }

    @Test
    void aSessionExpiresOnTheCoresClockAndTakesItsEphemerals() {
        connect(1);
        step(new ClientRequest(1, 1, OpCode.CREATE, new CreateRequest("/e", new byte[0], Acl.OPEN, 1)));
        step(new LogAppended(core.lastZxid()));
        assertNotNull(core.tree().get("/e"));
        step(new Tick(T0 + 900));
        assertEquals(0, core.outstandingTxns(), "expired too early");
        List<Effect> out = step(new Tick(T0 + 1300));
        only(out, AppendLog.class);
        out = step(new LogAppended(core.lastZxid()));
        only(out, CloseClient.class);
        assertNull(core.tree().get("/e"));
        assertEquals(0, core.sessions().size());
    }

    /**
     * The wall clock stepping forward an hour (NTP, a resumed VM) expires no session: timeouts run
     * on the tick's steady clock, as ZooKeeper's run on its elapsed time. What a transaction records
     * (a node's ctime and mtime) is the wall clock.
     */
    @Test
    void aWallClockStepExpiresNoSessionAndTransactionsRecordTheWallClock() {
        connect(1);
        long hour = 3_600_000;
        step(new Tick(T0 + 500, T0 + 500 + hour));
        step(new ClientRequest(1, 1, OpCode.CREATE, create("/a", "x")));
        step(new LogAppended(core.lastZxid()));
        assertEquals(T0 + 500 + hour, core.tree().get("/a").stat().ctime(), "ctime from the wall clock");
        step(new Tick(T0 + 900, T0 + 900 + hour));
        assertEquals(1, core.sessions().size(), "the wall clock's step expired the session");
        assertEquals(0, core.outstandingTxns(), "a close prepared on the wall clock's step");
        only(step(new Tick(T0 + 2000, T0 + 2000 + hour)), AppendLog.class); // past the timeout on the steady clock
    }

    @Test
    void aReconnectWithAWrongPasswordIsRefused() {
        long session = connect(1);
        List<Effect> out = step(new ClientConnected(2, new ConnectRequest(0, 0, 1000, session, new byte[16], false, true), "127.0.0.1"));
        assertEquals(0, only(out, ConnectReply.class).response().timeOut());
        only(out, CloseClient.class);
    }

    @Test
    void aFailedLogAppendFailsEveryWaitingWriteAndHandsTheZxidsOutAgain() {
        connect(1);
        step(new ClientRequest(1, 1, OpCode.CREATE, create("/a", "x")));
        long failedZxid = core.lastZxid();
        step(new ClientRequest(1, 2, OpCode.CREATE, create("/a/b", "y")));
        step(new ClientRequest(1, 3, OpCode.GET_DATA, new GetDataRequest("/a", false)));
        List<Effect> out = step(new Event.LogFailed(failedZxid, "disk full"));
        List<Reply> replies = out.stream().filter(e -> e instanceof Reply).map(e -> (Reply) e).toList();
        assertEquals(List.of(1, 2, 3), replies.stream().map(Reply::xid).toList(), "in request order");
        assertEquals(List.of(Code.SYSTEM_ERROR, Code.SYSTEM_ERROR, Code.NO_NODE),
                replies.stream().map(Reply::err).toList(), "the read sees that nothing was written");
        assertNull(core.tree().get("/a"));
        step(new ClientRequest(1, 4, OpCode.CREATE, create("/a", "x")));
        assertEquals(failedZxid, core.lastZxid(), "the failed zxid is handed out again");
        out = step(new LogAppended(failedZxid));
        assertEquals(Code.OK, only(out, Reply.class).err());
        assertNotNull(core.tree().get("/a"));
    }

    @Test
    void effectsCanBeAppendedToTheShellsOwnList() {
        connect(1);
        List<Effect> sink = new ArrayList<>(List.of(new Effect.Trace("before")));
        core.step(new ClientRequest(1, 1, OpCode.CREATE, create("/a", "x")), sink);
        core.step(new ClientRequest(1, 2, OpCode.CREATE, create("/b", "x")), sink);
        assertEquals(3, sink.size(), "appended after what the list held: " + sink);
        assertInstanceOf(Effect.Trace.class, sink.get(0));
        long first = ((AppendLog) sink.get(1)).txn().zxid();
        assertEquals(first + 1, ((AppendLog) sink.get(2)).txn().zxid());
        sink.clear();
        core.step(new LogAppended(first + 1), sink);
        List<Integer> xids = sink.stream().filter(e -> e instanceof Reply).map(e -> ((Reply) e).xid()).toList();
        assertEquals(List.of(1, 2), xids);
        assertEquals(0, core.outstandingTxns());
        core.checkInvariants();
    }

    @Test
    void writesSeeIdentitiesAddedByAuthentication() {
        connect(1);
        List<Acl> authAcl = List.of(new Acl(Acl.ALL, new Id("auth", "")));
        step(new ClientRequest(1, 1, OpCode.CREATE, new CreateRequest("/before", new byte[0], authAcl, 0)));
        step(new ClientRequest(1, 2, OpCode.AUTH,
                new AuthPacket(0, "digest", "bob:secret".getBytes())));
        step(new ClientRequest(1, 3, OpCode.CREATE, new CreateRequest("/after", new byte[0], authAcl, 0)));
        List<Effect> out = new ArrayList<>(effects);
        out.addAll(step(new LogAppended(core.lastZxid())));
        List<Reply> replies = out.stream().filter(e -> e instanceof Reply).map(e -> (Reply) e).toList();
        assertEquals(List.of(1, 2, 3), replies.stream().map(Reply::xid).toList());
        assertEquals(Code.INVALID_ACL, replies.get(0).err(), "no digest identity yet");
        assertEquals(Code.OK, replies.get(1).err());
        assertEquals(Code.OK, replies.get(2).err(), "the write after auth carries the digest identity");
    }
}
