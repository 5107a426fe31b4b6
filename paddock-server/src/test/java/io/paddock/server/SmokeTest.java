package io.paddock.server;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shortest path a user takes: the official client connects to a real Paddock server over
 * TCP, writes, reads, watches and sees its session's ephemerals go when it closes.
 */
class SmokeTest {
    private PaddockServer server;
    @TempDir
    java.nio.file.Path dataDir;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dataDir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ZooKeeper connect(Watcher watcher) throws Exception {
        return TestServers.connect(server, watcher);
    }

    @Test
    void createReadUpdateDeleteWithWatches() throws Exception {
        LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        try (ZooKeeper zk = connect(e -> {
            if (e.getType() != Watcher.Event.EventType.None) {
                events.add(e);
            }
        })) {
            assertEquals("/a", zk.create("/a", "x".getBytes(StandardCharsets.UTF_8),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            Stat stat = new Stat();
            assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), zk.getData("/a", true, stat));
            assertEquals(0, stat.getVersion());
            assertEquals(stat.getCzxid(), stat.getMzxid());
            Stat after = zk.setData("/a", "y".getBytes(StandardCharsets.UTF_8), 0);
            assertEquals(1, after.getVersion());
            WatchedEvent e = events.poll(5, TimeUnit.SECONDS);
            assertNotNull(e);
            assertEquals(Watcher.Event.EventType.NodeDataChanged, e.getType());
            assertEquals("/a", e.getPath());
            assertThrows(KeeperException.BadVersionException.class, () -> zk.setData("/a", new byte[0], 0));
            String seq = zk.create("/a/s-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
            assertEquals("/a/s-0000000000", seq);
            assertEquals(List.of("s-0000000000"), zk.getChildren("/a", false));
            zk.delete(seq, -1);
            zk.delete("/a", -1);
            assertNull(zk.exists("/a", false));
        }
    }

    @Test
    void ephemeralsGoWithTheirSession() throws Exception {
        try (ZooKeeper owner = connect(null); ZooKeeper observer = connect(null)) {
            owner.create("/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            Stat s = observer.exists("/e", false);
            assertEquals(owner.getSessionId(), s.getEphemeralOwner());
            owner.close();
            assertNull(observer.exists("/e", false));
        }
    }
}
