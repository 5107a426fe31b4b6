package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ServerState;
import io.paddock.core.zab.ElectionRecord;
import io.paddock.core.zab.PeerEffect;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The seed's worked example (leader-election.md), whole peers on a clean network with random
 * delays, 100 seeds: servers 1 and 2 start and vote (1,0) and (2,0); server 1 adopts (2,0) because
 * the zxids are equal and 2's id is higher; server 2 leads with that majority and establishes an
 * epoch. Server 3, started later, joins as a follower of 2 in the same epoch although its id is
 * higher: no new election. Server 1's record of the election reads as the seed tells it:
 * {@code (1,0) (2,0) -> server 2, zxid equal, highest id}; server 3's election history says it
 * joined an existing leader, decided by the quorum {1,2}, in server 2's epoch.
 */
class SeedWorkedExampleTest {
    private static final String TEST = "SeedWorkedExampleTest";
    /** Election (finalize wait 5, delays up to 3) plus discovery (3 round trips, 2 disk writes). */
    private static final int ESTABLISH_TICKS_MAX = 60;

    private static PeerEffect.ElectionDecided decision(SimulatedEnsemble e, long sid) {
        return e.observations().stream().filter(o -> o.sid() == sid)
                .map(SimulatedEnsemble.Observed::observation)
                .filter(o -> o instanceof PeerEffect.ElectionDecided).map(o -> (PeerEffect.ElectionDecided) o)
                .reduce((first, second) -> second).orElseThrow();
    }

    @Test
    void twoStartServerTwoLeadsThreeJoinsLaterAsFollower() {
        Seeds.run(TEST, 100, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(3));
            Seeds.traced(e, TEST, () -> {
                e.start(1);
                e.start(2);
                e.runUntil(() -> Long.valueOf(2).equals(e.stableLeader(Set.of(1L, 2L))), ESTABLISH_TICKS_MAX,
                        "server 2 leads, 1 follows");
                assertTrue(e.observations().stream().anyMatch(o -> o.sid() == 1
                        && o.observation() instanceof PeerEffect.VoteChanged v && v.to().leaderSid() == 2
                        && v.reason() == PeerEffect.VoteReason.SAME_ZXID_HIGHER_ID && v.causeSid() == 2),
                        e.checker().failure("server 1 should adopt (2,0): same zxid, higher id").getMessage());
                assertEquals("(1,0) (2,0) -> server 2, zxid equal, highest id", decision(e, 1).seedStyle());
                long epoch = e.server(2).core().establishedEpoch();

                e.runTicks(20 + e.random().nextInt(100));
                e.start(3);
                e.runUntil(() -> Long.valueOf(2).equals(e.stableLeader(Set.of(1L, 2L, 3L))), ESTABLISH_TICKS_MAX,
                        "server 3 follows 2");
                assertEquals(ServerState.FOLLOWING, e.server(3).core().state());
                assertEquals(epoch, e.server(2).core().establishedEpoch(), "server 2 kept its epoch");
                assertEquals(1, e.checker().establishedEpochs().size(), "one epoch, no new election");
                assertEquals("(3,0) -> server 2, joined: a quorum already follows it", decision(e, 3).seedStyle());
                ElectionRecord joined = e.server(3).history().latest();
                assertTrue(joined.joinedExistingLeader(), "server 3's record says it joined an existing leader");
                assertEquals(epoch, joined.establishedEpoch());
                assertEquals(Set.of(1L, 2L), joined.decidingQuorum());
                ElectionRecord led = e.server(2).history().latest();
                assertEquals(1, e.server(2).history().elections().size(), "server 2 elected once");
                assertEquals(ServerState.LEADING, led.decision().role());
                assertEquals(Set.of(1L, 2L), led.decidingQuorum());
            });
        });
    }
}
