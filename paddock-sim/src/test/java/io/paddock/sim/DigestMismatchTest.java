package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ServerState;
import org.junit.jupiter.api.Test;

/**
 * A digest mismatch is reported, never fatal, as in ZooKeeper 3.9 ({@code DataTree.compareDigest}
 * counts it and logs it): with every proposal's digest made wrong on its way to the learners
 * ({@link SimulatedEnsemble#misdigestProposals}), clients keep writing, every learner that applied
 * a transaction counted mismatches (the leader, which compares with the digest it computed, none),
 * and the ensemble settles with every acknowledged write on every server and equal trees.
 */
class DigestMismatchTest {
    private static final String TEST = "DigestMismatchTest";

    @Test
    void learnersCountWrongDigestsAndGoOn() {
        Seeds.run(TEST, 10, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 1, FaultPlan.quiet(1));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 3);
                LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 5, 2_000);
                e.misdigestProposals();
                int before = clients.acknowledged().size();
                Converge.writeUntil(e, clients, before + 20, 4_000);
                Converge.settleAndCheck(e, clients);
                for (long sid : e.sids()) {
                    var server = e.server(sid);
                    long mismatches = server.replica().digestMismatches();
                    if (server.replica().peer().state() == ServerState.LEADING) {
                        assertEquals(0, mismatches, "seed " + seed + ": the leader s" + sid);
                    } else {
                        assertTrue(mismatches > 0, "seed " + seed + ": learner s" + sid + " counted no mismatch");
                    }
                }
            });
        });
    }
}
