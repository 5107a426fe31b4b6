package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;

/**
 * The end of a replication scenario: faults stop, every server starts, and within a bound there is
 * a leader followed by every server, the clients are quiet and every server applied the same zxid;
 * then every acknowledged znode that was not deleted exists on every server with its owner, no
 * znode or session of a closed or expired session is left anywhere, no create of a multi answered as
 * failed exists, every server's state is the same, and no client that kept in touch lost its session.
 * From the moment faults stop, clients no longer give up connections: every request must be answered
 * (see {@link SimClients}).
 */
final class Converge {
    /** A leader followed by all, the clients quiet and every server caught up, within this. */
    static final int SETTLE_TICKS_MAX = 600;

    private Converge() {}

    static void settleAndCheck(SimulatedEnsemble e, SimClients clients) {
        e.heal();
        e.setPlan(e.plan().calm());
        clients.faultsStopped();
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
        assertTrue(clients.sessionsExpired() == 0, clients.sessionsExpired() + " sessions expired");
        clients.checkAtEnd();
        long reference = SimulatedEnsemble.fingerprint(e.server(all.iterator().next()).replica());
        for (long sid : all) {
            var replica = e.server(sid).replica();
            assertTrue(SimulatedEnsemble.fingerprint(replica) == reference,
                    "s" + sid + "'s state differs from the first server's at the end");
            var snapshot = io.paddock.core.storage.TreeSnapshot.capture(replica.tree(), replica.sessions(), 0, 0);
            for (var it = snapshot.nodes(); it.hasNext(); ) {
                var node = it.next();
                assertTrue(!clients.closedSessions().contains(node.ephemeralOwner()),
                        "s" + sid + ": " + node.path() + " outlived its closed session");
            }
            for (var it = snapshot.sessions(); it.hasNext(); ) {
                long id = it.next().id();
                assertTrue(!clients.closedSessions().contains(id), "s" + sid + " still has closed session 0x"
                        + Long.toHexString(id));
            }
            for (String path : clients.mustNotExist()) {
                assertTrue(replica.tree().get(path) == null, "s" + sid + " has " + path
                        + ", created by a multi that was answered as failed");
            }
            for (var must : clients.mustExist().entrySet()) {
                var node = replica.tree().get(must.getKey());
                assertTrue(node != null, "s" + sid + " lost the acknowledged create of " + must.getKey());
                assertTrue(node.ephemeralOwner() == must.getValue(), "s" + sid + ": " + must.getKey()
                        + " is owned by 0x" + Long.toHexString(node.ephemeralOwner()));
            }
        }
    }

    /** Every server applied the same last zxid. */
    static boolean allApplied(SimulatedEnsemble e) {
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

    /** Runs ticks with the clients writing until {@code acked} creates are acknowledged (bounded). */
    static void writeUntil(SimulatedEnsemble e, SimClients clients, int acked, int ticksMax) {
        writeWhile(e, clients, () -> clients.acknowledged().size() >= acked, ticksMax, acked + " acknowledged creates");
    }

    /** Runs ticks with the clients writing until {@code done} holds, failing with the seed after {@code ticksMax}. */
    static void writeWhile(SimulatedEnsemble e, SimClients clients, java.util.function.BooleanSupplier done,
            int ticksMax, String what) {
        e.runUntil(() -> {
            clients.tick(true);
            return done.getAsBoolean();
        }, ticksMax, what);
    }
}
