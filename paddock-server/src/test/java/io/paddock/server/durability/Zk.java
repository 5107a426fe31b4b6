package io.paddock.server.durability;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/** Connects the official client to a server on loopback, with bounds on everything. */
final class Zk {
    /** A request that gets no answer within this bound fails with RequestTimeout instead of hanging. */
    static final int REQUEST_TIMEOUT_MS = 20_000;
    static final Duration CONNECT_BOUND = Duration.ofSeconds(20);

    private Zk() {
    }

    static ZooKeeper connect(int port, int sessionTimeoutMs) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT, String.valueOf(REQUEST_TIMEOUT_MS));
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + port, sessionTimeoutMs, watcher, config);
        if (!connected.await(CONNECT_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            zk.close();
            throw new AssertionError("client did not connect to 127.0.0.1:" + port + " within " + CONNECT_BOUND);
        }
        return zk;
    }

    /** Closes a client whose server may be gone; the close must not hang. */
    static void closeBounded(ZooKeeper zk) throws InterruptedException {
        if (zk != null) {
            zk.close(5_000);
        }
    }
}
