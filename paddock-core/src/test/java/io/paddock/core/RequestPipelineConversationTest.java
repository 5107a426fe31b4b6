package io.paddock.core;

import static org.junit.jupiter.api.Assertions.*;

import io.paddock.core.Effect.AppendLog;
import io.paddock.core.Effect.CloseClient;
import io.paddock.core.Effect.ConnectReply;
import io.paddock.core.Effect.Reply;
import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.Event.LogAppended;
import io.paddock.core.Event.Tick;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.AddWatchRequest;
import io.paddock.core.wire.CheckWatchesRequest;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.ConnectResponse;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateResponse;
import io.paddock.core.wire.DeleteContainerRequest;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.GetDataRequest;
import io.paddock.core.wire.GetSASLRequest;
import io.paddock.core.wire.SetSASLResponse;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.MultiOp;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.MultiResponse;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.RemoveWatchesRequest;
import io.paddock.core.wire.SetDataRequest;
import io.paddock.core.wire.SetWatches;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core's request pipeline in conversations with one core, for the cases that once went
 * wrong: client frames that must be answered rather than thrown (deleteContainer, sasl, unknown
 * watch modes and types, null paths), the container sweep against pending creates, replies that
 * must not overtake earlier ones, sessions closed twice or while a close is pending, recovered
 * sessions' fresh timeouts, a client ahead of the server, ACL order on delete, and the
 * pending-change bookkeeping of multis and of delete-then-create.
 */
class RequestPipelineConversationTest {
    private static final long T0 = 1_000_000;
    /** tick 100, sessions 200..2000 ms, sweep every 1000 ms. */
    private static final CoreConfig CONFIG = new CoreConfig(100, 200, 2000, true, 1000, 100, null);
    private Replica core;
    private final List<Effect> effects = new ArrayList<>();

    @BeforeEach
    void setUp() {
        core = new Replica(CONFIG, 0x100, new byte[] {7}, T0);
    }

    private List<Effect> step(Event e) {
        List<Effect> out = core.step(e);
        effects.addAll(out);
        core.checkInvariants();
        return out;
    }

    private ConnectResponse connectAndGetResponse(long connId) {
        step(new ClientConnected(connId, new ConnectRequest(0, 0, 1000, 0, new byte[16], false, true), "127.0.0.1"));
        return only(step(new LogAppended(core.lastZxid())), ConnectReply.class).response();
    }

    private long connect(long connId) {
        return connectAndGetResponse(connId).sessionId();
    }

    private List<Effect> durable() {
        return step(new LogAppended(core.lastZxid()));
    }

    private static <T> T only(List<Effect> out, Class<T> type) {
        List<T> found = ofType(out, type);
        assertEquals(1, found.size(), "expected one " + type.getSimpleName() + " in " + out);
        return found.get(0);
    }

