package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ServerState;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Losing the leader, for 3 and 5 voters over 100 seeds each (random delays, slow disks): after a
 * crash the survivors establish a new leader in a higher epoch, and the old one restarts and
 * follows it; when the leader is cut off instead, it steps down within syncLimit (it no longer
 * hears a quorum), the rest establish a higher epoch, and after the partition heals the old leader
 * follows. Every safety property is checked throughout.
 */
class LeaderLossTest {
    private static final String TEST = "LeaderLossTest";
    private static final int ESTABLISH_TICKS_MAX = 150;

    @ParameterizedTest(name = "{0} voters")
    @ValueSource(ints = {3, 5})
    void aCrashedLeaderIsReplacedInAHigherEpochAndFollowsWhenBack(int voters) {
        Seeds.run(TEST, 100, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, voters, 0, FaultPlan.quiet(3));
            Seeds.traced(e, TEST, () -> {
                Set<Long> all = startAll(e);
                long old = e.runUntilLeader(all, ESTABLISH_TICKS_MAX);
                long oldEpoch = e.server(old).core().establishedEpoch();
                e.crash(old);
                Set<Long> rest = new TreeSet<>(all);
                rest.remove(old);
                long next = e.runUntilLeader(rest, ESTABLISH_TICKS_MAX);
                assertNotEquals(old, next);
                assertTrue(e.server(next).core().establishedEpoch() > oldEpoch, "a higher epoch");
                e.start(old);
                assertEquals(next, e.runUntilLeader(all, ESTABLISH_TICKS_MAX), "the old leader joins the new one");
                assertEquals(ServerState.FOLLOWING, e.server(old).core().state());
            });
        });
    }

    @ParameterizedTest(name = "{0} voters")
    @ValueSource(ints = {3, 5})
    void aPartitionedLeaderStepsDownAndTheRestEstablishAHigherEpoch(int voters) {
        Seeds.run(TEST, 100, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, voters, 0, FaultPlan.quiet(3));
            Seeds.traced(e, TEST, () -> {
                Set<Long> all = startAll(e);
                long old = e.runUntilLeader(all, ESTABLISH_TICKS_MAX);
                long oldEpoch = e.server(old).core().establishedEpoch();
                e.partition(Set.of(old));
                // It notices at the first tick after syncLimit without a quorum; replies are 1-4 ticks away.
                int stepDownTicksMax = Seeds.ZAB_TIMINGS.syncLimitTicks() + 5;
                e.runUntil(() -> e.server(old).core().state() != ServerState.LEADING, stepDownTicksMax,
                        "the cut-off leader steps down");
                Set<Long> rest = new TreeSet<>(all);
                rest.remove(old);
                long next = e.runUntilLeader(rest, ESTABLISH_TICKS_MAX);
                assertTrue(e.server(next).core().establishedEpoch() > oldEpoch, "a higher epoch");
                e.heal();
                assertEquals(next, e.runUntilLeader(all, ESTABLISH_TICKS_MAX), "the old leader joins the new one");
            });
        });
    }

    static Set<Long> startAll(SimulatedEnsemble e) {
        for (long sid : e.sids()) {
            e.start(sid);
        }
        return new TreeSet<>(e.sids());
    }
}
