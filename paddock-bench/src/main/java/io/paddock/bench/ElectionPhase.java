package io.paddock.bench;

import io.paddock.bench.Results.Goal;
import io.paddock.bench.Results.Metric;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The election phase: a three-server ensemble on loopback, each member its own child JVM, for
 * each kind in turn (the order alternates every round so a slow spell on the machine hits both).
 * Per round and kind it measures (1) from starting all three servers until {@code srvr} on every
 * one answers with a {@code Mode:} line and exactly one says {@code leader}, then (2) from
 * SIGKILL of that leader until the two others show one leader and one follower. Every round uses
 * fresh directories and ports; the members are stopped through their own handles.
 */
final class ElectionPhase {
    static final int MEMBERS = 3;
    private static final long POLL_INTERVAL_MS = 5;
    private static final int PROBE_TIMEOUT_MS = 500;
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

    /** The zoo.cfg lines every member shares: the common settings, the limits and the server list. */
    static String ensembleLines(int[] quorumPorts, int[] electionPorts) {
        StringBuilder out = new StringBuilder(ZooCfg.COMMON).append("initLimit=10\nsyncLimit=5\n");
        for (int i = 0; i < quorumPorts.length; i++) {
            out.append("server.").append(i + 1).append("=127.0.0.1:").append(quorumPorts[i]).append(':')
                .append(electionPorts[i]).append('\n');
        }
        return out.toString();
    }

    void run() throws InterruptedException {
        List<ServerKind> kinds = options.servers();
        System.out.println("election: " + options.electionRounds() + " round(s); each member's zoo.cfg is the one above plus "
            + "initLimit=10, syncLimit=5 and server.1..3=127.0.0.1:<quorumPort>:<electionPort>, its own clientPort, "
            + "dataDir (with myid) and dataLogDir; ZooKeeper runs " + ServerKind.ZOOKEEPER.ensembleMainClass()
            + ", Paddock " + ServerKind.PADDOCK.ensembleMainClass() + " server");
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
        List<ServerProcess> members = new ArrayList<>();
        List<ServerHome> homes;
        try {
            homes = homes(kind, round);
        } catch (IOException e) {
            failedKinds.add(kind);
            failer.fail(kind, "election round " + round + " (writing the zoo.cfg files)", e, null);
            return;
        }
        ServerProcess current = null;
        try {
            long startedAtNanos = System.nanoTime();
            for (ServerHome home : homes) {
                members.add(ServerProcess.start(home, options.jvmOpts(), kind.ensembleMainClass()));
            }
            Established first = awaitOneLeader(members, LEADER_TIMEOUT_MS);
            double startMs = (first.atNanos() - startedAtNanos) / 1e6;
            double answeringMs = (first.allAnsweringAtNanos() - startedAtNanos) / 1e6;

            ServerProcess leader = members.get(first.leader());
            String firstTook = electionTook(leader);
            current = leader;
            long killedAtNanos = leader.kill();
            members.set(first.leader(), null);
            current = null;
            Established second = awaitOneLeader(members, LEADER_TIMEOUT_MS);
            double killMs = (second.atNanos() - killedAtNanos) / 1e6;

            System.out.printf(Locale.ROOT, "%-9s election round %d: start to leader %,6.0f ms (all answering srvr "
                + "at %,6.0f ms; server %d leads, %d probe rounds); kill -9 of server %d to new leader %,6.0f ms (server %d leads, %d probe rounds)%n",
                kind.label(), round, startMs, answeringMs, first.leader() + 1, first.probeRounds(), first.leader() + 1, killMs,
                second.leader() + 1, second.probeRounds());
            if (firstTook != null) {
                System.out.printf(Locale.ROOT, "%-9s   server %d's elections (elec): start %s; after the kill, server %d: %s%n",
                    kind.label(), first.leader() + 1, firstTook, second.leader() + 1,
                    electionTook(members.get(second.leader())));
            }
            results.add(START_TO_LEADER, kind, startMs);
            results.add(START_TO_ANSWERING, kind, answeringMs);
            results.add(KILL_TO_LEADER, kind, killMs);
        } catch (IOException | BenchException e) {
            failedKinds.add(kind);
            ServerProcess blame = current != null ? current
                : members.stream().filter(m -> m != null).findFirst().orElse(null);
            failer.fail(kind, "election round " + round, e, blame);
        } finally {
            for (ServerProcess member : members) {
                if (member != null) {
                    stopper.stopAndDelete(member);
                }
            }
            if (!options.keep()) {
                for (ServerHome home : homes) {
                    home.delete(); // the killed leader's directory too
                }
            }
        }
    }

