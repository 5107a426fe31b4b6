package io.paddock.bench;

import io.paddock.bench.EnsembleLoad.Workload;
import io.paddock.bench.Results.Goal;
import io.paddock.bench.Results.Metric;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ensemble phase: a three-server {@link Ensemble} of each kind, both running side by side from
 * the same zoo.cfg lines, each with one leader and two followers before anything is measured and
 * the same nodes created (through member 1, whatever its role). Then, with the order of the kinds
 * alternating run by run so a slow spell on the machine hits both:
 * <ol>
 *   <li>throughput of async setData, getData and a 90/10 getData/setData mix, for each session
 *       count, the sessions spread round-robin over the three members ({@link EnsembleLoad});
 *   <li>p50/p99 of setData at one fixed offered rate, the fixed-rate sessions spread the same way
 *       ({@link FixedRateBenchmark});
 *   <li>failover rounds ({@link FailoverWriters}): one synchronous writer per member, kill -9 of
 *       the leader, the gap from the last write acknowledged before the kill to the first one the
 *       new leader committed; the killed member is then started again on its own directories and
 *       the round ends when three members show one leader and two followers again.
 * </ol>
 * Every wait is bounded; only the members this phase started are stopped or killed.
 */
final class EnsemblePhase {
    private static final long LEADER_TIMEOUT_MS = 60_000;
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    /** Writes before the kill, so every session is writing at full speed when it comes. */
    private static final long FAILOVER_WARMUP_MS = 500;
    private static final long FIRST_ACK_TIMEOUT_MS = 10_000;
    private static final long NEW_LEADER_WRITE_TIMEOUT_MS = 30_000;
    /** Bound on the writers ending: a call in flight ends within the client's request timeout. */
    private static final long WRITERS_STOP_TIMEOUT_MS = Sessions.REQUEST_TIMEOUT_MS + 5_000L;
    private static final long POLL_INTERVAL_MS = 1;
    /** The absolute goal for Paddock's failover on loopback. */
    private static final double FAILOVER_MS_GOAL = 300;

    static final Metric FAILOVER = new Metric("ensemble failover: last write acknowledged before kill -9 of the "
        + "leader to the first acknowledged after it (1 sync writer per server)", "ms", 0, Goal.AT_MOST_A_QUARTER);
    static final Metric KILL_TO_WRITE = new Metric("ensemble: kill -9 of the leader to the first write "
        + "acknowledged by the new leader", "ms", 0, Goal.NONE);

    private final BenchOptions options;
    private final Results results;
    private final List<String> findings;
    private final Path root;
    private final FixedRatePhase.Failer failer;
    private final FixedRatePhase.Stopper stopper;
    private final List<ServerKind> failedKinds = new ArrayList<>();
    private int runs;

    EnsemblePhase(BenchOptions options, Results results, List<String> findings, Path root,
            FixedRatePhase.Failer failer, FixedRatePhase.Stopper stopper) {
        this.options = options;
        this.results = results;
        this.findings = findings;
        this.root = root;
        this.failer = failer;
        this.stopper = stopper;
    }

    static Metric throughput(BenchOptions options, Workload workload, int sessions) {
        Goal goal = workload == Workload.READS ? Goal.AT_LEAST_ONE_AND_A_HALF : Goal.AT_LEAST_TWICE;
        String bytes = workload == Workload.READS ? "" : " " + options.valueBytes() + " B";
        return new Metric("ensemble: " + workload.label + bytes + ", " + sessions + " sessions over "
            + Ensemble.MEMBERS + " servers x " + options.outstanding() + " async", "ops/s", 0, goal);
    }

    static Metric latency(BenchOptions options, String percentile) {
        return new Metric("ensemble: setData " + options.valueBytes() + " B at a fixed " + options.ensembleRate()
            + " ops/s, " + options.fixedSessions() + " sessions over " + Ensemble.MEMBERS + " servers, " + percentile,
            "ms", 2, percentile.equals("p99") ? Goal.AT_MOST_HALF : Goal.NONE);
    }

