package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves replication safe under faults and live once they stop, with clients writing through every
 * server: each seed draws a fault plan (delays, lost and duplicated notifications, broken quorum
 * connections, slow disks, crashes that lose what was not synced and tear the log's tail, symmetric
 * and one-way partitions) and runs it while {@link SimClients} create znodes through random servers.
 * After every step: servers that applied the same zxid hold the same tree and sessions, and the
 * election and discovery checks of {@link SafetyChecker}. Once faults stop, every server is started
 * and the clients go quiet (every write answered or its connection lost); then every server holds
 * every acknowledged write, every server's state is the same, and no client lost its session.
 */
class ReplicationSimulationTest {
    private static final String TEST = "ReplicationSimulationTest";
    private static final int SEEDS = Integer.getInteger("paddock.sim.replicationSeeds", 60);
    private static final int FAULT_TICKS = 300;
    private static final int CLIENTS = 4;
    /** Faults stop; a leader and every learner synced, and the clients' writes answered, within this. */
    private static final int SETTLE_TICKS_MAX = 600;

    @ParameterizedTest(name = "{0} voters, {1} observers")
    @CsvSource({"3,0", "5,0", "3,1"})
    void acknowledgedWritesSurviveAndEveryServerAgrees(int voters, int observers) {
        long[] totals = new long[4]; // writes sent, acknowledged, sessions expired, crashes
        java.util.Map<String, Long> modes = new java.util.TreeMap<>();
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, voters, observers, FaultPlan.quiet(0));
            Seeds.traced(e, TEST, () -> {
                e.setPlan(FaultPlan.draw(e.random()));
                SimClients clients = new SimClients(e, CLIENTS);
                for (long sid : e.sids()) {
                    e.start(sid);
                }
                for (int t = 0; t < FAULT_TICKS; t++) {
                    e.nemesisTick();
                    clients.tick(true);
                    e.runTick();
                }
                e.heal();
                e.setPlan(e.plan().calm());
                for (long sid : e.sids()) {
                    if (!e.server(sid).isUp()) {
                        e.start(sid);
                    }
                }
                Set<Long> all = new TreeSet<>(e.sids());
                e.runUntil(() -> {
                    clients.tick(false);
                    return e.stableLeader(all) != null && clients.quiet() && allApplied(e);
                }, SETTLE_TICKS_MAX, "a leader followed by all, the clients quiet and every server applied all");
                // Faults last 15 s of virtual time and sessions 30 s: a client always finds a server with a
                // leader in time (servers without one close held clients after a third of the timeout).
                assertTrue(clients.sessionsExpired() == 0, clients.sessionsExpired() + " sessions expired");
                totals[0] += clients.writesSent();
                totals[1] += clients.acknowledged().size();
                totals[2] += clients.sessionsExpired();
                e.syncModes().forEach((k, v) -> modes.merge(k, v, Long::sum));
                long reference = SimulatedEnsemble.fingerprint(e.server(1).replica());
                for (long sid : all) {
                    var replica = e.server(sid).replica();
                    assertTrue(SimulatedEnsemble.fingerprint(replica) == reference,
                            "s" + sid + "'s state differs from s1's at the end");
                    for (var must : clients.mustExist().entrySet()) {
                        var node = replica.tree().get(must.getKey());
                        assertTrue(node != null, "s" + sid + " lost the acknowledged create of " + must.getKey());
                        assertTrue(node.ephemeralOwner() == must.getValue(), "s" + sid + ": " + must.getKey()
                                + " is owned by 0x" + Long.toHexString(node.ephemeralOwner()));
                    }
                }
            });
        });
        System.out.println(voters + " voters, " + observers + " observers: " + totals[0] + " writes sent, " + totals[1]
                + " acknowledged, " + totals[2] + " sessions found expired; syncs " + modes);
        assertTrue(totals[1] > totals[0] / 4, "most writes are acknowledged: " + totals[1] + " of " + totals[0]);
    }

    /** Every server applied everything the leader committed (the same last applied zxid everywhere). */
    private static boolean allApplied(SimulatedEnsemble e) {
        long applied = -1;
        for (long sid : e.sids()) {
            long a = e.server(sid).replica().lastAppliedZxid();
            if (applied != -1 && a != applied) {
                return false;
            }
            applied = a;
        }
        return true;
    }
}
