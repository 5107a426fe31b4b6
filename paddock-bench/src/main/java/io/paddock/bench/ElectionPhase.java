package io.paddock.bench;

import io.paddock.bench.Results.Goal;
import io.paddock.bench.Results.Metric;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The election phase: a three-server ensemble on loopback, each member its own child JVM, for
 * each kind in turn (the order alternates every round so a slow spell on the machine hits both).
 * Per round and kind it measures (1) from starting all three servers until {@code srvr} on every
 * one answers with a {@code Mode:} line and exactly one says {@code leader}, then (2) from
 * SIGKILL of that leader until the two others show one leader and one follower. Every round uses
 * fresh directories and ports; the members are stopped through their own handles.
 */
final class ElectionPhase {
    static final int MEMBERS = Ensemble.MEMBERS;
    private static final long LEADER_TIMEOUT_MS = 60_000;

    static final Metric START_TO_LEADER = new Metric(
        "start of " + MEMBERS + " servers to an established leader (JVM start-up included)", "ms", 0,
        Goal.AT_MOST_HALF);
    static final Metric START_TO_ANSWERING = new Metric(
        "start of " + MEMBERS + " servers to all answering srvr (JVM start-up; leader or not)", "ms", 0, Goal.NONE);
    static final Metric KILL_TO_LEADER = new Metric("kill -9 of the leader to a new established leader", "ms", 0,
        Goal.AT_MOST_HALF);

    private final BenchOptions options;
    private final Results results;
    private final Path root;
    private final FixedRatePhase.Failer failer;
    private final FixedRatePhase.Stopper stopper;
    private final List<ServerKind> failedKinds = new ArrayList<>();

    ElectionPhase(BenchOptions options, Results results, Path root, FixedRatePhase.Failer failer,
            FixedRatePhase.Stopper stopper) {
        this.options = options;
        this.results = results;
        this.root = root;
        this.failer = failer;
        this.stopper = stopper;
    }

    static void declareMetrics(Results results) {
        results.declare(START_TO_LEADER);
        results.declare(START_TO_ANSWERING);
        results.declare(KILL_TO_LEADER);
    }

    void run() throws InterruptedException {
        List<ServerKind> kinds = options.servers();
        System.out.println("election: " + options.electionRounds() + " round(s); " + Ensemble.describe());
        for (int round = 1; round <= options.electionRounds(); round++) {
            List<ServerKind> order = new ArrayList<>(kinds);
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (ServerKind kind : order) {
                if (!failedKinds.contains(kind)) {
                    round(kind, round);
                }
            }
        }
    }

    private void round(ServerKind kind, int round) throws InterruptedException {
        Ensemble ensemble;
        try {
            ensemble = Ensemble.create(root, kind, "election-r" + round);
        } catch (IOException e) {
            failedKinds.add(kind);
            failer.fail(kind, "election round " + round + " (writing the zoo.cfg files)", e, null);
            return;
        }
        ServerProcess current = null;
        try {
            long startedAtNanos = ensemble.startAll(options.jvmOpts());
            Ensemble.Established first = ensemble.awaitOneLeader(LEADER_TIMEOUT_MS);
            double startMs = (first.atNanos() - startedAtNanos) / 1e6;
            double answeringMs = (first.allAnsweringAtNanos() - startedAtNanos) / 1e6;

            ServerProcess leader = ensemble.member(first.leader());
            String firstTook = Ensemble.electionTook(leader);
            current = leader;
            long killedAtNanos = ensemble.kill(first.leader());
            current = null;
            Ensemble.Established second = ensemble.awaitOneLeader(LEADER_TIMEOUT_MS);
            double killMs = (second.atNanos() - killedAtNanos) / 1e6;

            System.out.printf(Locale.ROOT, "%-9s election round %d: start to leader %,6.0f ms (all answering srvr "
                + "at %,6.0f ms; server %d leads, %d probe rounds); kill -9 of server %d to new leader %,6.0f ms (server %d leads, %d probe rounds)%n",
                kind.label(), round, startMs, answeringMs, first.leader() + 1, first.probeRounds(), first.leader() + 1, killMs,
                second.leader() + 1, second.probeRounds());
            if (firstTook != null) {
                System.out.printf(Locale.ROOT, "%-9s   server %d's elections (elec): start %s; after the kill, server %d: %s%n",
                    kind.label(), first.leader() + 1, firstTook, second.leader() + 1,
                    Ensemble.electionTook(ensemble.member(second.leader())));
            }
            results.add(START_TO_LEADER, kind, startMs);
            results.add(START_TO_ANSWERING, kind, answeringMs);
            results.add(KILL_TO_LEADER, kind, killMs);
        } catch (IOException | BenchException e) {
            failedKinds.add(kind);
            failer.fail(kind, "election round " + round, e, current != null ? current : ensemble.anyMember());
        } finally {
            ensemble.close(stopper, options.keep());
        }
    }
}
