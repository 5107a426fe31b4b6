package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Starts in-process servers on loopback and connects the official client to them (test support). */
final class TestServers {
    private TestServers() {}

    /** A server on 127.0.0.1, any free port, tickTime 200, data in {@code dataDir}; extra keys as pairs. */
    static PaddockServer start(Path dataDir, String... extraKeyValues) throws Exception {
        Properties p = new Properties();
        p.setProperty("tickTime", "200");
        p.setProperty("clientPort", "0");
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("dataDir", dataDir.toString());
        for (int i = 0; i + 1 < extraKeyValues.length; i += 2) {
            p.setProperty(extraKeyValues[i], extraKeyValues[i + 1]);
        }
        PaddockServer server = new PaddockServer(ServerConfig.fromProperties(p));
        server.start();
        return server;
    }

    /** A connected client (waits up to 10 s for SyncConnected); {@code watcher} may be null. */
    static ZooKeeper connect(PaddockServer server, Watcher watcher) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + server.clientPort(), 4000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
            if (watcher != null) {
                watcher.process(e);
            }
        });
        assertTrue(connected.await(10, TimeUnit.SECONDS), "client did not connect");
        return zk;
    }
}
