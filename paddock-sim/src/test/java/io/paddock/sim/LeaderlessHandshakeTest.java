package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.wire.ConnectRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A client's handshake on a server without a leader. Only a leader can say whether a session that
 * comes back is still alive (it may have expired, or been closed, through the others while this
 * server was cut off): such a handshake is closed unanswered, as a ZooKeeper server without a
 * leader does, never answered "connected" (a client told so would trust its ephemerals, a lock
 * say, that are gone). And a handshake whose createSession went to a leader that was lost is let go once it
 * has waited past its bound, as every request held without a leader is.
 */
class LeaderlessHandshakeTest {
    private static final String TEST = "LeaderlessHandshakeTest";
    private static final int SEEDS = 10;
    private static final int TICKS_MAX = 2_000;
    private static final int TIMEOUT_MS = 4_000;

    @Test
    void aServerWithoutALeaderDoesNotConfirmASessionThatCameBack() {
        eachSeed((e, seen, leader, follower) -> {
            e.runUntil(() -> seen.session != 0, TICKS_MAX, "the client's session");
            long session = seen.session;
            e.clientEvent(follower, new Event.ClientClosed(1));
            e.partition(Set.of(follower));
            e.runUntil(() -> e.server(leader).replica().sessions().get(session) == null, TICKS_MAX,
                    "the leader expiring the session");
            boolean stale = e.server(follower).replica().sessions().get(session) != null;
            e.clientEvent(follower, new Event.ClientConnected(2,
                    new ConnectRequest(0, 0, TIMEOUT_MS, session, seen.passwd, false, true), "127.0.0.1"));
            e.runTicks(10);
            assertTrue(stale, "s" + follower + " had applied the expiry already: not this scene");
            assertTrue(!seen.confirmed(2), "s" + follower + ", without a leader, told the client its expired session"
                    + " is alive: " + seen.lines);
            e.heal();
            e.runUntil(() -> seen.lines.stream().anyMatch(l -> l.startsWith("conn 2 ")), TICKS_MAX,
                    "the handshake answered or closed");
            e.runTicks(5);
            assertTrue(!seen.confirmed(2), "the expired session confirmed after the heal: " + seen.lines);
        });
    }

    @Test
    void aHandshakeWhoseCreateSessionWentToALostLeaderIsLetGo() {
        eachSeed((e, seen, leader, follower) -> {
            e.runTick(); // forwarded, not answered yet
            e.crash(leader);
            e.partition(Set.of(follower));
            // A third of the timeout without a leader is the bound (Replica's HOLD_TIMEOUT_DIVISOR),
            // counted from when the follower noticed: well within two timeouts.
            e.runUntil(() -> seen.lines.stream().anyMatch(l -> l.startsWith("conn 1 ")),
                    2 * TIMEOUT_MS / (int) SimulatedEnsemble.TICK_MS, "the handshake answered or closed");
        });
    }

    private interface Scene {
        void play(SimulatedEnsemble e, Handshakes seen, long leader, long follower);
    }

    /** Over the seeds (3 voters, quiet, traced): a client's first handshake, for a new session, on a follower. */
    private static void eachSeed(Scene scene) {
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(1));
            Seeds.traced(e, TEST, () -> {
                Handshakes seen = new Handshakes(e);
                long leader = e.runUntilLeader(LeaderLossTest.startAll(e), TICKS_MAX);
                long follower = leader % 3 + 1;
                e.clientEvent(follower, new Event.ClientConnected(1,
                        new ConnectRequest(0, 0, TIMEOUT_MS, 0, new byte[16], false, true), "127.0.0.1"));
                scene.play(e, seen, leader, follower);
            });
        });
    }

    /** What the servers told the clients' handshakes. */
    private static final class Handshakes {
        final List<String> lines = new ArrayList<>();
        long session;
        byte[] passwd;

        Handshakes(SimulatedEnsemble e) {
            e.setClientSink((sid, effect) -> {
                if (effect instanceof Effect.ConnectReply r) {
                    if (r.connId() == 1 && r.response().timeOut() > 0) {
                        session = r.response().sessionId();
                        passwd = r.response().passwd();
                    }
                    lines.add("conn " + r.connId() + " ConnectReply timeout=" + r.response().timeOut() + " from s" + sid
                            + " at t=" + e.nowTick());
                } else if (effect instanceof Effect.CloseClient c) {
                    lines.add("conn " + c.connId() + " closed by s" + sid + " at t=" + e.nowTick() + ": " + c.reason());
                }
            });
        }

        /** Whether the handshake of {@code connId} was answered "connected" (a live session). */
        boolean confirmed(long connId) {
            return lines.stream().anyMatch(l -> l.startsWith("conn " + connId + " ConnectReply") && !l.contains("timeout=0 "));
        }
    }
}
