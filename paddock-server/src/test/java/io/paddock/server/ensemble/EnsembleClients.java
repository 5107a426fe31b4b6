package io.paddock.server.ensemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

/** The official client as the ensemble process tests use it: sessions, bulk creates, sync; every wait bounded. */
final class EnsembleClients {
    static final Duration BOUND = Duration.ofSeconds(45);
    static final int SESSION_TIMEOUT_MS = 15_000;

    private EnsembleClients() {}

    /**
     * A client on each of the three servers of {@code e} creates {@code prefix + round + sid}; each
     * then reads all three (after a sync): every server takes writes and sees the others'.
     */
    static void writeThroughEachAndReadThroughAll(LocalEnsemble e, AtomicBoolean expired, String prefix, String round)
            throws Exception {
        try (ZooKeeper one = connect(e.connectString(1), expired);
                ZooKeeper two = connect(e.connectString(2), expired);
                ZooKeeper three = connect(e.connectString(3), expired)) {
            ZooKeeper[] on = {null, one, two, three};
            for (int sid = 1; sid <= 3; sid++) {
                on[sid].create(prefix + round + sid, (round + sid).getBytes(StandardCharsets.UTF_8), Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
            }
            for (int reader = 1; reader <= 3; reader++) {
                syncWith(on[reader]);
                for (int writer = 1; writer <= 3; writer++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals((round + writer).getBytes(StandardCharsets.UTF_8),
                            on[reader].getData(prefix + round + writer, false, null),
                            "server " + reader + " reads what server " + writer + " took");
                }
            }
        }
    }

    /** Waits (bounded) until {@code wanted} is among the states a client's watcher put in {@code events}. */
    static void awaitState(java.util.concurrent.BlockingQueue<Watcher.Event.KeeperState> events,
                           Watcher.Event.KeeperState wanted) throws InterruptedException {
        List<Watcher.Event.KeeperState> seen = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            Watcher.Event.KeeperState s = events.poll(100, TimeUnit.MILLISECONDS);
            if (s != null) {
                seen.add(s);
                if (s == wanted) {
                    return;
                }
            }
        }
        throw new AssertionError("no " + wanted + " within " + BOUND + "; saw " + seen);
    }

    static void syncWith(ZooKeeper zk) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        int[] rc = {-1};
        zk.sync("/", (code, path, ctx) -> {
            rc[0] = code;
            done.countDown();
        }, null);
        assertTrue(done.await(BOUND.toMillis(), TimeUnit.MILLISECONDS), "sync answered");
        assertEquals(KeeperException.Code.OK.intValue(), rc[0], "sync answered OK");
    }

    /** Creates every path (data = the path), 100 at a time outstanding, and waits for all to succeed. */
    static void createAll(ZooKeeper zk, List<String> paths) throws Exception {
        createAll(zk, paths, null);
    }

    /** Creates {@code paths} with {@code data} (null: each path's own name), 100 at a time. */
    static void createAll(ZooKeeper zk, List<String> paths, byte[] data) throws Exception {
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(100);
        CountDownLatch done = new CountDownLatch(paths.size());
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        for (String path : paths) {
            if (!window.tryAcquire(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("no answer to 100 outstanding creates within " + BOUND);
            }
            zk.create(path, data != null ? data : path.getBytes(StandardCharsets.UTF_8), Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT,
                    (rc, p, ctx, name) -> {
                        if (rc != 0) {
                            failures.incrementAndGet();
                        }
                        window.release();
                        done.countDown();
                    }, null);
        }
        assertTrue(done.await(BOUND.toSeconds(), TimeUnit.SECONDS), "every create answered");
        assertEquals(0, failures.get(), "every create succeeded");
    }

    static ZooKeeper connect(String connectString, AtomicBoolean expired) throws Exception {
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
