package io.paddock.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * Opens sessions with the official ZooKeeper client, each waited for with a bound. Several
 * sessions connect (and close) at once, so that opening 32 does not cost seconds of every run.
 */
final class Sessions {
    static final int SESSION_TIMEOUT_MS = 30_000;
    /** Synchronous calls give up after this long instead of waiting forever on a stuck server. */
    static final int REQUEST_TIMEOUT_MS = 30_000;
    private static final int CLOSE_WAIT_MS = 5_000;

    private Sessions() {}

    static ZooKeeper open(int port, long connectTimeoutMs) throws IOException, InterruptedException {
        return openSpread(List.of(port), 1, connectTimeoutMs).get(0);
    }

    static List<ZooKeeper> open(int port, int count, long connectTimeoutMs) throws IOException, InterruptedException {
        return openSpread(List.of(port), count, connectTimeoutMs);
    }

    /**
     * {@code count} sessions, session {@code i} on {@code ports[i % ports.size()]} alone (its
     * connect string names that one server, so it never moves to another). All connect at once;
     * each must be connected within {@code connectTimeoutMs} of the start.
     */
    static List<ZooKeeper> openSpread(List<Integer> ports, int count, long connectTimeoutMs)
            throws IOException, InterruptedException {
        List<ZooKeeper> sessions = new ArrayList<>();
        List<CountDownLatch> connected = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                CountDownLatch latch = new CountDownLatch(1);
                connected.add(latch);
                sessions.add(connect(ports.get(i % ports.size()), latch));
            }
            awaitConnected(connected, connectTimeoutMs, "127.0.0.1 port(s) " + ports);
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(sessions);
            throw e;
        }
        return sessions;
    }

    /**
     * {@code count} sessions whose server list names every port, session {@code i} starting with
     * {@code ports[i % ports.size()]} and then the others in order (see {@link OrderedHostProvider}):
     * spread like {@link #openSpread}, but a session whose server goes away moves to another one
     * as a client with the whole ensemble in its connect string does. With a single server, the
     * client sleeps 1 s before every reconnect attempt on top of its random 0-1 s back-off.
     */
    static List<ZooKeeper> openPreferring(List<Integer> ports, int count, long connectTimeoutMs)
            throws IOException, InterruptedException {
        List<ZooKeeper> sessions = new ArrayList<>();
        List<CountDownLatch> connected = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                List<InetSocketAddress> hosts = new ArrayList<>();
                for (int k = 0; k < ports.size(); k++) {
                    hosts.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get((i + k) % ports.size())));
                }
                CountDownLatch latch = new CountDownLatch(1);
                connected.add(latch);
                sessions.add(connect(hosts, latch));
            }
            awaitConnected(connected, connectTimeoutMs, ports.toString());
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(sessions);
            throw e;
        }
        return sessions;
    }

    private static void awaitConnected(List<CountDownLatch> connected, long connectTimeoutMs, String where)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMs);
        for (CountDownLatch latch : connected) {
            if (!latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new BenchException("not every session with " + where + " connected within " + connectTimeoutMs
                    + " ms");
            }
        }
    }

    private static ZooKeeper connect(int port, CountDownLatch connected) throws IOException {
        return new ZooKeeper("127.0.0.1:" + port, SESSION_TIMEOUT_MS, onConnected(connected), config());
    }

    private static ZooKeeper connect(List<InetSocketAddress> hosts, CountDownLatch connected) throws IOException {
        StringBuilder connectString = new StringBuilder();
        for (InetSocketAddress host : hosts) {
            connectString.append(connectString.length() == 0 ? "" : ",").append("127.0.0.1:").append(host.getPort());
        }
        return new ZooKeeper(connectString.toString(), SESSION_TIMEOUT_MS, onConnected(connected), false,
            new OrderedHostProvider(hosts), config());
    }

    private static org.apache.zookeeper.Watcher onConnected(CountDownLatch connected) {
        return event -> {
            if (event.getState() == KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
    }

    private static ZKClientConfig config() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT, String.valueOf(REQUEST_TIMEOUT_MS));
        return config;
    }

    /** Closes every session, all at once, each with its own bounded wait. */
    static void closeAll(List<ZooKeeper> sessions) throws InterruptedException {
        List<Thread> closers = new ArrayList<>();
        for (ZooKeeper zk : sessions) {
            Thread t = new Thread(() -> {
                try {
                    zk.close(CLOSE_WAIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-session-close");
            t.setDaemon(true);
            closers.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Sessions.REQUEST_TIMEOUT_MS + CLOSE_WAIT_MS);
        for (Thread t : closers) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }
}
