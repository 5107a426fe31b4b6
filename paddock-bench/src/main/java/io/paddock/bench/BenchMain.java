package io.paddock.bench;

import io.paddock.bench.Results.Goal;
import io.paddock.bench.Results.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.zookeeper.KeeperException;

/**
 * Benchmarks Paddock against Apache ZooKeeper 3.9.5 in one run: both servers start as child JVMs
 * from the same zoo.cfg settings, the same java and the same flags; the same workload runs against
 * each with the official client; one table gives the Paddock/ZooKeeper ratio per metric. The goals
 * are printed, never asserted. Exit code: 0 all phases ran, 1 a server failed, 2 usage.
 */
public final class BenchMain {
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long RESTART_TIMEOUT_MS = 120_000;

    private final BenchOptions options;
    private final Path root;
    private final Results results = new Results();
    private final List<String> findings = new ArrayList<>();
    private final Map<ServerKind, Boolean> failed = new EnumMap<>(ServerKind.class);

    private BenchMain(BenchOptions options, Path root) {
        this.options = options;
        this.root = root;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        // The client's INFO lines (environment dump, every connect) would bury the results.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchException e) {
            System.err.println(e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        Path root = Files.createTempDirectory("paddock-bench-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> onExit(root, options.keep()), "bench-cleanup"));
        BenchMain bench = new BenchMain(options, root);
        try {
            bench.run();
        } finally {
            if (options.keep()) {
                System.out.println("kept " + root);
            } else {
                ServerHome.deleteTree(root);
            }
        }
        System.exit(bench.findings.isEmpty() ? 0 : 1);
    }

    /** On any exit, Ctrl-C included: kill the children still running, then drop the temp tree. */
    private static void onExit(Path root, boolean keep) {
        ServerProcess.killStarted();
        if (keep) {
            return;
        }
        try {
            ServerHome.deleteTree(root);
        } catch (java.io.UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e.getCause());
        }
    }

    private void run() throws InterruptedException {
        printHeader();
        declareMetrics();
        if (options.servers().contains(ServerKind.PADDOCK) && options.paddockCds()) {
            ServerProcess.usePaddockClassData(ClassDataArchive.make(root));
        }
        if (options.runs(BenchOptions.PHASE_WRITES)) {
            throughputPhase();
        }
        if (options.runs(BenchOptions.PHASE_FIXED_RATE)) {
            new FixedRatePhase(options, results, findings, this::startFresh, this::fail, this::stopAndDelete).run();
        }
        if (options.runs(BenchOptions.PHASE_ELECTION)) {
            new ElectionPhase(options, results, root, this::failMaybeWithLog, this::stopAndDelete).run();
        }
        if (options.runs(BenchOptions.PHASE_ENSEMBLE)) {
            new EnsemblePhase(options, results, findings, root, this::failMaybeWithLog, this::stopAndDelete).run();
        }
        for (ServerKind kind : options.servers()) {
            if (options.runs(BenchOptions.PHASE_CREATES) && !failed.getOrDefault(kind, false)) {
                createMemoryRestartPhase(kind);
            }
        }
        System.out.println();
        System.out.println("Medians over " + options.repeats() + " run(s) for throughput and latency"
            + (options.runs(BenchOptions.PHASE_ELECTION) ? ", over " + options.electionRounds()
                + " round(s) for the election" : "")
            + (options.runs(BenchOptions.PHASE_ENSEMBLE) ? ", over " + options.failoverRounds()
                + " round(s) for the ensemble failover" : "")
            + (options.runs(BenchOptions.PHASE_CREATES) ? "; one run for the rest." : "."));
        System.out.print(results.table());
        for (String finding : findings) {
            System.out.println();
            System.out.println("FINDING: " + finding);
        }
    }

    private void printHeader() {
        System.out.println("paddock-bench " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
            + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", java "
            + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        System.out.println("options: " + options.describe());
        System.out.println("zoo.cfg (both servers; each adds its own clientPort, dataDir, dataLogDir under " + root + "):");
        System.out.print(ZooCfg.COMMON.indent(2));
    }

    private Metric throughput(int sessions) {
        return new Metric("setData " + options.valueBytes() + " B, " + sessions + " sessions x "
            + options.outstanding() + " async", "ops/s", 0, Goal.AT_LEAST_TWICE);
    }

    private Metric syncLatency(int sessions, String percentile) {
        return new Metric("sync setData " + percentile + " under the " + sessions + "-session load", "ms", 2, Goal.NONE);
    }

    private Metric createTime() {
        return new Metric("create " + options.creates() + " znodes of " + options.createBytes() + " B", "s", 2, Goal.NONE);
    }

    private static final Metric RSS_AFTER_CREATES = new Metric("RSS (VmRSS) after the creates", "MiB", 1, Goal.AT_MOST_HALF);
    private static final Metric PEAK_RSS = new Metric("peak RSS (VmHWM) after the creates", "MiB", 1, Goal.NONE);
    private static final Metric LIVE_HEAP = new Metric("heap in use after a full GC, after the creates", "MiB", 1,
        Goal.NONE);
    private static final Metric DISK = new Metric("data on disk after the creates", "MiB", 1, Goal.NONE);
    private static final Metric RESTART = new Metric("restart to first read (process start to getData)", "ms", 0,
        Goal.AT_MOST_HALF);
    private static final Metric RSS_AFTER_RESTART = new Metric("RSS after restart and first read", "MiB", 1, Goal.NONE);

    private void declareMetrics() {
        if (options.runs(BenchOptions.PHASE_WRITES)) {
            for (int sessions : options.sessionCounts()) {
                results.declare(throughput(sessions));
            }
            for (int sessions : options.sessionCounts()) {
                results.declare(syncLatency(sessions, "p50"));
                results.declare(syncLatency(sessions, "p99"));
            }
        }
        if (options.runs(BenchOptions.PHASE_FIXED_RATE)) {
            FixedRatePhase.declareMetrics(options, results);
        }
        if (options.runs(BenchOptions.PHASE_ELECTION)) {
            ElectionPhase.declareMetrics(results);
        }
        if (options.runs(BenchOptions.PHASE_ENSEMBLE)) {
            EnsemblePhase.declareMetrics(options, results);
        }
        if (options.runs(BenchOptions.PHASE_CREATES)) {
            for (Metric m : List.of(createTime(), RSS_AFTER_CREATES, PEAK_RSS, LIVE_HEAP, DISK, RESTART,
                RSS_AFTER_RESTART)) {
                results.declare(m);
            }
        }
    }

    /** Both servers run side by side; runs alternate between them so slow spells hit both. */
    private void throughputPhase() throws InterruptedException {
        WriteBenchmark bench = new WriteBenchmark(options);
        Map<ServerKind, ServerProcess> servers = new EnumMap<>(ServerKind.class);
        try {
            for (ServerKind kind : options.servers()) {
                ServerProcess server = startFresh(kind, "writes");
                if (server != null) {
                    servers.put(kind, server);
                    prepare(bench, server);
                }
            }
            for (int repeat = 1; repeat <= options.repeats(); repeat++) {
                for (int sessions : options.sessionCounts()) {
                    for (ServerProcess server : servers.values()) {
                        writeRun(bench, server, sessions, repeat);
                    }
                }
            }
        } finally {
            for (ServerProcess server : servers.values()) {
                stopAndDelete(server);
            }
        }
    }

    private ServerProcess startFresh(ServerKind kind, String purpose) throws InterruptedException {
        ServerProcess server = null;
        try {
            server = ServerProcess.start(ServerHome.create(root, kind, purpose), options.jvmOpts());
            server.awaitServing(START_TIMEOUT_MS);
            System.out.println("started " + server);
            return server;
        } catch (IOException | BenchException e) {
            fail(kind, "start for " + purpose, e);
            if (server != null) {
                stopAndDelete(server);
            }
            return null;
        }
    }

    private void prepare(WriteBenchmark bench, ServerProcess server) throws InterruptedException {
        try {
            bench.prepare(server.home().clientPort());
        } catch (IOException | KeeperException | BenchException e) {
            fail(server.home().kind(), "creating the nodes to write", e, server);
        }
    }

    private void writeRun(WriteBenchmark bench, ServerProcess server, int sessions, int repeat)
            throws InterruptedException {
        ServerKind kind = server.home().kind();
        if (failed.getOrDefault(kind, false)) {
            return;
        }
        try {
            WriteBenchmark.Run run = bench.run(server.home().clientPort(), sessions);
            server.checkAlive();
            System.out.printf(Locale.ROOT, "%-9s run %d, %2d sessions: %,9.0f ops/s; sync setData p50 %.2f ms, "
                + "p99 %.2f ms (%d samples)%s%n", kind.label(), repeat, sessions, run.opsPerSecond(),
                run.sync().p50Ms(), run.sync().p99Ms(), run.sync().samples(),
                run.errors() == 0 ? "" : "; " + run.errors() + " errors, first " + run.firstError());
            if (run.errors() > 0) {
                findings.add(kind.label() + ": " + run.errors() + " failed setData calls in run " + repeat + " with "
                    + sessions + " sessions; first: " + run.firstError());
            }
            results.add(throughput(sessions), kind, run.opsPerSecond());
            results.add(syncLatency(sessions, "p50"), kind, run.sync().p50Ms());
            results.add(syncLatency(sessions, "p99"), kind, run.sync().p99Ms());
        } catch (IOException | BenchException e) {
            fail(kind, "write run " + repeat + " with " + sessions + " sessions", e, server);
        }
    }

    /** Fresh server: timed creates, memory, then SIGTERM and restart on the same directories. */
    private void createMemoryRestartPhase(ServerKind kind) throws InterruptedException {
        ServerProcess server = startFresh(kind, "creates");
        if (server == null) {
            return;
        }
        ServerProcess restarted = null;
        try {
            CreateBenchmark creates = new CreateBenchmark(options);
            CreateBenchmark.Result created = creates.run(server.home().clientPort());
            ServerProcess.Memory memory = server.memory();
            ServerHome.DiskUsage disk = server.home().diskUsage();
            System.out.printf(Locale.ROOT, "%-9s %d creates in %.2f s; RSS %.1f MiB (peak %.1f); on disk %.1f MiB "
                + "in %d snapshot and %d log file(s)%n", kind.label(), options.creates(), created.seconds(),
                memory.rssKib() / 1024.0, memory.peakRssKib() / 1024.0, disk.bytes() / 1048576.0,
                disk.snapshotFiles(), disk.logFiles());
            results.add(createTime(), kind, created.seconds());
            results.add(RSS_AFTER_CREATES, kind, memory.rssKib() / 1024.0);
            results.add(PEAK_RSS, kind, memory.peakRssKib() / 1024.0);
            results.add(DISK, kind, disk.bytes() / 1048576.0);
            // After the RSS reading, so the forced collection does not change it.
            OptionalLong liveKib = server.liveHeapKibAfterFullGc();
            if (liveKib.isPresent()) {
                System.out.printf(Locale.ROOT, "%-9s heap in use after a full GC: %.1f MiB%n", kind.label(),
                    liveKib.getAsLong() / 1024.0);
                results.add(LIVE_HEAP, kind, liveKib.getAsLong() / 1024.0);
            }
            int exit = server.stop();
            restarted = ServerProcess.start(server.home(), options.jvmOpts());
            double firstReadMs = RestartProbe.firstReadMs(restarted, created.lastPath(),
                Values.of(options.createBytes()), RESTART_TIMEOUT_MS);
            ServerProcess.Memory after = restarted.memory();
            System.out.printf(Locale.ROOT, "%-9s stopped (exit %d); restart to first read of %s: %.0f ms; RSS %.1f MiB%n",
                kind.label(), exit, created.lastPath(), firstReadMs, after.rssKib() / 1024.0);
            results.add(RESTART, kind, firstReadMs);
            results.add(RSS_AFTER_RESTART, kind, after.rssKib() / 1024.0);
        } catch (IOException | KeeperException | BenchException e) {
            fail(kind, "create/memory/restart phase", e, restarted != null ? restarted : server);
        } finally {
            if (restarted != null) {
                restarted.close();
            }
            stopAndDelete(server);
        }
    }

    private void fail(ServerKind kind, String what, Exception e) {
        failed.put(kind, true);
        String finding = kind.label() + " failed during " + what + ": " + e;
        findings.add(finding);
        System.out.println("FAILED: " + finding);
    }

    private void fail(ServerKind kind, String what, Exception e, ServerProcess server) {
        fail(kind, what, e);
        String tail = server.logTail(30) + (options.keep() ? "" : "\n(the directory is deleted; --keep keeps it)");
        findings.set(findings.size() - 1, findings.get(findings.size() - 1) + "\n" + tail);
    }

    /** As {@link #fail(ServerKind, String, Exception, ServerProcess)}, without a log when there is no server. */
    private void failMaybeWithLog(ServerKind kind, String what, Exception e, ServerProcess server) {
        if (server == null) {
            fail(kind, what, e);
        } else {
            fail(kind, what, e, server);
        }
    }

    private void stopAndDelete(ServerProcess server) throws InterruptedException {
        try {
            server.close();
        } catch (BenchException e) {
            findings.add(e.getMessage());
        }
        if (!options.keep()) {
            server.home().delete();
        }
    }
}
