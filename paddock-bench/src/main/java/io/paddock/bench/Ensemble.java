package io.paddock.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three members of one kind on loopback, each its own child JVM, from the same zoo.cfg lines: the
 * common settings, {@code initLimit=10}, {@code syncLimit=5} and the same three
 * {@code server.N=127.0.0.1:<quorumPort>:<electionPort>} lines, plus each member's own clientPort,
 * dataDir (with myid) and dataLogDir. All nine ports are distinct free loopback ports. Used by the
 * election phase and the ensemble phase. Only members started here are stopped or killed, through
 * their own handles; a killed member's slot is empty until {@link #restart}.
 */
final class Ensemble {
    static final int MEMBERS = 3;
    private static final long POLL_INTERVAL_MS = 5;
    private static final int PROBE_TIMEOUT_MS = 500;

    private final ServerKind kind;
    private final List<ServerHome> homes;
    /** The running member per slot; null where a member was killed or not started. */
    private final List<ServerProcess> members = new ArrayList<>(Collections.nCopies(MEMBERS, null));

    private Ensemble(ServerKind kind, List<ServerHome> homes) {
        this.kind = kind;
        this.homes = homes;
    }

    /** Fresh directories and nine ports under {@code root}; nothing started yet. */
    static Ensemble create(Path root, ServerKind kind, String purpose) throws IOException {
        int[] ports = ServerHome.freeLoopbackPorts(3 * MEMBERS);
        int[] quorumPorts = new int[MEMBERS];
        int[] electionPorts = new int[MEMBERS];
        for (int i = 0; i < MEMBERS; i++) {
            quorumPorts[i] = ports[MEMBERS + i];
            electionPorts[i] = ports[2 * MEMBERS + i];
        }
        String shared = sharedLines(quorumPorts, electionPorts);
        List<ServerHome> homes = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            int clientPort = ports[i];
            homes.add(ServerHome.createMember(root, kind, purpose, clientPort, i + 1,
                home -> shared
                    + "clientPort=" + clientPort + "\n"
                    + "dataDir=" + home.dataDir().toAbsolutePath() + "\n"
                    + "dataLogDir=" + home.dataLogDir().toAbsolutePath() + "\n"));
        }
        return new Ensemble(kind, List.copyOf(homes));
    }

    /** The zoo.cfg lines every member shares: the common settings, the limits and the server list. */
    static String sharedLines(int[] quorumPorts, int[] electionPorts) {
        StringBuilder out = new StringBuilder(ZooCfg.COMMON).append("initLimit=10\nsyncLimit=5\n");
        for (int i = 0; i < quorumPorts.length; i++) {
            out.append("server.").append(i + 1).append("=127.0.0.1:").append(quorumPorts[i]).append(':')
                .append(electionPorts[i]).append('\n');
        }
        return out.toString();
    }

    /** One line for the output: what each member runs with. */
    static String describe() {
        return "each member's zoo.cfg is the common one plus initLimit=10, syncLimit=5 and "
            + "server.1..3=127.0.0.1:<quorumPort>:<electionPort>, its own clientPort, dataDir (with myid) and "
            + "dataLogDir; ZooKeeper runs " + ServerKind.ZOOKEEPER.ensembleMainClass() + ", Paddock "
            + ServerKind.PADDOCK.ensembleMainClass() + " server";
    }

    ServerKind kind() {
        return kind;
    }

    /**
     * Starts the three members back to back; returns {@link System#nanoTime()} taken just before
     * the first start. A member that started before a later one failed stays in its slot, so
     * {@link #close} stops it.
     */
    long startAll(List<String> jvmOpts) throws IOException {
        long startedAtNanos = System.nanoTime();
        for (int i = 0; i < MEMBERS; i++) {
            members.set(i, ServerProcess.start(homes.get(i), jvmOpts, kind.ensembleMainClass()));
        }
        return startedAtNanos;
    }

    /** Starts the member of an empty slot again, on its own directories. */
    void restart(int index, List<String> jvmOpts) throws IOException {
        if (members.get(index) != null) {
            throw new IllegalStateException("member " + (index + 1) + " is still running");
        }
        members.set(index, ServerProcess.start(homes.get(index), jvmOpts, kind.ensembleMainClass()));
    }

    /** SIGKILL of the member in {@code index}; returns the nanoTime taken just before the signal. */
    long kill(int index) throws InterruptedException {
        ServerProcess member = members.get(index);
        members.set(index, null);
        return member.kill();
    }

    /** The running member in slot {@code index}, or null. */
    ServerProcess member(int index) {
        return members.get(index);
    }

    /** Every slot's client port, running or not. */
    List<Integer> clientPorts() {
        List<Integer> ports = new ArrayList<>();
        for (ServerHome home : homes) {
            ports.add(home.clientPort());
        }
        return ports;
    }

    /** A running member to blame in a failure report (the first), or null. */
    ServerProcess anyMember() {
        return members.stream().filter(m -> m != null).findFirst().orElse(null);
    }

    /** See {@link #awaitOneLeader(List, long)}: over the members now running. */
    Established awaitOneLeader(long timeoutMs) throws InterruptedException {
        return awaitOneLeader(members, timeoutMs);
    }

    /**
     * Stops the running members through their handles (via {@code stopper}, which deletes their
     * directories unless kept) and deletes every directory, a killed member's too, unless {@code keep}.
     */
    void close(FixedRatePhase.Stopper stopper, boolean keep) throws InterruptedException {
        for (int i = 0; i < MEMBERS; i++) {
            ServerProcess member = members.get(i);
            members.set(i, null);
            if (member != null) {
                stopper.stopAndDelete(member);
            }
        }
        if (!keep) {
            for (ServerHome home : homes) {
                home.delete();
            }
        }
    }

    /**
     * When the condition was first seen, which member (index) leads, how many probe rounds it
     * took, and when the last member to answer srvr at all (serving or not) first answered.
     */
    record Established(long atNanos, int leader, int probeRounds, long allAnsweringAtNanos) {}

    /**
     * Polls {@code srvr} on every live member (null entries are killed ones) every few ms until
     * each answers with a {@code Mode:} line, exactly one of them is {@code leader} and every other
     * one is {@code follower}; the time is taken right after the probe round that showed it. Fails
     * when a member exits or after {@code timeoutMs}.
     */
    static Established awaitOneLeader(List<ServerProcess> members, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last = "no probe yet";
        int probeRounds = 0;
        long[] firstAnswerNanos = new long[members.size()];
        while (System.nanoTime() < deadline) {
            probeRounds++;
            int live = 0;
            int leaders = 0;
            int followers = 0;
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
                if ("leader".equals(mode)) {
                    leaders++;
                    leader = i;
                } else if ("follower".equals(mode)) {
                    followers++;
                }
            }
            if (live > 0 && leaders == 1 && followers == live - 1) {
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
    static String electionTook(ServerProcess member) {
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