    /** Fresh directories, nine distinct loopback ports, the same server list in every member's file. */
    private List<ServerHome> homes(ServerKind kind, int round) throws IOException {
        int[] ports = ServerHome.freeLoopbackPorts(3 * MEMBERS);
        int[] clientPorts = new int[MEMBERS];
        int[] quorumPorts = new int[MEMBERS];
        int[] electionPorts = new int[MEMBERS];
        for (int i = 0; i < MEMBERS; i++) {
            clientPorts[i] = ports[i];
            quorumPorts[i] = ports[MEMBERS + i];
            electionPorts[i] = ports[2 * MEMBERS + i];
        }
        String shared = ensembleLines(quorumPorts, electionPorts);
        List<ServerHome> homes = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            int clientPort = clientPorts[i];
            homes.add(ServerHome.createMember(root, kind, "election-r" + round, clientPort, i + 1,
                home -> shared
                    + "clientPort=" + clientPort + "\n"
                    + "dataDir=" + home.dataDir().toAbsolutePath() + "\n"
                    + "dataLogDir=" + home.dataLogDir().toAbsolutePath() + "\n"));
        }
        return homes;
    }

    /**
     * When the condition was first seen, which member (index) leads, how many probe rounds it
     * took, and when the last member to answer srvr at all (serving or not) first answered.
     */
    record Established(long atNanos, int leader, int probeRounds, long allAnsweringAtNanos) {}

    /**
     * Polls {@code srvr} on every live member (null entries are killed ones) every few ms until
     * each answers with a {@code Mode:} line and exactly one of them is {@code leader}; the time
     * is taken right after the probe round that showed it. Fails when a member exits or after
     * {@code timeoutMs}.
     */
    static Established awaitOneLeader(List<ServerProcess> members, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last = "no probe yet";
        int probeRounds = 0;
        long[] firstAnswerNanos = new long[members.size()];
        while (System.nanoTime() < deadline) {
            probeRounds++;
            int live = 0;
            int withMode = 0;
            int leaders = 0;
            int leader = -1;
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < members.size(); i++) {
                ServerProcess member = members.get(i);
                if (member == null) {
                    continue;
                }
                member.checkAlive();
                live++;
                String reply = srvr(member);
                if (reply != null && firstAnswerNanos[i] == 0) {
                    firstAnswerNanos[i] = System.nanoTime();
                }
                String mode = mode(reply);
                seen.append(" server ").append(i + 1).append(": ").append(mode == null ? "no mode" : mode).append(';');
                if (mode != null) {
                    withMode++;
                    if (mode.equals("leader")) {
                        leaders++;
                        leader = i;
                    }
                }
            }
            if (live > 0 && withMode == live && leaders == 1) {
                long now = System.nanoTime();
                long allAnswering = 0;
                for (long t : firstAnswerNanos) {
                    allAnswering = Math.max(allAnswering, t);
                }
                return new Established(now, leader, probeRounds, allAnswering);
            }
            last = seen.toString();
            Thread.sleep(POLL_INTERVAL_MS);
        }
        throw new BenchException("no single established leader after " + timeoutMs + " ms (last probe:" + last + ")");
    }

    /**
     * For Paddock only (ZooKeeper has no such word): the "took" line of the member's latest
     * election as its {@code elec} word prints it, asked after the measurement; null otherwise.
     */
    private static String electionTook(ServerProcess member) {
        if (member.home().kind() != ServerKind.PADDOCK) {
            return null;
        }
        String took = "no took line";
        try {
            for (String line : FourLetterWord.ask(member.home().clientPort(), "elec", PROBE_TIMEOUT_MS).split("\n")) {
                if (line.trim().startsWith("took")) {
                    took = line.trim().substring("took".length()).trim(); // elections are printed oldest first
                }
            }
        } catch (IOException e) {
            took = "elec failed: " + e;
        }
        return took;
    }

    /** The member's srvr answer, or null when it does not answer (yet). */
    private static String srvr(ServerProcess member) {
        try {
            String reply = FourLetterWord.ask(member.home().clientPort(), "srvr", PROBE_TIMEOUT_MS);
            return reply.isEmpty() ? null : reply;
        } catch (IOException e) {
            return null;
        }
    }

    /** The word after "Mode:" in a srvr answer, or null (no answer, or not serving yet). */
    private static String mode(String reply) {
        if (reply == null) {
            return null;
        }
        for (String line : reply.split("\n")) {
            if (line.startsWith("Mode:")) {
                return line.substring("Mode:".length()).trim();
            }
        }
        return null;
    }
}
