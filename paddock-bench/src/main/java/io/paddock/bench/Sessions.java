package io.paddock.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/** Opens sessions with the official ZooKeeper client, each waited for with a bound. */
final class Sessions {
    static final int SESSION_TIMEOUT_MS = 30_000;
    /** Synchronous calls give up after this long instead of waiting forever on a stuck server. */
    static final int REQUEST_TIMEOUT_MS = 30_000;

    private Sessions() {}

    static ZooKeeper open(int port, long connectTimeoutMs) throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT, String.valueOf(REQUEST_TIMEOUT_MS));
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + port, SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config);
        if (!connected.await(connectTimeoutMs, TimeUnit.MILLISECONDS)) {
            zk.close();
            throw new BenchException("no session with 127.0.0.1:" + port + " within " + connectTimeoutMs + " ms");
        }
        return zk;
    }

    static List<ZooKeeper> open(int port, int count, long connectTimeoutMs) throws IOException, InterruptedException {
        return openSpread(List.of(port), count, connectTimeoutMs);
    }

    /**
     * {@code count} sessions, session {@code i} on {@code ports[i % ports.size()]} alone (its
     * connect string names that one server, so it never moves to another).
     */
    static List<ZooKeeper> openSpread(List<Integer> ports, int count, long connectTimeoutMs)
            throws IOException, InterruptedException {
        List<ZooKeeper> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sessions.add(open(ports.get(i % ports.size()), connectTimeoutMs));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(sessions);
            throw e;
        }
        return sessions;
    }

    static void closeAll(List<ZooKeeper> sessions) throws InterruptedException {
        for (ZooKeeper zk : sessions) {
            zk.close(5_000);
        }
    }
}
