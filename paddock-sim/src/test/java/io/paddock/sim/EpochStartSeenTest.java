package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.zab.LearnerRole;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A client that has seen an epoch's start, e:0 (ZooKeeper's servers answer with it after an
 * election, before the epoch's first write, and a ZooKeeper leader labels a SNAP with it), comes back
 * to a server synced with a leader of epoch e whose applied zxid is still the last transaction of an
 * earlier epoch: e:0 names no transaction, only the state committed before epoch e, which that server
 * holds, so it takes the client. Before, it sent the client away until the epoch's first write (in a
 * mixed ensemble, from every Paddock server). A zxid past it (e:1), or a later epoch's start, still
 * sends the client elsewhere, as ZooKeeper's servers do with a client that has seen more than they hold.
 */
class EpochStartSeenTest {
    private static final String TEST = "EpochStartSeenTest";
    private static final int SEEDS = 10;
    private static final int TICKS_MAX = 2_000;
    private static final int TIMEOUT_MS = 10_000;

    @Test
    void aClientThatSawAnEpochStartComesBackToAServerSyncedInThatEpoch() {
        Seeds.run(TEST, SEEDS, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 0, FaultPlan.quiet(1));
            Seeds.traced(e, TEST, () -> {
                Map<Long, Long> sessionOf = new HashMap<>();
                Set<Long> closed = new HashSet<>();
                e.setClientSink((sid, effect) -> {
                    if (effect instanceof Effect.ConnectReply r) {
                        sessionOf.put(r.connId(), r.response().sessionId());
                    } else if (effect instanceof Effect.CloseClient c) {
                        closed.add(c.connId());
                    }
                });
                Set<Long> all = LeaderLossTest.startAll(e);
                long firstLeader = e.runUntilLeader(all, TICKS_MAX);
                long first = all.stream().filter(sid -> sid != firstLeader).findFirst().orElseThrow();
                e.clientEvent(first, new Event.ClientConnected(1,
                        new ConnectRequest(0, 0, TIMEOUT_MS, 0, new byte[16], false, true), "127.0.0.1"));
                e.runUntil(() -> sessionOf.containsKey(1L), TICKS_MAX, "a session on s" + first);
                long session = sessionOf.get(1L);
                byte[] passwd = e.server(first).replica().sessions().get(session).passwd();

                e.crash(firstLeader);
                Set<Long> rest = new TreeSet<>(all);
                rest.remove(firstLeader);
                long leader = e.runUntilLeader(rest, TICKS_MAX);
                long follower = rest.stream().filter(sid -> sid != leader).findFirst().orElseThrow();
                long epoch = e.server(leader).core().establishedEpoch();
                e.runUntil(() -> e.server(follower).core().role() instanceof LearnerRole l
                        && l.phase() == LearnerRole.Phase.SYNCED && e.server(follower).core().establishedEpoch() == epoch,
                        TICKS_MAX, "s" + follower + " synced in epoch " + epoch);
                e.runTicks(5);
                long applied = e.server(follower).replica().lastAppliedZxid();
                assertTrue(applied < epoch << 32, "no transaction of epoch " + epoch + " yet: 0x" + Long.toHexString(applied));

                long[][] comeBacks = {{10, (epoch << 32) | 1}, {11, (epoch + 1) << 32}, {12, epoch << 32}};
                for (long[] comeBack : comeBacks) {
                    e.clientEvent(follower, new Event.ClientConnected(comeBack[0],
                            new ConnectRequest(0, comeBack[1], TIMEOUT_MS, session, passwd, false, true), "127.0.0.1"));
                }
                e.runUntil(() -> closed.contains(10L) && closed.contains(11L) && sessionOf.containsKey(12L), TICKS_MAX,
                        "s" + follower + " sending away clients that saw more than it holds and taking the one that saw e:0");
                assertEquals(session, sessionOf.get(12L), "the same session");
                assertTrue(!sessionOf.containsKey(10L) && !sessionOf.containsKey(11L), "no session for the others");
            });
        });
    }
}
