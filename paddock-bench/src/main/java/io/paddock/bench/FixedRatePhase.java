package io.paddock.bench;

import io.paddock.bench.Results.Goal;
import io.paddock.bench.Results.Metric;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.zookeeper.KeeperException;

/**
 * The fixed-rate latency phase: both servers run side by side (fresh, from the same zoo.cfg), the
 * nodes to write are created on each, then for every repeat and rate the same open-loop schedule
 * runs against each server in turn, so a slow spell on the machine hits both.
 */
final class FixedRatePhase {
    /** Starts a fresh server of a kind, or returns null after recording the failure. */
    @FunctionalInterface
    interface Starter {
        ServerProcess start(ServerKind kind, String purpose) throws InterruptedException;
    }

    @FunctionalInterface
    interface Failer {
        void fail(ServerKind kind, String what, Exception e, ServerProcess server);
    }

    @FunctionalInterface
    interface Stopper {
        void stopAndDelete(ServerProcess server) throws InterruptedException;
    }

    private final BenchOptions options;
    private final Results results;
    private final List<String> findings;
    private final Starter starter;
    private final Failer failer;
    private final Stopper stopper;
    private final List<ServerKind> failedKinds = new ArrayList<>();

    FixedRatePhase(BenchOptions options, Results results, List<String> findings, Starter starter, Failer failer,
            Stopper stopper) {
        this.options = options;
        this.results = results;
        this.findings = findings;
        this.starter = starter;
        this.failer = failer;
        this.stopper = stopper;
    }

    static Metric latency(BenchOptions options, int rate, String percentile) {
        return new Metric("setData " + options.valueBytes() + " B at a fixed " + rate + " ops/s, "
            + options.fixedSessions() + " sessions, " + percentile, "ms", 2, Goal.NONE);
    }

    static Metric skipped(BenchOptions options, int rate) {
        return new Metric("sends skipped at " + rate + " ops/s (" + options.fixedOutstanding()
            + " in flight per session)", "calls", 0, Goal.NONE);
    }

    static void declareMetrics(BenchOptions options, Results results) {
        for (int rate : options.rates()) {
            for (String percentile : List.of("p50", "p99", "p99.9")) {
                results.declare(latency(options, rate, percentile));
            }
        }
        for (int rate : options.rates()) {
            results.declare(skipped(options, rate));
        }
    }

    void run() throws InterruptedException {
        FixedRateBenchmark bench = new FixedRateBenchmark(options);
        WriteBenchmark nodes = new WriteBenchmark(options);
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (ServerKind kind : options.servers()) {
                ServerProcess server = starter.start(kind, "fixedrate");
                if (server != null) {
                    servers.add(server);
                    prepare(nodes, server);
                }
            }
            for (int repeat = 1; repeat <= options.repeats(); repeat++) {
                for (int rate : options.rates()) {
                    for (ServerProcess server : servers) {
                        fixedRun(bench, server, rate, repeat);
                    }
                }
            }
        } finally {
            for (ServerProcess server : servers) {
                stopper.stopAndDelete(server);
            }
        }
    }

    private void prepare(WriteBenchmark nodes, ServerProcess server) throws InterruptedException {
        try {
            nodes.prepare(server.home().clientPort());
        } catch (IOException | KeeperException | BenchException e) {
            failedKinds.add(server.home().kind());
            failer.fail(server.home().kind(), "creating the nodes for the fixed-rate phase", e, server);
        }
    }

    private void fixedRun(FixedRateBenchmark bench, ServerProcess server, int rate, int repeat)
            throws InterruptedException {
        ServerKind kind = server.home().kind();
        if (failedKinds.contains(kind)) {
            return;
        }
        try {
            FixedRateBenchmark.Run run = bench.run(server.home().clientPort(), rate);
            server.checkAlive();
            print(kind, repeat, run);
            if (run.errors() > 0) {
                findings.add(kind.label() + ": " + run.errors() + " failed setData calls at a fixed " + rate
                    + " ops/s in run " + repeat + "; first: " + run.firstError());
            }
            results.add(latency(options, rate, "p50"), kind, run.p50Ms());
            results.add(latency(options, rate, "p99"), kind, run.p99Ms());
            results.add(latency(options, rate, "p99.9"), kind, run.p999Ms());
            results.add(skipped(options, rate), kind, run.skipped());
        } catch (IOException | BenchException e) {
            failedKinds.add(kind);
            failer.fail(kind, "fixed-rate run " + repeat + " at " + rate + " ops/s", e, server);
        }
    }

    private void print(ServerKind kind, int repeat, FixedRateBenchmark.Run run) {
        double answeredPerSecond = run.completedOk() / (double) options.durationS();
        System.out.printf(Locale.ROOT, "%-9s fixed run %d, %,6d ops/s offered: p50 %.2f ms, p99 %.2f ms, "
            + "p99.9 %.2f ms; %,d due, %,d answered OK (%,.0f/s), %,d skipped, %,d sent >1 ms late%s%s%n",
            kind.label(), repeat, run.ratePerSecond(), run.p50Ms(), run.p99Ms(), run.p999Ms(), run.due(),
            run.completedOk(), answeredPerSecond, run.skipped(), run.lateSends(),
            run.errors() == 0 ? "" : "; " + run.errors() + " errors, first " + run.firstError(),
            run.unrecorded() == 0 ? "" : "; " + run.unrecorded() + " latencies not kept (sample bound)");
    }
}
