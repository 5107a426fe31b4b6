package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.OpCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * ZooKeeper's session owner: a client that moved to another server never has a request it sent on
 * the connection it left take effect after the requests it sent since (its session's writes stay
 * in the order it sent them). The leader takes the server a session came back to as its owner
 * (that server's REVALIDATE, or its own client) and answers a write from any other server
 * SESSIONMOVED: an error transaction, with no effect, and the server holding the old connection
 * closes it rather than answer (ZooKeeper does the same, ZOOKEEPER-710), so a client still there
 * comes back and its server owns the session again. Over seeds (random delays and disk latencies),
 * 3 voters, for a session that moves between the followers and to and from the leader.
 */
class SessionMovedTest {
    private static final String TEST = "SessionMovedTest";
    private static final int SEEDS = 20;
    private static final int TICKS_MAX = 2_000;
    private static final int TIMEOUT_MS = 10_000;

    @Test
    void aWriteSentOnAConnectionTheSessionLeftIsAnsweredSessionMovedAndClosesIt() {
        eachSeed((e, sc) -> {
        long a = sc.followers[0];
        long[] servers = {a, sc.followers[1], sc.leader, a}; // to the other follower, to the leader, back
        int xid = 1;
        for (int move = 1; move < servers.length; move++) {
            long from = servers[move - 1];
            long to = servers[move];
            long oldConn = move;
            long newConn = move + 1;
            comeBack(e, sc, to, newConn);
            e.runUntil(() -> sc.sessionOf.containsKey(newConn), TICKS_MAX, "the session on s" + to);
            int sent = xid++;
            e.clientEvent(to, new Event.ClientRequest(newConn, sent, OpCode.CREATE, create("/now-" + move)));
            e.runUntil(() -> sc.errOf.containsKey((long) sent), TICKS_MAX, "the write on s" + to);
            assertEquals(Code.OK, sc.errOf.get((long) sent), "the write on the session's new server");
            // A request on the connection the client left (still open there, as a slow network
            // leaves it), arriving after the client's later write.
            int stale = xid++;
            e.clientEvent(from, new Event.ClientRequest(oldConn, stale, OpCode.CREATE, create("/stale-" + move)));
            e.runUntil(() -> sc.closed.contains(oldConn), TICKS_MAX, "s" + from + " closing the connection left");
            e.runTicks(10);
            assertTrue(!sc.errOf.containsKey((long) stale), "s" + from + " answered the stale write instead of closing");
            TxnEnvelope committed = committedFor(e, sc.session, stale);
            assertTrue(committed != null && committed.txn() instanceof Txn.Error err
                    && err.code() == Code.SESSION_MOVED, "the stale write committed as " + committed);
            for (long sid : sc.all) {
                assertTrue(e.server(sid).replica().tree().get("/stale-" + move) == null,
                        "s" + sid + " applied the write sent on a connection its session had left");
            }
        }
        });
    }

    /**
     * A request held on a follower without a leader, from a client that then went to another
     * follower and wrote there, is never sent to the next leader, which knows no owners yet and
     * would apply it after the later write: the follower, which applies that later write in its
     * sync, closes the connection instead (and the held request with it).
     */
    @Test
    void aRequestHeldOnAConnectionTheSessionLeftIsNotSentToTheNextLeader() {
        eachSeed((e, sc) -> {
        long left = sc.followers[0];
        long other = sc.followers[1];

        holdOnTheLeftServerThenComeBack(e, sc, left, other, 1);
        e.clientEvent(other, new Event.ClientRequest(2, 2, OpCode.CREATE, create("/later")));
        e.runUntil(() -> sc.errOf.containsKey(2L), TICKS_MAX, "the later write");
        assertEquals(Code.OK, sc.errOf.get(2L));

        e.crash(sc.leader); // the next leader knows no owners
        e.heal();
        e.runUntil(() -> sc.closed.contains(1L), TICKS_MAX, "s" + left + " closing the connection its client left");
        long newLeader = e.runUntilLeader(Set.of(left, other), TICKS_MAX);
        e.runTicks(20);
        for (long sid : Set.of(left, other)) {
            assertTrue(e.server(sid).replica().tree().get("/held") == null, "s" + sid + " (leader s" + newLeader
                    + ") applied a request held on a connection its session had left, after the later write");
        }
        });
    }

    /**
     * The same when the held request was sent before the follower could know: the client's later
     * write (through the other follower) is still to commit when this follower syncs, so it comes
     * here as a proposal only, and the follower sends the held request on to that leader, which
     * dies before it has it. The next leader commits the later write in its sync; the older request
     * must not be sent again after it. It was (seed 2315130 of the simulator's hunt): the follower
     * judged the request by when it sent it, after the later write's proposal had come, not by when
     * its client sent it.
     */
    @Test
    void aRequestHeldThenSentToALeaderThatDiedIsNotResentAfterTheClientsLaterWrite() {
        int[] scenes = {0};
        eachSeed((e, sc) -> {
        long left = sc.followers[0];
        long other = sc.followers[1];

        holdOnTheLeftServerThenComeBack(e, sc, left, other, 5);
        // The later write stays a proposal: neither the leader's disk nor the other follower's acks in time.
        e.server(sc.leader).slowDiskTicks = 40;
        e.server(other).slowDiskTicks = 40;
        long before = e.server(sc.leader).replica().lastZxid();
        e.clientEvent(other, new Event.ClientRequest(2, 1, OpCode.CREATE, create("/later")));
        e.runUntil(() -> e.server(sc.leader).replica().lastZxid() > before, TICKS_MAX, "the later write proposed");
        e.heal();
        e.runUntil(() -> synced(e, left), TICKS_MAX, "s" + left + " synced again");
        if (e.server(left).replica().lastAppliedZxid() > before || e.server(left).replica().lastZxid() <= before) {
            return; // committed already, or not taken in the sync: not this scenario
        }
        e.crash(sc.leader); // before the held request, now sent, reaches it
        e.server(other).slowDiskTicks = 0;
        e.runUntilLeader(Set.of(left, other), TICKS_MAX);
        e.runUntil(() -> e.server(left).replica().tree().get("/later") != null, TICKS_MAX,
                "the later write committed by the next leader");
        e.runTicks(20);
        scenes[0]++;
        for (long sid : Set.of(left, other)) {
            assertTrue(e.server(sid).replica().tree().get("/held") == null, "s" + sid
                    + " applied a request held on a connection its session had left, after the later write");
        }
        assertTrue(sc.closed.contains(1L), "s" + left + " kept the connection its client left");
        });
        assertTrue(scenes[0] > SEEDS / 2, "only " + scenes[0] + " of " + SEEDS + " seeds played the scene");
    }

    /**
     * A client back on a follower without a leader, a write right behind its handshake, that then
     * leaves that connection half-open and writes through the other follower: the handshake was
     * held, revalidated once the follower synced (taking the session from the client's live
     * server) and the write behind it took effect after the later one (a helper's review). The
     * handshake is now closed unanswered at once, nothing behind it is ever sent, and the client's
     * live connection keeps its session.
     */
    @Test
    void aHandshakeWithoutALeaderIsClosedSoNothingBehindItComesAfterTheClientsLaterWrite() {
        eachSeed((e, sc) -> {
        long a = sc.followers[0];
        long b = sc.followers[1];
        e.clientEvent(a, new Event.ClientClosed(1));
        e.partition(Set.of(a));
        e.runUntil(() -> !synced(e, a), TICKS_MAX, "s" + a + " without a leader");
        comeBack(e, sc, a, 2);
        e.clientEvent(a, new Event.ClientRequest(2, 5, OpCode.CREATE, create("/held")));
        e.runTicks(2);
        comeBack(e, sc, b, 3);
        e.runUntil(() -> sc.sessionOf.containsKey(3L), TICKS_MAX, "the session on s" + b);
        e.clientEvent(b, new Event.ClientRequest(3, 6, OpCode.CREATE, create("/later")));
        e.runUntil(() -> sc.errOf.containsKey(6L), TICKS_MAX, "the later write");
        e.heal();
        e.runUntil(() -> synced(e, a), TICKS_MAX, "s" + a + " synced again");
        e.runTicks(40);
        assertTrue(sc.closed.contains(2L) && !sc.sessionOf.containsKey(2L), "s" + a + " confirmed the handshake");
        for (long sid : sc.all) {
            assertTrue(e.server(sid).replica().tree().get("/held") == null,
                    "s" + sid + " applied the write behind that handshake, after the client's later write");
        }
        assertTrue(!sc.closed.contains(3L), "the client's live connection on s" + b + " was closed");
        e.clientEvent(b, new Event.ClientRequest(3, 7, OpCode.CREATE, create("/after")));
        e.runUntil(() -> sc.errOf.containsKey(7L), TICKS_MAX, "a write on the live connection");
        assertEquals(Code.OK, sc.errOf.get(7L), "its session was taken from its live server");
        });
    }

    /**
     * kazoo starts its xids at 1 again on every connection. A kazoo client whose connection to a
     * follower broke with a write on its way to the leader, back on the same follower at once and
     * writing again (xid 1), is not taken for a client that moved away when that older write (a
     * higher xid, sent by this same server) is applied: its new connection stays, and its new write
     * is answered. Nor when the older write has the same xid as the new one (both connections' first
     * write, xid 1): the new write gets its own answer, not the older write's.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "older write xid {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {57, 1})
    void aClientThatRestartsItsXidsOnTheSameServerIsNotTakenForOneThatMovedAway(int olderXid) {
        eachSeed((e, sc) -> {
        long a = sc.followers[0];
        e.clientEvent(a, new Event.ClientRequest(1, olderXid, OpCode.CREATE, create("/before-the-break")));
        e.clientEvent(a, new Event.ClientClosed(1));
        comeBack(e, sc, a, 2);
        e.runUntil(() -> sc.sessionOf.containsKey(2L), TICKS_MAX, "the session back on s" + a);
        // A delete of a node that does not exist: NONODE, whatever the older create's answer was.
        e.clientEvent(a, new Event.ClientRequest(2, 1, OpCode.DELETE, new DeleteRequest("/never-made", -1)));
        assertTheNewWriteAnsweredOnItsOwn(e, sc, a);
        assertTrue(e.server(a).replica().tree().get("/before-the-break") != null, "the older write took effect");
        });
    }

    /**
     * The same across a leader change: the kazoo client's older write (xid 5) was proposed by a
     * leader that then died and its connection broke. Coming back to the same follower while it has
     * no leader, its handshake is closed unanswered (as ZooKeeper's: only a leader can confirm a
     * session, and a handshake held until then would revalidate late, after a client that went on
     * elsewhere). Back once the next leader committed the older write in its sync (known for the
     * follower's own), its new write (xid 1) gets its own answer.
     */
    @Test
    void aWriteForwardedOnABrokenConnectionAndCommittedByTheNextLeaderIsKnownForThisServersOwn() {
        eachSeed((e, sc) -> {
        long a = sc.followers[0];
        long other = sc.followers[1];
        long before = e.server(a).replica().lastZxid();
        e.clientEvent(a, new Event.ClientRequest(1, 5, OpCode.CREATE, create("/proposed-then-leader-died")));
        e.runUntil(() -> e.server(a).replica().lastZxid() > before && e.server(other).replica().lastZxid() > before,
                TICKS_MAX, "the older write logged on both followers");
        if (e.server(a).replica().lastAppliedZxid() > before) {
            return; // committed before the leader could be stopped: not this scenario
        }
        e.crash(sc.leader);
        e.runUntil(() -> !synced(e, a), TICKS_MAX, "s" + a + " without a leader");
        e.clientEvent(a, new Event.ClientClosed(1));
        comeBack(e, sc, a, 3);
        e.runTicks(1);
        assertTrue(sc.closed.contains(3L) && !sc.sessionOf.containsKey(3L),
                "s" + a + " without a leader did not close the returning handshake unanswered");
        e.runUntilLeader(Set.of(a, other), TICKS_MAX);
        comeBack(e, sc, a, 2);
        // Sent right behind the handshake, as clients send what they queued while connecting.
        e.clientEvent(a, new Event.ClientRequest(2, 1, OpCode.DELETE, new DeleteRequest("/never-made", -1)));
        assertTheNewWriteAnsweredOnItsOwn(e, sc, a);
        assertTrue(e.server(a).replica().tree().get("/proposed-then-leader-died") != null, "the older write committed");
        });
    }

    /**
     * The kazoo client's older write (xid 1), sent through another follower and proposed there, is
     * still to commit (the leader's and that follower's disks are slow) when the client, now on this
     * follower, sends its first write here (xid 1 again). This follower had taken the older write's
     * proposal before it forwarded its own request, so that transaction is not this request's: the
     * request gets its own answer, not the older write's (it did, found by the simulator's
     * xid-restarting clients).
     */
    @Test
    void anotherServersWriteOfTheSameXidIsNotTheAnswerToThisServersRequest() {
        eachSeed((e, sc) -> {
        long a = sc.followers[0];
        long b = sc.followers[1];
        e.server(sc.leader).slowDiskTicks = 40;
        e.server(a).slowDiskTicks = 40;
        long before = e.server(b).replica().lastZxid();
        e.clientEvent(a, new Event.ClientRequest(1, 1, OpCode.CREATE, create("/through-a")));
        e.runUntil(() -> e.server(b).replica().lastZxid() > before, TICKS_MAX, "the older write proposed to s" + b);
        comeBack(e, sc, b, 2); // connection 1 is left half-open
        e.runUntil(() -> sc.sessionOf.containsKey(2L), TICKS_MAX, "the session on s" + b);
        if (e.server(b).replica().lastAppliedZxid() > before) {
            return; // committed already: not this scenario
        }
        e.clientEvent(b, new Event.ClientRequest(2, 1, OpCode.DELETE, new DeleteRequest("/never-made", -1)));
        assertTheNewWriteAnsweredOnItsOwn(e, sc, b);
        assertTrue(e.server(b).replica().tree().get("/through-a") != null, "the older write took effect");
        });
    }

    /**
     * A write forwarded into a quorum connection that broke never reached the leader; the follower
     * synced with the same leader again, in the same epoch, and closed the connection (nothing to
     * resend it to). That write will never be applied: it is not kept as this server's own, or the
     * kazoo client's write of the same xid on its next connection would be taken for it and never
     * answered.
     */
    @Test
    void aWriteLostWithABrokenQuorumConnectionIsNotKeptForThisServersOwn() {
        eachSeed((e, sc) -> {
        long a = sc.followers[0];
        long epoch = e.server(sc.leader).core().establishedEpoch();
        e.partition(Set.of(a));
        e.clientEvent(a, new Event.ClientRequest(1, 3, OpCode.CREATE, create("/lost-with-the-link")));
        e.runUntil(() -> !synced(e, a), TICKS_MAX, "s" + a + " without a leader");
        e.heal();
        e.runUntil(() -> sc.closed.contains(1L), TICKS_MAX, "s" + a + " closing the connection whose write was lost");
        e.runUntil(() -> synced(e, a), TICKS_MAX, "s" + a + " synced again");
        if (e.server(a).core().establishedEpoch() != epoch) {
            return; // another leadership: the epoch check drops it anyway
        }
        comeBack(e, sc, a, 2);
        e.runUntil(() -> sc.sessionOf.containsKey(2L), TICKS_MAX, "the session back on s" + a);
        for (int xid = 1; xid <= 3; xid++) {
            e.clientEvent(a, new Event.ClientRequest(2, xid, OpCode.CREATE, create("/again-" + xid)));
        }
        e.runUntil(() -> sc.errOf.containsKey(3L), TICKS_MAX, "the new connection's third write answered");
        assertEquals(Code.OK, sc.errOf.get(3L));
        assertTrue(e.server(a).replica().tree().get("/lost-with-the-link") == null, "the lost write was lost");
        });
    }

    /**
     * 3 voters started with a leader, and a client with a session on the first follower (connection
     * 1); what the servers told the client: sessions by connection, errors by xid, closed connections.
     */
    private static final class Scene {
        final Map<Long, Long> sessionOf = new HashMap<>();
        final Map<Long, Integer> errOf = new HashMap<>();
        /** Errors by connection and xid: a client that restarts its xids reuses them. */
        final Map<String, Integer> errOn = new HashMap<>();
        final Set<Long> closed = new HashSet<>();
        final Set<Long> all;
        final long leader;
        final long[] followers;
        final long session;
        final byte[] passwd;

        Scene(SimulatedEnsemble e) {
            e.setClientSink((sid, effect) -> {
                if (effect instanceof Effect.ConnectReply r) {
                    sessionOf.put(r.connId(), r.response().sessionId());
                } else if (effect instanceof Effect.Reply r) {
                    errOf.put((long) r.xid(), r.err());
                    errOn.put(r.connId() + ":" + r.xid(), r.err());
                } else if (effect instanceof Effect.CloseClient c) {
                    closed.add(c.connId());
                }
            });
            all = LeaderLossTest.startAll(e);
            leader = e.runUntilLeader(all, TICKS_MAX);
            followers = all.stream().filter(sid -> sid != leader).sorted().mapToLong(Long::longValue).toArray();
            e.clientEvent(followers[0], new Event.ClientConnected(1,
                    new ConnectRequest(0, 0, TIMEOUT_MS, 0, new byte[16], false, true), "127.0.0.1"));
            e.runUntil(() -> sessionOf.containsKey(1L), TICKS_MAX, "the client's session");
            session = sessionOf.get(1L);
            passwd = e.server(followers[0]).replica().sessions().get(session).passwd();
        }
    }

    /** Runs {@code body} over the seeds: 3 voters, quiet, traced, each with its {@link Scene}. */
    private static void eachSeed(java.util.function.BiConsumer<SimulatedEnsemble, Scene> body) {
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(1));
            Seeds.traced(e, TEST, () -> body.accept(e, new Scene(e)));
        });
    }

    /** Whether {@code sid} is a learner synced with its leader. */
    private static boolean synced(SimulatedEnsemble e, long sid) {
        return e.server(sid).core().role() instanceof io.paddock.core.zab.LearnerRole l
                && l.phase() == io.paddock.core.zab.LearnerRole.Phase.SYNCED;
    }

    /**
     * {@code left} is cut off and loses its leader; the client's create of /held (xid {@code xid},
     * connection 1) is held there; the client comes back to {@code other} on connection 2.
     */
    private static void holdOnTheLeftServerThenComeBack(SimulatedEnsemble e, Scene sc, long left, long other, int xid) {
        e.partition(Set.of(left));
        e.runUntil(() -> !synced(e, left), TICKS_MAX, "s" + left + " without a leader");
        e.clientEvent(left, new Event.ClientRequest(1, xid, OpCode.CREATE, create("/held")));
        e.runTicks(2);
        comeBack(e, sc, other, 2);
        e.runUntil(() -> sc.sessionOf.containsKey(2L), TICKS_MAX, "the session on s" + other);
    }

    /** The scene's client comes back to {@code sid} on connection {@code connId} with its session. */
    private static void comeBack(SimulatedEnsemble e, Scene sc, long sid, long connId) {
        e.clientEvent(sid, new Event.ClientConnected(connId, new ConnectRequest(0,
                e.server(sid).replica().lastAppliedZxid(), TIMEOUT_MS, sc.session, sc.passwd, false, true), "127.0.0.1"));
    }

    /** The kazoo client's new write (xid 1 on connection 2, a delete of a node never made) got its own answer there. */
    private static void assertTheNewWriteAnsweredOnItsOwn(SimulatedEnsemble e, Scene sc, long sid) {
        e.runUntil(() -> sc.errOn.containsKey("2:1") || sc.closed.contains(2L), TICKS_MAX, "the new write's answer");
        assertTrue(!sc.closed.contains(2L), "s" + sid + " closed the client's new connection as moved away");
        e.runTicks(20);
        assertEquals(Code.NO_NODE, sc.errOn.get("2:1"), "the new write's own answer, not the older write's");
    }

    private static CreateRequest create(String path) {
        return new CreateRequest(path, new byte[0], Acl.OPEN, 0);
    }

    private static TxnEnvelope committedFor(SimulatedEnsemble e, long session, int xid) {
        for (TxnEnvelope t : e.committed().values()) {
            if (t.sessionId() == session && t.cxid() == xid) {
                return t;
            }
        }
        return null;
    }
}
