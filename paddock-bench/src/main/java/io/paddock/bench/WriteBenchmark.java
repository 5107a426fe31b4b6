package io.paddock.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;

/**
 * Write throughput: {@code sessions} sessions each keep up to {@code outstanding} async setData
 * calls of {@code valueBytes} in flight on pre-created nodes; after a warm-up, the calls answered
 * OK in a fixed window are counted. Meanwhile one more session does synchronous setData and its
 * latencies are the p50/p99 reported.
 */
final class WriteBenchmark {
    static final String ROOT = "/bench-w";
    static final String PROBE_PATH = ROOT + "/probe";
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    private static final long DRAIN_TIMEOUT_MS = 60_000;
    private static final long PREPARE_TIMEOUT_MS = 120_000;
    static final long CALLS_MAX = 1_000_000_000L;

    record Run(double opsPerSecond, long okCalls, long errors, String firstError, SyncWriteProbe.Result sync) {}

    private final BenchOptions options;
    private final byte[] value;
    private final String[] nodePaths;

    WriteBenchmark(BenchOptions options) {
        this.options = options;
        this.value = Values.of(options.valueBytes());
        this.nodePaths = new String[options.writeNodes()];
        for (int i = 0; i < nodePaths.length; i++) {
            nodePaths[i] = nodePath(i);
        }
    }

    /** The path of pre-created node {@code i} (0..writeNodes-1). */
    static String nodePath(int i) {
        return String.format("%s/n-%06d", ROOT, i);
    }

    /** Creates the root, the nodes written and the probe's node. */
    void prepare(int port) throws IOException, InterruptedException, KeeperException {
        ZooKeeper zk = Sessions.open(port, CONNECT_TIMEOUT_MS);
        try {
            zk.create(ROOT, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(PROBE_PATH, value, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            AsyncPump pump = new AsyncPump(List.of(zk), options.outstanding(), (session, i, seq, onRc) ->
                session.create(nodePaths[(int) seq], value, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (rc, path, ctx, name) -> onRc.accept(rc), null));
            pump.start(nodePaths.length, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PREPARE_TIMEOUT_MS));
            AsyncPump.Result result = pump.awaitEnd(PREPARE_TIMEOUT_MS);
            if (result.ok() != nodePaths.length) {
                throw new BenchException("created " + result.ok() + " of " + nodePaths.length
                    + " nodes to write (first error: " + result.firstError() + ")");
            }
        } finally {
            zk.close(5_000);
        }
    }

    Run run(int port, int sessionCount) throws IOException, InterruptedException {
        List<ZooKeeper> sessions = Sessions.open(port, sessionCount, CONNECT_TIMEOUT_MS);
        ZooKeeper probeSession = null;
        try {
            probeSession = Sessions.open(port, CONNECT_TIMEOUT_MS);
            return measure(sessions, probeSession);
        } finally {
            Sessions.closeAll(sessions);
            if (probeSession != null) {
                probeSession.close(5_000);
            }
        }
    }

    private Run measure(List<ZooKeeper> sessions, ZooKeeper probeSession) throws InterruptedException {
        int nodes = nodePaths.length;
        AsyncPump pump = new AsyncPump(sessions, options.outstanding(), (zk, sessionIndex, seq, onRc) ->
            zk.setData(nodePaths[(int) ((seq + sessionIndex) % nodes)], value, -1,
                (rc, path, ctx, stat) -> onRc.accept(rc), null));
        SyncWriteProbe probe = new SyncWriteProbe(probeSession, PROBE_PATH, value);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmupS());
        long stopAt = warmEnd + TimeUnit.SECONDS.toNanos(options.durationS());
        pump.start(CALLS_MAX, stopAt);
        probe.start(warmEnd, stopAt);
        AsyncPump.Window window = pump.okBetween(warmEnd, stopAt);
        AsyncPump.Result result = pump.awaitEnd(DRAIN_TIMEOUT_MS);
        SyncWriteProbe.Result sync = probe.await(DRAIN_TIMEOUT_MS);
        return new Run(window.perSecond(), window.okCalls(), result.errors(), result.firstError(), sync);
    }
}
