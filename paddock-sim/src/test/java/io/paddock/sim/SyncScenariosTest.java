package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Replica;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The scenarios behind ZooKeeper's known sync bugs, each forced with a trigger on a quorum packet,
 * over many seeds (random delays and disk latencies), 3 voters and clients writing throughout. Each
 * ends with {@link Converge#settleAndCheck}: every acknowledged write on every server, the same
 * state everywhere, no session lost; and the simulator checks the safety properties after every step.
 */
class SyncScenariosTest {
    private static final String TEST = "SyncScenariosTest";
    private static final int SEEDS = 30;
    private static final int TICKS_MAX = 2_000;

    private static boolean newLeaderAck(long from, long to, io.paddock.core.wire.quorum.QuorumPacket p) {
        return p.type() == QuorumPacketType.ACK && (p.zxid() & 0xffffffffL) == 0;
    }

    private static long leader(SimulatedEnsemble e) {
        Long leader = e.stableLeader();
        if (leader == null) {
            throw e.checker().failure("no stable leader");
        }
        return leader;
    }

    /**
     * The seed's promise for clients ("sessions are held during the election and their requests
     * carried out afterwards"): when the leader crashes, a follower keeps the connections whose
     * writes it had forwarded, and once the new leader has synced it, sends again what the lost
     * leader never committed. Every reply comes exactly once (the clients' checks fail a create
     * answered NODE_EXISTS, a lost acknowledged write, or a session that went back in time). No
     * survivor, the new leader included, closes a connection for a request in flight, except one
     * whose forward sat behind a sync the lost leader never answered, or (on the new leader) a
     * handshake in flight; over the seeds, followers resend requests and new leaders prepare them.
     */
    @Test
    void aFollowerKeepsItsClientsAcrossALeaderCrashAndResendsWhatWasLost() {
        long[] resent = {0};
        long[] prepared = {0};
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(2));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 6);
                LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 10 + e.random().nextInt(20), TICKS_MAX);
                long old = leader(e);
                e.crash(old);
                Converge.writeWhile(e, clients, () -> {
                    Long now = e.stableLeader(survivorsOf(e, old));
                    return now != null && now != old;
                }, TICKS_MAX, "a new leader followed by the survivors");
                long newLeader = leader(e);
                int acked = clients.acknowledged().size();
                Converge.writeUntil(e, clients, acked + 10, TICKS_MAX);
                for (long sid : e.sids()) {
                    if (sid != old) {
                        var survivor = e.server(sid).replica();
                        assertEquals(survivor.closedBehindUnansweredSync() + survivor.closedHandshakesInFlight(),
                                survivor.closedInFlight(), e.checker().failure("s" + sid + (sid == newLeader
                                        ? " (the new leader)" : "") + " closed a connection for a request in flight")
                                        .getMessage());
                        (sid == newLeader ? prepared : resent)[0] += survivor.requestsResent();
                    }
                }
                Converge.settleAndCheck(e, clients);
            });
        });
        assertTrue(resent[0] > 0, "no follower resent anything in " + SEEDS + " seeds: the scenario missed its point");
        assertTrue(prepared[0] > 0, "no new leader prepared a request its clients had sent to the lost leader in "
                + SEEDS + " seeds: the scenario missed its point");
    }

    private static Set<Long> survivorsOf(SimulatedEnsemble e, long crashed) {
        Set<Long> up = new TreeSet<>(e.sids());
        up.remove(crashed);
        return up;
    }

    /**
     * ZOOKEEPER-3911's area: the quorum that acknowledged NEWLEADER crashes right after its acks
     * reached the new leader (the leader too). The acknowledged history must be on their disks.
     */
    @Test
    void aQuorumCrashesRightAfterAcknowledgingNewLeader() {
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(2));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 4);
                LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 20, TICKS_MAX);
                long old = leader(e);
                e.onceDelivered(SyncScenariosTest::newLeaderAck, () -> {
                    for (long sid : e.sids()) {
                        if (e.server(sid).isUp()) {
                            e.crash(sid);
                        }
                    }
                });
                e.crash(old);
                Converge.writeWhile(e, clients, () -> e.triggersPending() == 0, TICKS_MAX,
                        "the new leader's NEWLEADER acknowledged");
                Converge.settleAndCheck(e, clients);
            });
        });
    }

    /**
     * A learner too far behind for a DIFF gets a SNAP and crashes right after installing it, before
     * acknowledging NEWLEADER; restarted from the installed snapshot, it syncs again, now by DIFF.
     */
    @Test
    void aLearnerCrashesMidSnapThenCatchesUpByDiff() {
        Seeds.run(TEST, SEEDS / 3, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(1));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 8);
                LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 5, TICKS_MAX);
                long leader = leader(e);
                long behind = leader % 3 + 1;
                // More than the leader keeps for DIFF (COMMIT_LOG_COUNT) while it is down, counted
                // from the last zxid it logged: that can be ahead of what the leader had applied by
                // the proposals in flight (with the leader's applied zxid, seed 210 got a DIFF).
                long from = e.server(behind).replica().lastZxid();
                e.crash(behind);
                Converge.writeWhile(e, clients,
                        () -> e.server(leader).replica().lastAppliedZxid() - from > Replica.COMMIT_LOG_COUNT + 20,
                        TICKS_MAX * 2, "more than COMMIT_LOG_COUNT writes");
                long[] diffsAfter = {0};
                e.onceDelivered((f, t, p) -> t == behind && p.type() == QuorumPacketType.SNAP, () -> {
                    e.crash(behind);
                    e.onceSent((f, t, p) -> t == behind && p.type() == QuorumPacketType.DIFF, () -> diffsAfter[0]++);
                    e.start(behind);
                });
                e.start(behind);
                Converge.writeWhile(e, clients, () -> diffsAfter[0] == 1, TICKS_MAX, "the SNAP, the crash, then a DIFF");
                Converge.settleAndCheck(e, clients);
            });
        });
    }

    /**
     * ZOOKEEPER-1549's area: the leader is cut off right after it proposed, keeps logging its
     * clients' proposals that no one else has, and steps down; the others elect a leader and commit
     * more. When the old leader comes back its uncommitted proposals are discarded (never applied).
     */
    @Test
    void aLeaderWithUncommittedProposalsComesBack() {
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(2));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 4);
                Set<Long> all = LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 10, TICKS_MAX);
                long old = leader(e);
                e.onceSent((f, t, p) -> f == old && p.type() == QuorumPacketType.PROPOSAL,
                        () -> e.partition(Set.of(old)));
                Set<Long> rest = new TreeSet<>(all);
                rest.remove(old);
                Converge.writeWhile(e, clients, () -> {
                    Long next = e.stableLeader(rest);
                    return next != null && next != old;
                }, TICKS_MAX, "a new leader among the rest");
                // The scenario happened: the old leader holds proposals no one else has, never applied.
                var oldReplica = e.server(old).replica();
                assertTrue(oldReplica.lastZxid() > oldReplica.lastAppliedZxid(), "uncommitted proposals on the old leader");
                Converge.writeUntil(e, clients, clients.acknowledged().size() + 10, TICKS_MAX);
                Converge.settleAndCheck(e, clients);
            });
        });
    }

    /**
     * A server applies a COMMIT (and answers its client) before its own log has synced the
     * transaction, as ZooKeeper's servers do: the commit means a quorum holds it. Here one server's
     * disk is slow (a follower's on even seeds, the leader's on odd ones: the leader commits on its
     * followers' acknowledgements), it applies past its durable log, and crashes then, losing what
     * its disk had not synced. Restarted, it gets that history back from the leader before it
     * serves again, and no client that saw the lost writes reads older state (the clients'
     * checks), nor is an acknowledged write lost.
     */
    @Test
    void aServerAppliesACommitBeforeItsOwnSyncThenCrashesAndLosesIt() {
        int[] lostApplied = {0};
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(2));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 6);
                LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 10, TICKS_MAX);
                long leader = leader(e);
                long slow = seed % 2 == 1 ? leader
                        : e.sids().stream().filter(sid -> sid != leader).findFirst().orElseThrow();
                SimulatedEnsemble.Server server = e.server(slow);
                server.slowDiskTicks = 40;
                Replica replica = server.replica();
                Converge.writeWhile(e, clients, () -> replica.lastAppliedZxid() > replica.durableZxid(), TICKS_MAX,
                        "s" + slow + " applying a commit its slow log has not synced");
                long applied = replica.lastAppliedZxid();
                e.crash(slow);
                server.slowDiskTicks = 0;
                e.start(slow);
                if (server.replica().lastZxid() < applied) { // recovered from its disk alone, so far
                    lostApplied[0]++;
                }
                Converge.writeUntil(e, clients, clients.acknowledged().size() + 10, TICKS_MAX);
                Converge.settleAndCheck(e, clients);
            });
        });
        assertTrue(lostApplied[0] > 0, "no crash lost a transaction its server had applied, in " + SEEDS
                + " seeds: the scenario missed its point");
    }

    /** A follower acknowledges a proposal and restarts before the COMMIT reaches it. */
    @Test
    void aFollowerAcknowledgesThenRestartsBeforeCommit() {
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(2));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 4);
                LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 10, TICKS_MAX);
                long leader = leader(e);
                long[] acker = {-1};
                boolean[] restarted = {false};
                e.onceSent((f, t, p) -> {
                    boolean ack = t == leader && p.type() == QuorumPacketType.ACK && (p.zxid() & 0xffffffffL) != 0;
                    if (ack) {
                        acker[0] = f;
                    }
                    return ack;
                }, () -> {
                    e.crash(acker[0]); // its ACK is lost with the connection; the proposal is on its disk
                    e.start(acker[0]);
                    restarted[0] = true;
                });
                Converge.writeWhile(e, clients, () -> restarted[0], TICKS_MAX, "a follower's ACK");
                Converge.writeUntil(e, clients, clients.acknowledged().size() + 10, TICKS_MAX);
                Converge.settleAndCheck(e, clients);
                assertEquals(0, e.triggersPending());
            });
        });
    }
}
