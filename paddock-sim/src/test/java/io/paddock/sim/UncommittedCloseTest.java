package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.GetDataRequest;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A leader proposes the close of a silent client's session; the client then sends a read, which
 * the leader drops unanswered (the session is closing, as ZooKeeper drops it), and the leader
 * loses its role before the close commits: the next leader's history has no close, the session
 * lives on. The read must not wait for ever on a connection that stays: the former leader closes
 * that connection, and the client comes back. (It kept it, answering pings only: found by a
 * helper's review of watches and reads across a sync.)
 */
class UncommittedCloseTest {
    private static final String TEST = "UncommittedCloseTest";
    private static final int SEEDS = 10;
    private static final int TICKS_MAX = 2_000;

    @Test
    void aReadDroppedWhileACloseThatNeverCommitsWasPendingDoesNotWaitForEver() {
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(1));
            Seeds.traced(e, TEST, () -> {
                List<String> seen = new ArrayList<>();
                long[] session = {0};
                e.setClientSink((sid, effect) -> {
                    if (effect instanceof Effect.ConnectReply r && r.response().timeOut() > 0) {
                        session[0] = r.response().sessionId();
                    } else if (effect instanceof Effect.Reply r && r.xid() == 1) {
                        seen.add("answered " + r.err());
                    } else if (effect instanceof Effect.CloseClient c) {
                        seen.add("closed: " + c.reason());
                    }
                });
                long leader = e.runUntilLeader(LeaderLossTest.startAll(e), TICKS_MAX);
                e.clientEvent(leader, new Event.ClientConnected(1,
                        new ConnectRequest(0, 0, 10_000, 0, new byte[16], false, true), "127.0.0.1"));
                e.runUntil(() -> session[0] != 0, TICKS_MAX, "the session");
                boolean[] sent = {false};
                // The client sends nothing more, so its session expires: the close's proposal.
                e.onceSent((from, to, p) -> from == leader && p.type() == QuorumPacketType.PROPOSAL, () -> {
                    e.partition(Set.of(leader));
                    e.clientEvent(leader, new Event.ClientRequest(1, 1, OpCode.GET_DATA, new GetDataRequest("/", true)));
                    sent[0] = true;
                });
                e.runUntil(() -> sent[0], TICKS_MAX, "the close proposed");
                Set<Long> others = new TreeSet<>(e.sids());
                others.remove(leader);
                e.runUntil(() -> {
                    Long next = e.stableLeader(others);
                    return next != null && next != leader;
                }, TICKS_MAX, "another leader");
                e.heal();
                // The client pings from now on (every 10 ticks: 500 ms), as a live client does: its
                // session is touched, and only the read's answer or a closed connection ends its wait.
                for (int t = 0; t < 300 && seen.isEmpty(); t += 10) {
                    e.clientEvent(leader, new Event.ClientRequest(1, OpCode.XID_PING, OpCode.PING, null));
                    e.runTicks(10);
                }
                assertTrue(!seen.isEmpty(), "the read on s" + leader + " neither answered nor its connection closed");
            });
        });
    }
}