    static void declareMetrics(BenchOptions options, Results results) {
        for (Workload workload : Workload.values()) {
            for (int sessions : options.sessionCounts()) {
                if (options.runsEnsemblePart(workload.key())) {
                    results.declare(throughput(options, workload, sessions));
                }
            }
        }
        if (options.runsEnsemblePart("latency")) {
            results.declare(latency(options, "p50"));
            results.declare(latency(options, "p99"));
        }
        if (options.runsEnsemblePart("failover")) {
            results.declare(FAILOVER);
            results.declare(KILL_TO_WRITE);
        }
    }

    void run() throws InterruptedException {
        System.out.println("ensemble: " + Ensemble.describe() + "; both ensembles run side by side");
        Map<ServerKind, Ensemble> ensembles = new EnumMap<>(ServerKind.class);
        try {
            for (ServerKind kind : options.servers()) {
                Ensemble ensemble = start(kind);
                if (ensemble != null) {
                    ensembles.put(kind, ensemble);
                }
            }
            throughputRuns(ensembles);
            if (options.runsEnsemblePart("latency")) {
                latencyRuns(ensembles);
            }
            if (options.runsEnsemblePart("failover")) {
                failoverRounds(ensembles);
            }
        } finally {
            for (Ensemble ensemble : ensembles.values()) {
                ensemble.close(stopper, options.keep());
            }
        }
        double paddockFailover = results.median(FAILOVER, ServerKind.PADDOCK);
        if (!Double.isNaN(paddockFailover)) {
            System.out.printf(Locale.ROOT, "Paddock ensemble failover median %.0f ms: goal under %.0f ms on loopback %s%n",
                paddockFailover, FAILOVER_MS_GOAL, paddockFailover < FAILOVER_MS_GOAL ? "met" : "not met");
        }
    }

    /** Starts the three members, waits for one leader and two followers, creates the nodes. */
    private Ensemble start(ServerKind kind) throws InterruptedException {
        Ensemble ensemble;
        try {
            ensemble = Ensemble.create(root, kind, "ensemble");
        } catch (IOException e) {
            fail(kind, "writing the ensemble's zoo.cfg files", e, null);
            return null;
        }
        try {
            long startedAt = ensemble.startAll(options.jvmOpts());
            Ensemble.Established established = ensemble.awaitOneLeader(LEADER_TIMEOUT_MS);
            new WriteBenchmark(options).prepare(ensemble.clientPorts().get(0));
            System.out.printf(Locale.ROOT, "%-9s ensemble up: server %d leads, %,.0f ms after the start; client ports %s%n",
                kind.label(), established.leader() + 1, (established.atNanos() - startedAt) / 1e6,
                ensemble.clientPorts());
            return ensemble;
        } catch (IOException | KeeperException | BenchException e) {
            fail(kind, "starting the ensemble and creating the nodes", e, ensemble.anyMember());
            ensemble.close(stopper, options.keep());
            return null;
        }
    }

    /** The kinds in the order of the next run: reversed every other run. */
    private List<Ensemble> nextOrder(Map<ServerKind, Ensemble> ensembles) {
        List<Ensemble> order = new ArrayList<>();
        for (Ensemble ensemble : ensembles.values()) {
            if (!failedKinds.contains(ensemble.kind())) {
                order.add(ensemble);
            }
        }
        if (runs++ % 2 == 1) {
            Collections.reverse(order);
        }
        return order;
    }

    private void throughputRuns(Map<ServerKind, Ensemble> ensembles) throws InterruptedException {
        EnsembleLoad load = new EnsembleLoad(options);
        if (options.ensembleWarmupS() > 0) {
            warmUp(load, ensembles);
        }
        for (int repeat = 1; repeat <= options.repeats(); repeat++) {
            for (Workload workload : Workload.values()) {
                if (!options.runsEnsemblePart(workload.key())) {
                    continue;
                }
                for (int sessions : options.sessionCounts()) {
                    for (Ensemble ensemble : nextOrder(ensembles)) {
                        loadRun(load, ensemble, workload, sessions, repeat);
                    }
                }
            }
        }
    }

