package io.paddock.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ElectionOutput.Decided;
import java.util.Comparator;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the election core elects one leader under a hostile simulated network (delays, 10% loss,
 * duplicates, reordering), for 3 and 5 servers and 200 seeds per scenario: all start together; a
 * late starter joins the existing leader without a new election; on a clean network the highest
 * (epoch, zxid, sid) wins, and under faults the winner beats the initial vote of at least a
 * quorum; a partitioned minority never decides; after the leader dies the survivors elect the best
 * of them, the old leader comes back as a follower and wins a later election with its higher zxid.
 * Safety (one established leader per round) is checked after every step; liveness with bounds.
 * A failure prints seed=<n>; replay just that seed with
 * {@code mvn -pl paddock-core test -Dtest=ElectionSimulationTest -Dpaddock.election.seed=<n>}.
 */
class ElectionSimulationTest {
    private static final Long REPLAY_SEED = Long.getLong("paddock.election.seed");
    private static final int SEEDS = REPLAY_SEED == null ? 200 : 1;
    private static final long SEEDS_FROM = REPLAY_SEED == null ? 1 : REPLAY_SEED;
    /** About three times the slowest of the 2,400 runs (118 ticks), so a slowdown shows. */
    private static final int LIVENESS_TICKS_MAX = 400;
    private static final ElectionTimings TIMINGS = new ElectionTimings(5, 4, 32);
    private static final SimulatedCluster.Faults HOSTILE = new SimulatedCluster.Faults(8, 10, 5);
    /** No loss and delays below the finalize wait: FLE then always picks the best vote. */
    private static final SimulatedCluster.Faults CLEAN = new SimulatedCluster.Faults(3, 0, 5);

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void allStartTogetherUnderFaults(int servers) {
        for (long seed = SEEDS_FROM; seed < SEEDS_FROM + SEEDS; seed++) {
            SimulatedCluster cluster = cluster(seed, servers, HOSTILE);
            bootAll(cluster, servers);
            awaitAllFollow(cluster, allSids(servers));
            assertBeatsAQuorum(cluster, cluster.establishedLeader());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void highestZxidThenHighestSidWinsOnACleanNetwork(int servers) {
        for (long seed = SEEDS_FROM; seed < SEEDS_FROM + SEEDS; seed++) {
            SimulatedCluster cluster = cluster(seed, servers, CLEAN);
            bootAll(cluster, servers);
            awaitAllFollow(cluster, allSids(servers));
            assertEquals(best(cluster, allSids(servers)), (long) cluster.establishedLeader(), cluster.fail("best vote"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aLateStarterJoinsTheExistingLeader(int servers) {
        for (long seed = SEEDS_FROM; seed < SEEDS_FROM + SEEDS; seed++) {
            SimulatedCluster cluster = cluster(seed, servers, HOSTILE);
            long late = servers; // highest sid, given the highest zxid: it would win an election
            cluster.setLog(late, 1_000, 0);
            Set<Long> early = allSids(servers);
            early.remove(late);
            early.forEach(cluster::boot);
            awaitAllFollow(cluster, early);
            long leader = cluster.establishedLeader();
            Decided leaderDecision = cluster.decisionOf(leader);
            cluster.boot(late);
            awaitAllFollow(cluster, allSids(servers));
            assertEquals(leader, (long) cluster.establishedLeader(), cluster.fail("late starter took over"));
            assertEquals(leaderDecision, cluster.decisionOf(leader), cluster.fail("leader re-elected"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aPartitionedMinorityNeverDecides(int servers) {
        for (long seed = SEEDS_FROM; seed < SEEDS_FROM + SEEDS; seed++) {
            SimulatedCluster cluster = cluster(seed, servers, HOSTILE);
            Set<Long> minority = new TreeSet<>();
            for (long sid = servers; minority.size() < servers / 2; sid--) {
                minority.add(sid); // the highest sids: they would win if they could
                cluster.setLog(sid, 1_000 + sid, 0);
            }
            Set<Long> majority = allSids(servers);
            majority.removeAll(minority);
            cluster.partition(minority);
            bootAll(cluster, servers);
            for (int i = 0; i < 400; i++) {
                cluster.runTick();
                for (long sid : minority) {
                    assertNull(cluster.decisionOf(sid), cluster.fail("minority server " + sid + " decided"));
                }
            }
            awaitAllFollow(cluster, majority);
            cluster.heal();
            awaitAllFollow(cluster, allSids(servers));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void leaderDeathOnACleanNetwork(int servers) {
        for (long seed = SEEDS_FROM; seed < SEEDS_FROM + SEEDS; seed++) {
            leaderDeath(cluster(seed, servers, CLEAN), servers, true);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void leaderDeathUnderFaults(int servers) {
        for (long seed = SEEDS_FROM; seed < SEEDS_FROM + SEEDS; seed++) {
            leaderDeath(cluster(seed, servers, HOSTILE), servers, false);
        }
    }

    /** Kill the leader, elect among survivors, bring the old one back, then hold a later election. */
    private static void leaderDeath(SimulatedCluster cluster, int servers, boolean exact) {
        bootAll(cluster, servers);
        awaitAllFollow(cluster, allSids(servers));
        long oldLeader = cluster.establishedLeader();
        cluster.crash(oldLeader);
        Set<Long> survivors = new TreeSet<>(cluster.aliveSids());
        survivors.forEach(cluster::restartElection);
        awaitAllFollow(cluster, survivors);
        long newLeader = cluster.establishedLeader();
        checkWinner(cluster, survivors, newLeader, exact);

        cluster.setLog(oldLeader, 1_000_000, 0); // it comes back holding the highest zxid
        cluster.boot(oldLeader);
        awaitAllFollow(cluster, allSids(servers));
        assertEquals(newLeader, (long) cluster.establishedLeader(), cluster.fail("returning leader took over"));

        cluster.crash(newLeader); // a later election: the old leader's higher zxid may win again
        Set<Long> rest = new TreeSet<>(cluster.aliveSids());
        rest.forEach(cluster::restartElection);
        awaitAllFollow(cluster, rest);
        checkWinner(cluster, rest, cluster.establishedLeader(), exact);
        if (exact) {
            assertEquals(oldLeader, (long) cluster.establishedLeader(), cluster.fail("old leader should win again"));
        }
    }

    private static void checkWinner(SimulatedCluster cluster, Set<Long> voters, long winner, boolean exact) {
        if (exact) {
            assertEquals(best(cluster, voters), winner, cluster.fail("best survivor should win"));
        } else {
            assertBeatsAQuorum(cluster, winner);
        }
    }

    /** FLE's guarantee under loss: every server that voted the winner in had a vote no better. */
    private static void assertBeatsAQuorum(SimulatedCluster cluster, long winner) {
        Vote winning = cluster.initialVote(winner);
        int notBetter = 0;
        for (long sid : cluster.quorum().voters()) {
            if (!cluster.initialVote(sid).isBetterThan(winning)) {
                notBetter++;
            }
        }
        assertTrue(notBetter >= cluster.quorum().quorumSize(), cluster.fail("winner " + winner + " beats no quorum"));
    }

    /** The best initial vote's sid, by an order written out here (not Vote's) so a bug there shows. */
    private static long best(SimulatedCluster cluster, Set<Long> sids) {
        Comparator<Vote> order = Comparator.comparingLong(Vote::epoch)
                .thenComparingLong(Vote::zxid).thenComparingLong(Vote::leaderSid);
        return sids.stream().map(cluster::initialVote).max(order).orElseThrow().leaderSid();
    }

    private static SimulatedCluster cluster(long seed, int servers, SimulatedCluster.Faults faults) {
        SimulatedCluster cluster = new SimulatedCluster(seed, servers, faults, TIMINGS);
        Random logs = new Random(seed * 31 + servers);
        for (long sid = 1; sid <= servers; sid++) {
            cluster.setLog(sid, logs.nextInt(3), 0); // small range: many zxid ties, decided by sid
        }
        return cluster;
    }

    private static void bootAll(SimulatedCluster cluster, int servers) {
        allSids(servers).forEach(cluster::boot);
    }

    private static void awaitAllFollow(SimulatedCluster cluster, Set<Long> sids) {
        cluster.runUntil(() -> cluster.allFollow(sids), LIVENESS_TICKS_MAX, "all of " + sids + " following one leader");
    }

    private static Set<Long> allSids(int servers) {
        Set<Long> sids = new TreeSet<>();
        for (long sid = 1; sid <= servers; sid++) {
            sids.add(sid);
        }
        return sids;
    }
}
