package io.paddock.server.ensemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the ensemble as real processes on loopback (each its own JVM, dataDir, myid and ports):
 * three servers elect exactly one leader and two followers; five survive two leaders killed in
 * turn (three of five still elect, each time in a higher epoch); the seed's worked example (servers 1
 * and 2 start, 2 leads; 3, started later, follows although its id is higher); kill -9 of the
 * leader gives a new leader with a higher epoch, and the killed server restarts as a follower.
 * An observer serves clients: a write through it reaches the voters. Every wait is a bounded poll
 * of srvr's Mode line (or of the data); nothing sleeps for a fixed time.
 */
class EnsembleElectionProcessTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static long count(Map<Integer, String> modes, String mode) {
        return modes.values().stream().filter(mode::equals).count();
    }

    private static boolean oneLeaderRestFollow(LocalEnsemble e, int servers) {
        Map<Integer, String> m = e.modes();
        return m.size() == servers && count(m, "leader") == 1 && count(m, "follower") == servers - 1;
    }

    private static void startAllAndAwaitOneLeader(LocalEnsemble e, int n) throws Exception {
        e.startAllAndAwaitOneLeader(n, BOUND);
    }

    private static int leader(LocalEnsemble e) {
        return e.leader();
    }

    @Test
    void threeServersElectExactlyOneLeader() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            startAllAndAwaitOneLeader(e, 3);
            // Not necessarily server 3: when its JVM starts last, 1 and 2 are a quorum without it (the seed's example).
            int leader = leader(e);
            String mntr = e.word(leader, "mntr");
            assertTrue(mntr.contains("zk_server_state\tleader\n"), mntr);
            assertTrue(mntr.contains("zk_peer_state\tleading - broadcast\n"), mntr);
            assertTrue(mntr.contains("zk_synced_followers\t2\n"), mntr);
            String srvr = e.word(leader, "srvr");
            assertTrue(srvr.contains("\nMode: leader\n") && srvr.endsWith("\nProposal sizes last/min/max: -1/-1/-1\n"),
                    srvr);
            String followerMntr = e.word(1, "mntr");
            assertTrue(followerMntr.contains("zk_peer_state\tfollowing - broadcast\n"), followerMntr);
            long epoch = e.currentEpoch(leader);
            assertTrue(epoch >= 1, "the established epoch is persisted: " + epoch);
            for (int sid = 1; sid <= 3; sid++) {
                assertEquals(epoch, e.currentEpoch(sid), "server " + sid + "'s currentEpoch");
            }
        }
    }

    @Test
    void fiveServersSurviveTwoLeadersKilledInTurn() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 5)) {
            startAllAndAwaitOneLeader(e, 5);
            int first = leader(e);
            long firstEpoch = e.currentEpoch(first);
            e.kill9(first);
            e.await("a new leader of the four left", BOUND, () -> oneLeaderRestFollow(e, 4));
            int second = leader(e);
            long secondEpoch = e.currentEpoch(second);
            assertTrue(second != first && secondEpoch > firstEpoch, "epoch " + secondEpoch + " above " + firstEpoch);
            e.kill9(second);
            // Three of five are still a quorum.
            e.await("a new leader of the three left", BOUND, () -> oneLeaderRestFollow(e, 3));
            int third = leader(e);
            assertTrue(third != first && third != second);
            assertTrue(e.currentEpoch(third) > secondEpoch, "epoch " + e.currentEpoch(third) + " above " + secondEpoch);
        }
    }

    @Test
    void theSeedsWorkedExampleServerThreeJoinsAsFollower() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            e.start(1);
            e.start(2);
            e.await("server 2 leads, 1 follows", BOUND,
                    () -> e.mode(2).equals("leader") && e.mode(1).equals("follower"));
            e.start(3);
            e.await("server 3 follows", BOUND, () -> e.mode(3).equals("follower"));
            assertEquals(Map.of(1, "follower", 2, "leader", 3, "follower"), e.modes());
        }
    }

    /** The gap between starts: 2 s in CI; minutes in the long run (README). */
    private static final Duration START_GAP = Duration.ofSeconds(Long.getLong("paddock.ensemble.startGapSeconds", 2));

    /**
     * Servers started one by one, {@link #START_GAP} apart: the first alone never leads (no
     * quorum); with the second a leader is established; the third, started later still, joins it
     * as a follower without a new election (the epoch stays) and catches up with what was written
     * before it came.
     */
    @Test
    void serversStartedOneByOneApartElectOnceAndTheLastJoins() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            e.start(1);
            e.holdsThroughout("server 1 alone does not lead", START_GAP, () -> !e.mode(1).equals("leader"));
            e.start(2);
            e.awaitOneLeader(2, BOUND);
            int leader = leader(e);
            long epoch = e.currentEpoch(leader);
            try (ZooKeeper zk = new ZooKeeper(e.connectString(leader), 15_000, event -> { })) {
                e.await("a session on the leader", BOUND, () -> zk.getState().isConnected());
                zk.create("/before3", new byte[] {3}, Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
            }
            e.holdsThroughout("the two keep their leader", START_GAP, () -> e.mode(leader).equals("leader"));
            e.start(3);
            e.awaitOneLeader(3, BOUND);
            assertEquals(leader, leader(e), "no new election");
            assertEquals(epoch, e.currentEpoch(3), "server 3 took the established epoch");
            try (ZooKeeper zk = new ZooKeeper(e.connectString(3), 15_000, event -> { })) {
                e.await("server 3 holds what was written before it came", BOUND, () -> {
                    try {
                        return zk.exists("/before3", false) != null;
                    } catch (KeeperException | InterruptedException ex) {
                        return false;
                    }
                });
            }
        }
    }

    @Test
    void killingTheLeaderElectsANewOneWithAHigherEpochAndTheOldOneFollows() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            startAllAndAwaitOneLeader(e, 3);
            int old = leader(e);
            long oldEpoch = e.currentEpoch(old);
            long killedAt = System.nanoTime();
            e.kill9(old);
            e.await("a new leader of the two left", BOUND, () -> oneLeaderRestFollow(e, 2));
            int fresh = leader(e);
            assertTrue(fresh != old);
            assertTrue(e.currentEpoch(fresh) > oldEpoch,
                    "new epoch " + Collections.singletonList(e.currentEpoch(fresh)) + " above " + oldEpoch);
            // As ZooKeeper's: the new leader's Zxid is its epoch's start before any write, and
            // zk_uptime counts from the role's start, not the process's.
            String srvr = e.word(fresh, "srvr");
            assertTrue(srvr.contains("\nZxid: 0x" + Long.toHexString(e.currentEpoch(fresh) << 32) + "\n"), srvr);
            String mntr = e.word(fresh, "mntr");
            long uptime = Long.parseLong(mntr.split("zk_uptime\t")[1].split("\n")[0]);
            assertTrue(uptime <= (System.nanoTime() - killedAt) / 1_000_000, "zk_uptime " + uptime + " since before the kill");
            e.start(old);
            e.await("the old leader follows", BOUND, () -> e.mode(old).equals("follower"));
            assertEquals(fresh, leader(e));
        }
    }

    @Test
    void aLeaderStoppedLongerThanSyncLimitIsReplacedAndStepsDownAfterContinuing() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            startAllAndAwaitOneLeader(e, 3);
            int old = leader(e);
            long oldEpoch = e.currentEpoch(old);
            e.signal(old, "STOP");
            try {
                e.await("a new leader while the old one is stopped", BOUND, () -> {
                    Map<Integer, String> m = e.modes();
                    m.remove(old); // a stopped process answers nothing
                    return count(m, "leader") == 1 && count(m, "follower") == 1;
                });
            } finally {
                e.signal(old, "CONT");
            }
            e.await("the old leader steps down and follows", BOUND, () -> oneLeaderRestFollow(e, 3)
                    && e.mode(old).equals("follower"));
            int fresh = leader(e);
            assertTrue(e.currentEpoch(fresh) > oldEpoch, "the new leader's epoch is above " + oldEpoch);
        }
    }

    @Test
    void aMinorityAloneNeverEstablishesALeader() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            e.start(1);
            e.await("server 1 answers srvr", BOUND, () -> e.word(1, "srvr").contains("not currently serving"));
            // Watched for longer than initLimit (a leader's whole discovery): it never leads or follows.
            long until = System.nanoTime() + Duration.ofMillis(
                    2L * LocalEnsemble.INIT_LIMIT * LocalEnsemble.TICK_TIME_MS).toNanos();
            while (System.nanoTime() < until) {
                assertEquals("", e.mode(1), "a lone server of three must stay LOOKING");
                Thread.sleep(100);
            }
            assertEquals(0, e.currentEpoch(1), "no epoch was established");
        }
    }

    @Test
    void anObserverObservesAndNeverCountsForTheQuorum() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3, java.util.Set.of(3))) {
            e.start(3);
            e.start(1);
            e.start(2);
            e.await("2 leads, 1 follows, 3 observes", BOUND, () -> e.modes().equals(
                    Map.of(1, "follower", 2, "leader", 3, "observer")));
            String mntr = e.word(2, "mntr");
            assertTrue(mntr.contains("zk_synced_followers\t1\n"), mntr);
            assertTrue(mntr.contains("zk_synced_observers\t1\n"), mntr);
            String observerMntr = e.word(3, "mntr");
            assertTrue(observerMntr.contains("zk_peer_state\tobserving - broadcast\n"), observerMntr);
            assertTrue(observerMntr.contains("zk_observer_master_id\t2\n"), observerMntr); // as ZooKeeper's observers
            // It serves clients: a write through it is forwarded, committed by the voters, and
            // comes back to it (INFORM); the other members hold it too.
            try (ZooKeeper zk = new ZooKeeper(e.connectString(3), 15_000, event -> { })) {
                e.await("a session on the observer", BOUND, () -> zk.getState().isConnected());
                zk.create("/through-observer", new byte[] {7}, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                assertArrayEquals(new byte[] {7}, zk.getData("/through-observer", false, null));
            }
            for (int sid = 1; sid <= 2; sid++) {
                try (ZooKeeper zk = new ZooKeeper(e.connectString(sid), 15_000, event -> { })) {
                    e.await("server " + sid + " holds the observer's write", BOUND, () -> {
                        try {
                            return zk.exists("/through-observer", false) != null;
                        } catch (KeeperException | InterruptedException ex) {
                            return false;
                        }
                    });
                }
            }
        }
    }
}