    /**
     * Before the first measured run, each ensemble runs each selected load (at the largest session
     * count), not counted, for --ensemble-warmup-s: both kinds' JVMs compile their hot paths in
     * their first tens of seconds (on two cores the three members' C2 threads took 40% of the CPU
     * 30 s after start), and the goal is the throughput of a running ensemble, not of its JIT.
     */
    private void warmUp(EnsembleLoad load, Map<ServerKind, Ensemble> ensembles) throws InterruptedException {
        int sessions = Collections.max(options.sessionCounts());
        for (Workload workload : Workload.values()) {
            if (!options.runsEnsemblePart(workload.key())) {
                continue;
            }
            for (Ensemble ensemble : nextOrder(ensembles)) {
                ServerKind kind = ensemble.kind();
                try {
                    EnsembleLoad.WarmUp run = load.warmUp(ensemble.clientPorts(), sessions, workload,
                        options.ensembleWarmupS());
                    checkAllAlive(ensemble);
                    StringBuilder rates = new StringBuilder();
                    for (double rate : run.windowRates()) {
                        rates.append(rates.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", rate));
                    }
                    System.out.printf(Locale.ROOT, "%-9s ensemble warm-up, %-26s %2d sessions, not counted: %s ops/s in %d s"
                        + " windows%s%n", kind.label(), workload.label + ",", sessions, rates, EnsembleLoad.WARM_WINDOW_S,
                        run.errors() == 0 ? "" : "; " + run.errors() + " errors, first " + run.firstError());
                    if (run.errors() > 0) {
                        findings.add(kind.label() + ": " + run.errors() + " failed calls in the ensemble "
                            + workload.key() + " warm-up; first: " + run.firstError());
                    }
                } catch (IOException | BenchException e) {
                    fail(kind, "ensemble " + workload.key() + " warm-up", e, ensemble.anyMember());
                }
            }
        }
    }

    private void loadRun(EnsembleLoad load, Ensemble ensemble, Workload workload, int sessions, int repeat)
            throws InterruptedException {
        ServerKind kind = ensemble.kind();
        try {
            EnsembleLoad.Run run = load.run(ensemble.clientPorts(), sessions, workload);
            checkAllAlive(ensemble);
            System.out.printf(Locale.ROOT, "%-9s ensemble run %d, %-26s %2d sessions: %,9.0f ops/s%s%n", kind.label(),
                repeat, workload.label + ",", sessions, run.opsPerSecond(),
                run.errors() == 0 ? "" : "; " + run.errors() + " errors, first " + run.firstError());
            if (run.errors() > 0) {
                findings.add(kind.label() + ": " + run.errors() + " failed calls in ensemble " + workload.key()
                    + " run " + repeat + " with " + sessions + " sessions; first: " + run.firstError());
            }
            results.add(throughput(options, workload, sessions), kind, run.opsPerSecond());
        } catch (IOException | BenchException e) {
            fail(kind, "ensemble " + workload.key() + " run " + repeat + " with " + sessions + " sessions", e,
                ensemble.anyMember());
        }
    }

    private void latencyRuns(Map<ServerKind, Ensemble> ensembles) throws InterruptedException {
        FixedRateBenchmark bench = new FixedRateBenchmark(options);
        if (options.ensembleWarmupS() > 0 && !anyThroughputPart()) {
            latencyWarmUp(bench, ensembles);
        }
        Map<ServerKind, List<Double>> p99s = new EnumMap<>(ServerKind.class);
        for (int repeat = 1; repeat <= options.repeats(); repeat++) {
            for (Ensemble ensemble : nextOrder(ensembles)) {
                ServerKind kind = ensemble.kind();
                try {
                    int leader = ensemble.awaitOneLeader(LEADER_TIMEOUT_MS).leader();
                    FixedRateBenchmark.Run run = bench.run(ensemble.clientPorts(), options.ensembleRate());
                    p99s.computeIfAbsent(kind, k -> new ArrayList<>()).add(run.p99Ms());
                    checkAllAlive(ensemble);
                    System.out.printf(Locale.ROOT, "%-9s ensemble fixed run %d, %,d ops/s offered: p50 %.2f ms, "
                        + "p99 %.2f ms, p99.9 %.2f ms; %,d due, %,d answered OK, %,d skipped, %,d sent >1 ms late%s%n",
                        kind.label(), repeat, run.ratePerSecond(), run.p50Ms(), run.p99Ms(), run.p999Ms(), run.due(),
                        run.completedOk(), run.skipped(), run.lateSends(),
                        run.errors() == 0 ? "" : "; " + run.errors() + " errors, first " + run.firstError());
                    if (run.errors() > 0) {
                        findings.add(kind.label() + ": " + run.errors() + " failed setData calls in ensemble fixed-rate"
                            + " run " + repeat + "; first: " + run.firstError());
                    }
                    StringBuilder byServer = new StringBuilder();
                    for (int i = 0; i < run.byServer().size(); i++) {
                        double[] p = run.byServer().get(i);
                        byServer.append(i == 0 ? "" : "; ").append(String.format(Locale.ROOT, "server %d%s %.2f / %.2f",
                            i + 1, i == leader ? " (leader)" : "", p[0], p[1]));
                    }
                    System.out.printf(Locale.ROOT, "%-9s ensemble fixed run %d, p50 / p99 ms of the sessions on each"
                        + " server: %s%n", kind.label(), repeat, byServer);
                    results.add(latency(options, "p50"), kind, run.p50Ms());
                    results.add(latency(options, "p99"), kind, run.p99Ms());
                } catch (IOException | BenchException e) {
                    fail(kind, "ensemble fixed-rate run " + repeat, e, ensemble.anyMember());
                }
            }
        }
        printPairedRatios(p99s);
    }

    private boolean anyThroughputPart() {
        for (Workload workload : Workload.values()) {
            if (options.runsEnsemblePart(workload.key())) {
                return true;
            }
        }
        return false;
    }

    /**
     * When only the latency part runs, nothing else has warmed the JVMs: each ensemble first runs
     * the fixed-rate load for --ensemble-warmup-s, not counted (a first run on cold JVMs showed
     * p99 4-10x that of the runs after it, for both kinds).
     */
    private void latencyWarmUp(FixedRateBenchmark bench, Map<ServerKind, Ensemble> ensembles)
            throws InterruptedException {
        for (Ensemble ensemble : nextOrder(ensembles)) {
            ServerKind kind = ensemble.kind();
            try {
                FixedRateBenchmark.Run run = bench.run(ensemble.clientPorts(), options.ensembleRate(), 0,
                    options.ensembleWarmupS());
                checkAllAlive(ensemble);
                System.out.printf(Locale.ROOT, "%-9s ensemble fixed-rate warm-up, %,d ops/s for %d s, not counted: p50 %.2f"
                    + " ms, p99 %.2f ms%n", kind.label(), run.ratePerSecond(), options.ensembleWarmupS(), run.p50Ms(),
                    run.p99Ms());
            } catch (IOException | BenchException e) {
                fail(kind, "ensemble fixed-rate warm-up", e, ensemble.anyMember());
            }
        }
    }

    /**
     * Paddock's p99 over ZooKeeper's for each repeat, whose two runs ran one right after the other:
     * a slow spell of the machine tends to hit both runs of a pair, so the median of these ratios
     * moves less with the machine than the ratio of the two medians in the table.
     */
    private static void printPairedRatios(Map<ServerKind, List<Double>> p99s) {
        List<Double> paddock = p99s.getOrDefault(ServerKind.PADDOCK, List.of());
        List<Double> zookeeper = p99s.getOrDefault(ServerKind.ZOOKEEPER, List.of());
        int pairs = Math.min(paddock.size(), zookeeper.size());
        if (pairs == 0) {
            return;
        }
        List<Double> ratios = new ArrayList<>();
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < pairs; i++) {
            double ratio = paddock.get(i) / zookeeper.get(i);
            ratios.add(ratio);
            each.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratio));
        }
        System.out.printf(Locale.ROOT, "ensemble fixed-rate p99, Paddock/ZooKeeper per repeat: %s; median %.2f%n", each,
            Stats.median(ratios));
    }

    private void failoverRounds(Map<ServerKind, Ensemble> ensembles) throws InterruptedException {
        byte[] value = Values.of(options.valueBytes());
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < Ensemble.MEMBERS; i++) {
            paths.add(WriteBenchmark.nodePath(i % options.writeNodes())); // its own node when there are 3
        }
        for (int round = 1; round <= options.failoverRounds(); round++) {
            for (Ensemble ensemble : nextOrder(ensembles)) {
                try {
                    failoverRound(ensemble, round, paths, value);
                } catch (IOException | BenchException e) {
                    fail(ensemble.kind(), "ensemble failover round " + round, e, ensemble.anyMember());
                }
            }
        }
    }

    /**
     * One writer per member; kill -9 of the leader once all write; wait for a write the new leader
     * committed; then start the killed member again and wait for one leader and two followers.
     */
    private void failoverRound(Ensemble ensemble, int round, List<String> paths, byte[] value)
            throws IOException, InterruptedException {
        ServerKind kind = ensemble.kind();
        int leader = ensemble.awaitOneLeader(LEADER_TIMEOUT_MS).leader();
        List<ZooKeeper> sessions = Sessions.openPreferring(ensemble.clientPorts(), Ensemble.MEMBERS,
            CONNECT_TIMEOUT_MS);
        FailoverWriters writers = new FailoverWriters(sessions, paths, value);
        long killedAt;
        try {
            writers.start();
            awaitCondition(writers::allAcknowledged, FIRST_ACK_TIMEOUT_MS, "a write acknowledged on every member");
            AsyncPump.sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FAILOVER_WARMUP_MS));
            long epochAtKill = writers.epochSeen();
            killedAt = ensemble.kill(leader);
            awaitCondition(() -> writers.epochSeen() > epochAtKill, NEW_LEADER_WRITE_TIMEOUT_MS,
                "a write acknowledged with an epoch after " + epochAtKill);
        } finally {
            writers.stop(WRITERS_STOP_TIMEOUT_MS);
            Sessions.closeAll(sessions);
        }
        FailoverWriters.Gap gap = writers.gap(killedAt);
        long restartedAt = System.nanoTime();
        ensemble.restart(leader, options.jvmOpts());
        Ensemble.Established again = ensemble.awaitOneLeader(LEADER_TIMEOUT_MS);
        System.out.printf(Locale.ROOT, "%-9s failover round %d: kill -9 of leader server %d; last ack %.1f ms before, "
            + "first ack after %.1f ms (any epoch), first ack of epoch %d (was %d) %.1f ms after (per session, servers 1-3: %s ms): "
            + "failover %.1f ms; %d failed calls%s; server %d restarted, 3 members again after %,.0f ms (server %d leads)%n",
            kind.label(), round, leader + 1, -gap.lastBeforeMs(), gap.firstAfterAnyMs(), gap.epochAfter(),
            gap.epochBefore(), gap.firstNewEpochMs(), gap.perSessionNewEpochMs(), gap.failoverMs(), gap.errors(),
            gap.firstError() == null ? "" : " (first: " + gap.firstError() + ")", leader + 1,
            (again.atNanos() - restartedAt) / 1e6, again.leader() + 1);
        results.add(FAILOVER, kind, gap.failoverMs());
        results.add(KILL_TO_WRITE, kind, gap.firstNewEpochMs());
    }

    /** Polls {@code condition} every ms; fails after {@code timeoutMs}. */
    private static void awaitCondition(java.util.function.BooleanSupplier condition, long timeoutMs, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new BenchException("no " + what + " within " + timeoutMs + " ms");
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }

    private static void checkAllAlive(Ensemble ensemble) {
        for (int i = 0; i < Ensemble.MEMBERS; i++) {
            ServerProcess member = ensemble.member(i);
            if (member != null) {
                member.checkAlive();
            }
        }
    }

    private void fail(ServerKind kind, String what, Exception e, ServerProcess blame) {
        if (!failedKinds.contains(kind)) {
            failedKinds.add(kind);
        }
        failer.fail(kind, what, e, blame);
    }
}