    private static <T> List<T> ofType(List<Effect> out, Class<T> type) {
        return out.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static List<Integer> xidsTo(long connId, List<Effect> out) {
        return ofType(out, Reply.class).stream().filter(r -> r.connId() == connId).map(Reply::xid).toList();
    }

    private static CreateRequest create(String path, int flags) {
        return new CreateRequest(path, new byte[0], Acl.OPEN, flags);
    }

    private ClientRequest request(long connId, int xid, int opCode, io.paddock.core.wire.JuteRecord body) {
        return new ClientRequest(connId, xid, opCode, body);
    }

    /** Sends one request that must be answered (in order) without taking the core down. */
    private Reply answerOf(int opCode, io.paddock.core.wire.JuteRecord body) {
        connect(1);
        List<Effect> out = assertDoesNotThrow(() -> step(request(1, 1, opCode, body)),
                "one client frame must not take the whole core down");
        out = new ArrayList<>(out);
        if (core.outstandingTxns() > 0) {
            out.addAll(durable());
        }
        return only(out, Reply.class);
    }

    // ------------------------------------------------------------------ requests that kill the core

    @Test
    void deleteContainerFromAClientIsAnsweredNotThrown() {
        Reply reply = answerOf(OpCode.DELETE_CONTAINER, new DeleteContainerRequest("/missing"));
        assertEquals(Code.NO_NODE, reply.err(), "ZooKeeper preps deleteContainer as a write: NoNode here");
    }

    @Test
    void saslPacketIsAnsweredNotThrown() {
        // No SASL in the shell: ZooKeeper's answer without a login, OK with no token, zxid 0.
        Reply reply = answerOf(OpCode.SASL, new GetSASLRequest(new byte[] {1, 2, 3}));
        assertEquals(List.of(Code.OK, 0L), List.of(reply.err(), reply.zxid()));
        assertEquals(new SetSASLResponse(null), reply.body());
    }

    /** A core whose server has ZooKeeper's SASLAuthenticationProvider and requires {@code required}. */
    private void saslCore(java.util.Set<String> required) {
        core = new Replica(new CoreConfig(100, 200, 2000, true, 1000, 100, null, false,
                new io.paddock.core.tree.AuthSchemes(false, true, null), required), 0x100, new byte[] {7}, T0);
    }

    @Test
    void aCompletedSaslExchangeAddsItsIdAndAnswersItsTokenInOrder() {
        saslCore(java.util.Set.of());
        connect(1);
        step(request(1, 1, OpCode.CREATE, create("/first", 0)));
        List<Effect> out = step(request(1, 2, OpCode.SASL, SaslStep.complete(new byte[] {9}, "bob", false)));
        assertEquals(List.of(), xidsTo(1, out), "the SASL answer waits behind the create in flight");
        out = durable();
        assertEquals(List.of(1, 2), xidsTo(1, out));
        Reply sasl = ofType(out, Reply.class).get(1);
        assertEquals(List.of(Code.OK, 0L), List.of(sasl.err(), sasl.zxid()), "zxid 0, as ZooKeeper's processSasl");
        assertEquals(new SetSASLResponse(new byte[] {9}), sasl.body());
        step(request(1, 3, OpCode.CREATE, new CreateRequest("/bobs", new byte[0],
                List.of(new Acl(Acl.ALL, new Id("auth", ""))), 0)));
        assertEquals(Code.OK, only(durable(), Reply.class).err());
        Reply acl = only(step(request(1, 4, OpCode.GET_ACL, new io.paddock.core.wire.GetACLRequest("/bobs"))), Reply.class);
        assertEquals(List.of(new Acl(Acl.ALL, new Id("sasl", "bob"))),
                ((io.paddock.core.wire.GetACLResponse) acl.body()).acl(), "the auth entry stands for the SASL id");
    }

    @Test
    void whoAmINamesASaslIdOnlyWhereTheServerHasTheSaslProvider() {
        for (boolean provider : new boolean[] {true, false}) {
            core = new Replica(new CoreConfig(100, 200, 2000, true, 1000, 100, null, false,
                    new io.paddock.core.tree.AuthSchemes(false, provider, null), java.util.Set.of()), 0x100,
                    new byte[] {7}, T0);
            connect(1);
            step(request(1, 1, OpCode.SASL, SaslStep.complete(null, "bob", true)));
            Reply who = only(step(request(1, 2, OpCode.WHO_AM_I, null)), Reply.class);
            assertEquals(List.of(new io.paddock.core.wire.ClientInfo("ip", "127.0.0.1"),
                    new io.paddock.core.wire.ClientInfo("sasl", provider ? "bob" : ""),
                    new io.paddock.core.wire.ClientInfo("super", "")),
                    ((io.paddock.core.wire.WhoAmIResponse) who.body()).clientInfo(), "provider " + provider);
        }
    }

    /**
     * A read that waits behind a write is judged by the ids its connection had when it came, as
     * ZooKeeper judges each request by the ids it arrived with: a SASL step completed after it
     * does not let it through.
     */
    @Test
    void aReadQueuedBehindAWriteIsJudgedByTheIdsItCameWith() {
        saslCore(java.util.Set.of());
        connect(2);
        step(request(2, 1, OpCode.SASL, SaslStep.complete(null, "bob", false)));
        step(request(2, 2, OpCode.CREATE, new CreateRequest("/secret", new byte[] {1},
                List.of(new Acl(Acl.READ, new Id("sasl", "bob"))), 0)));
        assertEquals(Code.OK, only(durable(), Reply.class).err());

        connect(1);
        step(request(1, 1, OpCode.CREATE, create("/other", 0)));
        step(request(1, 2, OpCode.GET_DATA, new GetDataRequest("/secret", false)));
        step(request(1, 3, OpCode.SASL, SaslStep.complete(null, "bob", false)));
        List<Reply> replies = ofType(durable(), Reply.class).stream().filter(r -> r.connId() == 1).toList();
        assertEquals(List.of(1, 2, 3), replies.stream().map(Reply::xid).toList());
        assertEquals(List.of(Code.OK, Code.NO_AUTH, Code.OK), replies.stream().map(Reply::err).toList());
        Reply later = only(step(request(1, 4, OpCode.GET_DATA, new GetDataRequest("/secret", false))), Reply.class);
        assertEquals(Code.OK, later.err(), "a read after the step has the id");
    }

    @Test
    void aFailedSaslExchangeIsAnsweredWithItsErrorAndNoTokenThenClosed() {
        saslCore(java.util.Set.of());
        connect(1);
        List<Effect> out = step(request(1, 1, OpCode.SASL, SaslStep.failed(Code.AUTH_FAILED)));
        Reply reply = only(out, Reply.class);
        assertEquals(Code.AUTH_FAILED, reply.err());
        assertEquals(new SetSASLResponse(null), reply.body(), "ZooKeeper writes an empty response: its client reads one");
        assertEquals(1, ofType(out, CloseClient.class).size());
        assertTrue(out.indexOf(reply) < out.indexOf(only(out, CloseClient.class)), "answered, then closed");
    }

    @Test
    void whereSaslIsRequiredAnUnauthenticatedRequestIsRefusedAndItsConnectionClosed() {
        saslCore(java.util.Set.of("sasl"));
        connect(1);
        List<Effect> out = step(request(1, 1, OpCode.EXISTS, new io.paddock.core.wire.ExistsRequest("/", false)));
        assertEquals(Code.SESSION_CLOSED_REQUIRE_SASL_AUTH, only(out, Reply.class).err());
        assertEquals(1, ofType(out, CloseClient.class).size());

        connect(2);
        step(request(2, 1, OpCode.SASL, SaslStep.next(new byte[] {1})));
        out = step(request(2, 2, OpCode.EXISTS, new io.paddock.core.wire.ExistsRequest("/", false)));
        assertEquals(Code.SESSION_CLOSED_REQUIRE_SASL_AUTH, only(out, Reply.class).err(), "not authenticated midway");
        connect(3);
        step(request(3, 1, OpCode.SASL, SaslStep.complete(null, "bob", false)));
        out = step(request(3, 2, OpCode.EXISTS, new io.paddock.core.wire.ExistsRequest("/", false)));
        assertEquals(Code.OK, only(out, Reply.class).err(), "served once authenticated");
        assertEquals(List.of(), ofType(out, CloseClient.class));
    }

    @Test
    void addWatchWithAnUnknownModeIsAnsweredNotThrown() {
        answerOf(OpCode.ADD_WATCH, new AddWatchRequest("/", 7));
    }

    @Test
    void removeWatchesWithAnUnknownTypeIsAnsweredNotThrown() {
        answerOf(OpCode.REMOVE_WATCHES, new RemoveWatchesRequest("/", 0));
    }

    @Test
    void checkWatchesWithAnUnknownTypeIsAnsweredNotThrown() {
        answerOf(OpCode.CHECK_WATCHES, new CheckWatchesRequest("/", 9));
    }

    @Test
    void addWatchWithANullPathIsAnsweredNotThrown() {
        answerOf(OpCode.ADD_WATCH, new AddWatchRequest(null, 0));
    }

    @Test
    void setWatchesWithANullPathIsAnsweredNotThrown() {
        List<String> withNull = Arrays.asList((String) null);
        answerOf(OpCode.SET_WATCHES, new SetWatches(0, List.of(), withNull, List.of()));
    }

    // ------------------------------------------------------------------ container sweep

    @Test
    void theSweepDoesNotDeleteANodeRecreatedAsPersistent() {
        connect(1);
        step(request(1, 1, OpCode.CREATE_CONTAINER, create("/c", 4)));
        step(request(1, 2, OpCode.CREATE, create("/c/x", 0)));
        step(request(1, 3, OpCode.DELETE, new DeleteRequest("/c/x", -1)));
        durable();
        // /c is now an empty container that once had a child: due for the sweep.
        step(request(1, 4, OpCode.DELETE, new DeleteRequest("/c", -1)));
        step(request(1, 5, OpCode.CREATE, create("/c", 0)));
        List<Effect> sweep = step(new Tick(T0 + CONFIG.containerCheckIntervalMs()));
        List<Effect> out = durable();
        assertEquals(List.of(Code.OK, Code.OK), ofType(out, Reply.class).stream().map(Reply::err).toList());
        assertTrue(ofType(sweep, AppendLog.class).isEmpty(),
                "ZooKeeper's deleteContainer refuses a NORMAL node (BadVersion); the sweep logged " + sweep);
        assertNotNull(core.tree().get("/c"), "the client's new persistent /c was deleted by the sweep");
    }

    @Test
    void theSweepLeavesAContainerAloneWhileACreateUnderItIsPending() {
        connect(1);
        step(request(1, 1, OpCode.CREATE_CONTAINER, create("/c", 4)));
        step(request(1, 2, OpCode.CREATE, create("/c/x", 0)));
        step(request(1, 3, OpCode.DELETE, new DeleteRequest("/c/x", -1)));
        durable();
        step(request(1, 4, OpCode.CREATE, create("/c/y", 0)));
        List<Effect> sweep = step(new Tick(T0 + CONFIG.containerCheckIntervalMs()));
        assertTrue(ofType(sweep, AppendLog.class).isEmpty(), "swept a container whose child is pending: " + sweep);
        assertEquals(Code.OK, only(durable(), Reply.class).err());
        assertNotNull(core.tree().get("/c/y"));
    }

    @Test
    void theSweepDeletesAnEmptyContainerAndACreateAfterItFindsNoParent() {
        connect(1);
        step(request(1, 1, OpCode.CREATE_CONTAINER, create("/c", 4)));
        step(request(1, 2, OpCode.CREATE, create("/c/x", 0)));
        step(request(1, 3, OpCode.DELETE, new DeleteRequest("/c/x", -1)));
        durable();
        only(step(new Tick(T0 + CONFIG.containerCheckIntervalMs())), AppendLog.class);
        step(request(1, 4, OpCode.CREATE, create("/c/y", 0)));
        assertEquals(Code.NO_NODE, only(durable(), Reply.class).err());
        assertNull(core.tree().get("/c"));
    }

    // ------------------------------------------------------------------ ordering on a closing session

    @Test
    void aRequestOnAClosingSessionDoesNotOvertakeEarlierReplies() {
        connect(1);
        step(request(1, 1, OpCode.CREATE, create("/a", 0)));
        step(request(1, 2, OpCode.CLOSE_SESSION, null));
        step(request(1, 3, OpCode.EXISTS, new ExistsRequest("/a", false)));
        durable();
        List<Integer> xids = xidsTo(1, effects);
        assertFalse(xids.isEmpty());
        assertEquals(1, xids.get(0), "the client's first reply must answer its first request: " + xids);
    }

    @Test
    void aSessionClosedTwiceIsClosedOnceAndItsPendingEphemeralGoesWithIt() {
        connect(1);
        step(request(1, 1, OpCode.CREATE, create("/e", 1)));
        step(request(1, 2, OpCode.CLOSE_SESSION, null));
        List<Effect> again = step(request(1, 3, OpCode.CLOSE_SESSION, null));
        assertTrue(ofType(again, AppendLog.class).isEmpty(), "a second closeSession was logged: " + again);
        List<Effect> out = durable();
        only(out, CloseClient.class);
        assertNull(core.tree().get("/e"), "the ephemeral created just before the close survived it");
        assertEquals(0, core.sessions().size());
    }

    @Test
    void anExpiryWhileTheClientsCloseIsPendingDoesNotCloseTwice() {
        connect(1);
        step(request(1, 1, OpCode.CLOSE_SESSION, null));
        List<Effect> tick = step(new Tick(T0 + 5000));
        assertTrue(ofType(tick, AppendLog.class).isEmpty(), "expired a session already closing: " + tick);
        List<Effect> out = durable();
        assertEquals(List.of(1), xidsTo(1, out));
        only(out, CloseClient.class);
    }

    @Test
    void aFailedCloseLeavesTheSessionOpenAndItsEphemeralsInPlace() {
        connect(1);
        step(request(1, 1, OpCode.CREATE, create("/e", 1)));
        durable();
        step(request(1, 2, OpCode.CLOSE_SESSION, null));
        List<Effect> out = step(new Event.LogFailed(core.lastZxid(), "disk full"));
        assertEquals(Code.SYSTEM_ERROR, only(out, Reply.class).err());
        step(request(1, 3, OpCode.GET_DATA, new GetDataRequest("/e", false)));
        assertEquals(Code.OK, ((Reply) effects.get(effects.size() - 1)).err());
        step(request(1, 4, OpCode.CLOSE_SESSION, null));
        durable();
        assertNull(core.tree().get("/e"));
    }

    // ------------------------------------------------------------------ recovery and handshakes

    @Test
    void recoveredSessionsGetAFullTimeoutFromTheEndOfRecovery() {
        long sessionId = 0x55;
        core.replay(new TxnEnvelope(1, sessionId, 0, T0 - 10, new Txn.CreateSession(sessionId, 1000, new byte[16])));
        core.recovered(1);
        long recoveryTookMs = 3000; // a large snapshot and log; PaddockServer reads the clock before it
        List<Effect> firstTick = step(new Tick(T0 + recoveryTookMs));
        assertTrue(ofType(firstTick, AppendLog.class).isEmpty(),
                "a recovered session expired before its client could reconnect: " + firstTick);
    }

    @Test
    void aClientAheadOfTheServerIsDisconnectedNotToldItsSessionExpired() {
        ConnectResponse first = connectAndGetResponse(1);
        List<Effect> out = step(new ClientConnected(2, new ConnectRequest(0, core.lastAppliedZxid() + 100, 1000,
                first.sessionId(), first.passwd(), false, true), "127.0.0.1"));
        only(out, CloseClient.class);
        assertTrue(ofType(out, ConnectReply.class).isEmpty(),
                "a ConnectResponse with timeout 0 makes the client drop its session: " + out);
    }

    // ------------------------------------------------------------------ error codes in ZooKeeper's order

    @Test
    void deleteChecksTheParentsAclBeforeTheNodeExists() {
        connect(1);
        List<Acl> readOnly = List.of(new Acl(Acl.READ | Acl.CREATE, new Id("world", "anyone")));
        step(request(1, 1, OpCode.CREATE, new CreateRequest("/locked", new byte[0], readOnly, 0)));
        durable();
        step(request(1, 2, OpCode.DELETE, new DeleteRequest("/locked/missing", -1)));
        assertEquals(Code.NO_AUTH, only(durable(), Reply.class).err());
    }

    // ------------------------------------------------------------------ pending changes (found correct)

    @Test
    void aMultiWithSeveralOpsOnOnePathSeesEachOther() {
        connect(1);
        MultiRequest multi = new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, create("/m", 0)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/m", "1".getBytes(), 0)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/m", "2".getBytes(), 1)),
                new MultiOp(OpCode.CREATE, create("/m/s-", 2)),
                new MultiOp(OpCode.CREATE, create("/m/s-", 2)),
                new MultiOp(OpCode.DELETE, new DeleteRequest("/m/s-0000000000", -1))));
        step(request(1, 1, OpCode.MULTI, multi));
        step(request(1, 2, OpCode.CREATE, create("/m/s-", 2)));
        List<Effect> out = durable();
        List<Reply> replies = ofType(out, Reply.class);
        assertEquals(Code.OK, replies.get(0).err());
        MultiResponse results = (MultiResponse) replies.get(0).body();
        assertTrue(results.results().stream().allMatch(r -> r.err() == Code.OK), "multi failed: " + results);
        assertEquals("/m/s-0000000002", ((CreateResponse) replies.get(1).body()).path());
        assertEquals(2, core.tree().get("/m").version());
        assertEquals(List.of("s-0000000001", "s-0000000002"), core.tree().children("/m"));
    }

    @Test
    void aFailedMultiRollsBackSoTheNextWriteSeesTheOldState() {
        connect(1);
        step(request(1, 1, OpCode.CREATE, create("/p", 0)));
        MultiRequest multi = new MultiRequest(List.of(
                new MultiOp(OpCode.DELETE, new DeleteRequest("/p", -1)),
                new MultiOp(OpCode.CREATE, create("/p/s-", 2)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/missing", new byte[0], -1))));
        step(request(1, 2, OpCode.MULTI, multi));
        step(request(1, 3, OpCode.CREATE, create("/p/s-", 2)));
        List<Reply> replies = ofType(durable(), Reply.class);
        assertEquals(3, replies.size());
        assertEquals("/p/s-0000000000", ((CreateResponse) replies.get(2).body()).path(),
                "the failed multi's sequential create leaked into the next one");
    }

    @Test
    void deleteThenCreateOfOnePathBeforeEitherIsAppliedKeepsTheNewNode() {
        connect(1);
        step(request(1, 1, OpCode.CREATE, create("/d", 0)));
        durable();
        step(request(1, 2, OpCode.DELETE, new DeleteRequest("/d", 0)));
        step(request(1, 3, OpCode.CREATE, new CreateRequest("/d", "new".getBytes(), Acl.OPEN, 0)));
        step(request(1, 4, OpCode.SET_DATA, new SetDataRequest("/d", "v1".getBytes(), 0)));
        step(new LogAppended(core.lastZxid() - 2));
        step(request(1, 5, OpCode.SET_DATA, new SetDataRequest("/d", "v2".getBytes(), 1)));
        List<Reply> replies = ofType(durable(), Reply.class);
        assertEquals(List.of(Code.OK, Code.OK, Code.OK), replies.stream().map(Reply::err).toList());
        assertEquals(2, core.tree().get("/d").version());
    }

    @Test
    void aReconnectWhileWritesArePendingDropsTheOldConnectionAndItsReplies() {
        ConnectResponse first = connectAndGetResponse(1);
        step(request(1, 1, OpCode.CREATE, create("/r", 1)));
        List<Effect> out = step(new ClientConnected(2, new ConnectRequest(0, 0, 1000, first.sessionId(),
                first.passwd(), false, true), "127.0.0.1"));
        only(out, ConnectReply.class);
        assertEquals(1, ofType(out, CloseClient.class).stream().filter(c -> c.connId() == 1).count());
        out = durable();
        assertTrue(ofType(out, Reply.class).isEmpty(), "answered a dropped connection: " + out);
        assertEquals(first.sessionId(), core.tree().get("/r").ephemeralOwner());
    }
}
