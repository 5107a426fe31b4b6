package io.paddock.server.ensemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves replication as real processes with the official ZooKeeper client: a client connected to a
 * follower only writes through it while the leader is killed with kill -9, twice (the killed server
 * restarts each time); every write the client saw acknowledged is then on every server (read
 * through each server on its own), the client's ephemeral node kept its session across both
 * failovers, and the session never expired.
 */
class EnsembleReplicationProcessTest {
    private static final Duration BOUND = Duration.ofSeconds(45);
    private static final int SESSION_TIMEOUT_MS = 15_000;
    private static final int WRITES_PER_ROUND = 40;

    @TempDir
    Path dir;

    @Test
    void writesThroughAFollowerSurviveLeaderKillsAndTheSessionLives() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            e.startAllAndAwaitOneLeader(3, BOUND);
            int follower = e.leader() % 3 + 1;
            AtomicBoolean expired = new AtomicBoolean();
            try (ZooKeeper zk = connect(e.connectString(follower), expired)) {
                zk.create("/base", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.create("/owned", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                List<String> acked = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < WRITES_PER_ROUND; i++) {
                        String path = "/base/r" + round + "-" + i;
                        createRetrying(zk, path, e);
                        acked.add(path);
                    }
                    if (round < 2) {
                        int leader = e.leader();
                        e.kill9(leader);
                        // Writes go on through the follower while the others elect; the killed one returns.
                        for (int i = 0; i < 5; i++) {
                            String path = "/base/during" + round + "-" + i;
                            createRetrying(zk, path, e);
                            acked.add(path);
                        }
                        e.start(leader);
                        e.awaitOneLeader(3, BOUND);
                    }
                }
                for (int sid = 1; sid <= 3; sid++) {
                    int server = sid;
                    try (ZooKeeper reader = connect(e.connectString(server), new AtomicBoolean())) {
                        e.await("server " + server + " holds every acknowledged write", BOUND,
                                () -> holdsAll(reader, acked));
                        for (String path : acked) {
                            assertArrayEquals(path.getBytes(StandardCharsets.UTF_8), reader.getData(path, false, null),
                                    path + " on server " + server);
                        }
                        Stat owned = reader.exists("/owned", false);
                        assertNotNull(owned, "the ephemeral is on server " + server);
                        assertEquals(zk.getSessionId(), owned.getEphemeralOwner(), "its owner on server " + server);
                    }
                }
                assertTrue(zk.getState().isAlive(), "the session lives: " + zk.getState());
            }
            assertTrue(!expired.get(), "the session never expired");
        }
    }

    private static boolean holdsAll(ZooKeeper reader, List<String> paths) {
        try {
            for (String path : paths) {
                if (reader.exists(path, false) == null) {
                    return false;
                }
            }
            return true;
        } catch (KeeperException | InterruptedException ex) {
            return false;
        }
    }

    /**
     * Creates {@code path} with its own name as data; after a lost connection the outcome is unknown,
     * so it tries again, and NodeExists then means the earlier try went through (the path is unique).
     */
    private static void createRetrying(ZooKeeper zk, String path, LocalEnsemble e) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            try {
                zk.create(path, path.getBytes(StandardCharsets.UTF_8), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                return;
            } catch (KeeperException.NodeExistsException ex) {
                return;
            } catch (KeeperException.ConnectionLossException ex) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("create " + path + " still fails after " + BOUND + ": " + e.modes(), ex);
                }
                Thread.sleep(50); // the client is reconnecting; try again (bounded by the deadline)
            }
        }
    }

    private static ZooKeeper connect(String connectString, AtomicBoolean expired) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, (WatchedEvent event) -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            } else if (event.getState() == Watcher.Event.KeeperState.Expired) {
                expired.set(true);
            }
        });
        if (!connected.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("no session with " + connectString + " within " + BOUND);
        }
        return zk;
    }
}
