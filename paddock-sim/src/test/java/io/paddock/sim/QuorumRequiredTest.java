package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No leader without a quorum of voters, over 60 seeds each: a minority cut off from the start
 * (holding the highest zxids and ids, so it would win any election it could hold) never has a
 * leader established nor a learner synced, while the majority establishes one; after healing, all
 * follow it. Observers never make up a quorum: with 2 of 3 voters down and 2 observers up, nothing
 * is established.
 */
class QuorumRequiredTest {
    private static final String TEST = "QuorumRequiredTest";
    private static final int WATCH_TICKS = 400;
    private static final int ESTABLISH_TICKS_MAX = 150;

    @ParameterizedTest(name = "{0} voters")
    @ValueSource(ints = {3, 5})
    void aMinorityAloneNeverEstablishes(int voters) {
        Seeds.run(TEST, 60, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, voters, 0, FaultPlan.quiet(3));
            Seeds.traced(e, TEST, () -> {
                Set<Long> minority = new TreeSet<>();
                for (long sid = voters; minority.size() < voters / 2; sid--) {
                    minority.add(sid);
                    e.setLastZxid(sid, 1_000 + sid);
                }
                e.partition(minority);
                Set<Long> all = LeaderLossTest.startAll(e);
                for (int t = 0; t < WATCH_TICKS; t++) {
                    e.runTick();
                    for (long sid : minority) {
                        assertEquals(-1, e.server(sid).core().establishedEpoch(),
                                e.checker().failure("minority server " + sid + " established").getMessage());
                    }
                }
                Set<Long> majority = new TreeSet<>(all);
                majority.removeAll(minority);
                long leader = e.runUntilLeader(majority, 1);
                assertTrue(majority.contains(leader));
                e.heal();
                e.runUntilLeader(all, ESTABLISH_TICKS_MAX);
            });
        });
    }

    @org.junit.jupiter.api.Test
    void observersNeverMakeAQuorum() {
        Seeds.run(TEST, 60, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 2, FaultPlan.quiet(3));
            Seeds.traced(e, TEST, () -> {
                Set<Long> all = LeaderLossTest.startAll(e);
                e.runUntilLeader(all, ESTABLISH_TICKS_MAX);
                int before = e.checker().establishedEpochs().size();
                e.crash(1);
                e.crash(2);
                e.crash(3);
                e.start(e.random().nextInt(3) + 1L); // one voter back, two observers: no quorum
                e.runTicks(WATCH_TICKS);
                assertEquals(before, e.checker().establishedEpochs().size(),
                        e.checker().failure("established with one voter and observers").getMessage());
            });
        });
    }
}
