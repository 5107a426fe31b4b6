package io.paddock.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;

/**
 * Throughput against an ensemble: {@code sessions} sessions spread round-robin over the members'
 * client ports, each keeping up to {@code outstanding} async calls in flight ({@link AsyncPump})
 * on the nodes {@link WriteBenchmark#prepare} created; after a warm-up the calls answered OK in a
 * fixed window are counted. The workload is setData of {@code valueBytes}, getData, or a mix in
 * which every tenth call of the run is a setData and the others getData.
 */
final class EnsembleLoad {
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    private static final long DRAIN_TIMEOUT_MS = 60_000;

    enum Workload {
        WRITES("setData"),
        READS("getData"),
        MIX("90% getData / 10% setData");

        final String label;

        Workload(String label) {
            this.label = label;
        }

        /** True when call {@code seq} of the run is a setData. */
        boolean writes(long seq) {
            return this == WRITES || (this == MIX && seq % 10 == 0);
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Run(double opsPerSecond, long okCalls, long errors, String firstError) {}

    private final BenchOptions options;
    private final byte[] value;
    private final String[] nodePaths;

    EnsembleLoad(BenchOptions options) {
        this.options = options;
        this.value = Values.of(options.valueBytes());
        this.nodePaths = new String[options.writeNodes()];
        for (int i = 0; i < nodePaths.length; i++) {
            nodePaths[i] = WriteBenchmark.nodePath(i);
        }
    }

    Run run(List<Integer> ports, int sessionCount, Workload workload) throws IOException, InterruptedException {
        List<ZooKeeper> sessions = Sessions.openSpread(ports, sessionCount, CONNECT_TIMEOUT_MS);
        try {
            return measure(sessions, workload);
        } finally {
            Sessions.closeAll(sessions);
        }
    }

    /** Seconds per warm-up window (the rate of each is printed). */
    static final int WARM_WINDOW_S = 5;

    /** A warm-up: the rate of each window, and the calls that failed. */
    record WarmUp(List<Double> windowRates, long errors, String firstError) {}

    /**
     * The load, not counted, for {@code seconds}, in {@value #WARM_WINDOW_S} s windows whose
     * rates show how far the servers' JIT has come.
     */
    WarmUp warmUp(List<Integer> ports, int sessionCount, Workload workload, int seconds)
            throws IOException, InterruptedException {
        List<ZooKeeper> sessions = Sessions.openSpread(ports, sessionCount, CONNECT_TIMEOUT_MS);
        try {
            AsyncPump pump = pump(sessions, workload);
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            pump.start(WriteBenchmark.CALLS_MAX, end);
            List<Double> rates = new ArrayList<>();
            long from = start;
            while (from < end) {
                long to = Math.min(end, from + TimeUnit.SECONDS.toNanos(WARM_WINDOW_S));
                rates.add(pump.okBetween(from, to).perSecond());
                from = to;
            }
            AsyncPump.Result result = pump.awaitEnd(DRAIN_TIMEOUT_MS);
            return new WarmUp(rates, result.errors(), result.firstError());
        } finally {
            Sessions.closeAll(sessions);
        }
    }

    private Run measure(List<ZooKeeper> sessions, Workload workload) throws InterruptedException {
        AsyncPump pump = pump(sessions, workload);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmupS());
        long stopAt = warmEnd + TimeUnit.SECONDS.toNanos(options.durationS());
        pump.start(WriteBenchmark.CALLS_MAX, stopAt);
        AsyncPump.Window window = pump.okBetween(warmEnd, stopAt);
        AsyncPump.Result result = pump.awaitEnd(DRAIN_TIMEOUT_MS);
        return new Run(window.perSecond(), window.okCalls(), result.errors(), result.firstError());
    }

    private AsyncPump pump(List<ZooKeeper> sessions, Workload workload) {
        int nodes = nodePaths.length;
        return new AsyncPump(sessions, options.outstanding(), (zk, sessionIndex, seq, onRc) -> {
            String path = nodePaths[(int) ((seq + sessionIndex) % nodes)];
            if (workload.writes(seq)) {
                zk.setData(path, value, -1, (rc, p, ctx, stat) -> onRc.accept(rc), null);
            } else {
                zk.getData(path, false, (rc, p, ctx, data, stat) -> onRc.accept(rc), null);
            }
        });
    }
}
