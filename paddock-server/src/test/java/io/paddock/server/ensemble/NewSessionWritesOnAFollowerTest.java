package io.paddock.server.ensemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paddock.server.conformance.PaddockEnsembleTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * Proves that a session is the leader's as soon as its client is told it exists: the official
 * client connects to a follower and writes at once, many times over, and every first write
 * succeeds. ZooKeeper's leader tracks a session when it prepares the createSession, so a write
 * forwarded right after the follower answered the connect always finds it.
 *
 * <p>Paddock's leader once failed it: it knew a session only once it had applied the
 * createSession, which waits for its own log to be durable, but the two followers can make the
 * quorum first; a follower then applied, answered the client, and forwarded the client's first
 * write to a leader that answered SESSIONEXPIRED (5 of 320 here; 2 of 5 runs of
 * NullFieldsConformanceTest against the paddock-ensemble target). The leader now treats a session
 * whose creation it has proposed as live.
 */
class NewSessionWritesOnAFollowerTest {
    /** Clients at once: a busy leader log makes the followers' quorum come first more often. */
    private static final int THREADS = 8;
    private static final int SESSIONS_PER_THREAD = 40;
    private static final int SESSION_TIMEOUT_MS = 4000;
    private static final long CONNECT_SECONDS_MAX = 10;
    private static final long RUN_SECONDS_MAX = 120;

    @Test
    void theFirstWriteOfEveryNewSessionSucceeds() throws Exception {
        List<String> failures = new CopyOnWriteArrayList<>();
        // The followers skip fsync and the leader (the highest sid, when all start empty) does not:
        // their quorum acknowledges every proposal before the leader's own log is durable.
        try (PaddockEnsembleTarget ensemble = new PaddockEnsembleTarget(
                sid -> sid == PaddockEnsembleTarget.SIZE ? Map.of() : Map.of("forceSync", "no"))) {
            ensemble.start();
            assumeTrue(ensemble.leaderSid() == PaddockEnsembleTarget.SIZE, "server 3 leads");
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    runs.add(pool.submit(() -> {
                        for (int i = 0; i < SESSIONS_PER_THREAD; i++) {
                            firstWrite(ensemble.connectString(), "/first-write-" + thread + "-" + i, failures);
                        }
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get(RUN_SECONDS_MAX, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(List.of(), failures, "first writes that failed, of " + THREADS * SESSIONS_PER_THREAD);
    }

    private static void firstWrite(String connectString, String path, List<String> failures) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            assertTrue(connected.await(CONNECT_SECONDS_MAX, TimeUnit.SECONDS), path + ": session connects");
            zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException e) {
            failures.add(path + " (session 0x" + Long.toHexString(zk.getSessionId()) + "): " + e.code());
        } finally {
            zk.close();
        }
    }
}
