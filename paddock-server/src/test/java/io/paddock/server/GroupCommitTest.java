package io.paddock.server;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves group commit: many writes in flight at once share fsyncs (far fewer syncs than
 * records), and every acknowledged write was counted as written before its reply.
 */
class GroupCommitTest {
    @TempDir
    Path dataDir;

    @Test
    void concurrentWritesShareSyncs() throws Exception {
        try (PaddockServer server = TestServers.start(dataDir)) {
            try (ZooKeeper zk = TestServers.connect(server, null)) {
                zk.create("/g", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                long syncsBefore = server.fileLog().syncCount();
                long recordsBefore = server.fileLog().recordsWritten();
                int writes = 2000;
                Semaphore inFlight = new Semaphore(200);
                CountDownLatch done = new CountDownLatch(writes);
                AtomicInteger failures = new AtomicInteger();
                for (int i = 0; i < writes; i++) {
                    assertTrue(inFlight.tryAcquire(10, TimeUnit.SECONDS), "writes stalled");
                    zk.setData("/g", new byte[16], -1, (rc, path, ctx, stat) -> {
                        if (rc != KeeperException.Code.OK.intValue()) {
                            failures.incrementAndGet();
                        }
                        inFlight.release();
                        done.countDown();
                    }, null);
                }
                assertTrue(done.await(60, TimeUnit.SECONDS), "writes did not finish");
                assertEquals(0, failures.get());
                long syncs = server.fileLog().syncCount() - syncsBefore;
                long records = server.fileLog().recordsWritten() - recordsBefore;
                assertTrue(records >= writes, "acknowledged " + writes + " writes but logged " + records);
                assertTrue(syncs * 4 < writes, writes + " writes took " + syncs + " syncs: no group commit");
                assertEquals(writes, zk.exists("/g", false).getVersion());
            }
        }
    }

    /** Tight in-flight bounds pause reading but never stall: every write still completes. */
    @Test
    void tightInFlightBoundsThrottleWithoutStalling() throws Exception {
        try (PaddockServer server = TestServers.start(dataDir, "globalOutstandingLimit", "8",
                "maxOutstandingRequestsPerConnection", "3")) {
            // Eight busy connections against a server-wide bound of 8: reads pause and resume
            // constantly, which is where a lost wake-up would leave a connection stuck (its
            // client then times out and reports ConnectionLoss).
            ZooKeeper[] clients = new ZooKeeper[8];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = TestServers.connect(server, null);
            }
            try {
                clients[0].create("/t", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                int perClient = 1500;
                CountDownLatch done = new CountDownLatch(perClient * clients.length);
                AtomicInteger failures = new AtomicInteger();
                for (int i = 0; i < perClient; i++) {
                    for (ZooKeeper zk : clients) {
                        zk.setData("/t", new byte[8], -1, (rc, path, ctx, stat) -> {
                            if (rc != KeeperException.Code.OK.intValue()) {
                                failures.incrementAndGet();
                            }
                            done.countDown();
                        }, null);
                    }
                }
                assertTrue(done.await(60, TimeUnit.SECONDS), "throttled writes stalled");
                assertEquals(0, failures.get());
                assertEquals(perClient * clients.length, clients[1].exists("/t", false).getVersion());
            } finally {
                for (ZooKeeper zk : clients) {
                    zk.close();
                }
            }
        }
    }
}
