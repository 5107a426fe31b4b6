package io.paddock.server.ensemble;

import io.paddock.server.quorum.PeerPorts;
import io.paddock.server.admin.FourLetterWord;
import io.paddock.server.admin.WordClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An ensemble of Paddock server processes on loopback for tests: each server its own JVM, dataDir,
 * myid and ports, its output in a file. Only processes this object started are ever stopped, each
 * by its own handle (its PID), never by name.
 */
final class LocalEnsemble implements AutoCloseable {
    static final int TICK_TIME_MS = 200;
    static final int INIT_LIMIT = 10;
    static final int SYNC_LIMIT = 5;
    private static final int OUTPUT_TAIL_CHARS = 3000;
    /**
     * With {@code -Dpaddock.ensemble.quorumTls=true} every ensemble these tests make talks TLS
     * between its servers (sslQuorum, a certificate from a test CA naming 127.0.0.1, names checked
     * with fips-mode=false): the long runs of the kill -9 tests over TLS (README).
     */
    static final boolean QUORUM_TLS = Boolean.getBoolean("paddock.ensemble.quorumTls");

    private final Path dir;
    private final int size;
    private final Map<Integer, int[]> ports = new TreeMap<>();
    private final Map<Integer, Process> running = new TreeMap<>();

    LocalEnsemble(Path dir, int size) throws IOException {
        this(dir, size, java.util.Set.of());
    }

    /** {@code observers}: the sids whose server.N line says observer. */
    LocalEnsemble(Path dir, int size, java.util.Set<Integer> observers) throws IOException {
        this(dir, size, observers, false);
    }

    /**
     * {@code clientPortsOnServerLines}: each server's client address on its server.N line
     * ({@code ;127.0.0.1:port}, ZooKeeper 3.5's form) instead of clientPort/clientPortAddress.
     */
    LocalEnsemble(Path dir, int size, java.util.Set<Integer> observers, boolean clientPortsOnServerLines)
            throws IOException {
        this.dir = dir;
        this.size = size;
        for (int sid = 1; sid <= size; sid++) {
            ports.put(sid, new int[] {freePort(), freePort(), freePort()});
        }
        for (int sid = 1; sid <= size; sid++) {
            Path data = dir.resolve("server" + sid);
            Files.createDirectories(data);
            Files.writeString(data.resolve("myid"), sid + "\n");
            StringBuilder cfg = new StringBuilder();
            cfg.append("tickTime=").append(TICK_TIME_MS).append('\n')
                    // 20 ticks (4 s) by default: tests ask 15 s for sessions that ride through kills.
                    .append("maxSessionTimeout=60000\n")
                    .append("initLimit=").append(INIT_LIMIT).append('\n')
                    .append("syncLimit=").append(SYNC_LIMIT).append('\n')
                    .append("dataDir=").append(data).append('\n')
                    .append("4lw.commands.whitelist=*\n");
            if (!clientPortsOnServerLines) {
                cfg.append("clientPort=").append(clientPort(sid)).append('\n').append("clientPortAddress=127.0.0.1\n");
            }
            for (int other = 1; other <= size; other++) {
                int[] p = ports.get(other);
                cfg.append("server.").append(other).append("=127.0.0.1:").append(p[1]).append(':').append(p[2])
                        .append(observers.contains(other) ? ":observer" : "")
                        .append(clientPortsOnServerLines ? ";127.0.0.1:" + p[0] : "").append('\n');
            }
            Files.writeString(data.resolve("zoo.cfg"), cfg.toString());
        }
        if (QUORUM_TLS) {
            configureQuorumTls();
        }
    }

    /** The quorum's key store and trust store, made once per test JVM (keytool takes seconds). */
    private static Path[] quorumStores;

    private static synchronized Path[] quorumStores() throws IOException {
        if (quorumStores == null) {
            Path certs = Files.createTempDirectory("paddock-quorum-certs");
            try {
                io.paddock.server.TestCertificates made = io.paddock.server.TestCertificates.make(certs);
                Path keys = made.issue(certs.resolve("quorum.p12"), "CN=quorum-member", "SAN=IP:127.0.0.1");
                quorumStores = new Path[] {keys, made.caTrust()};
            } catch (Exception e) {
                throw new IOException("cannot make the quorum's certificates: " + e, e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(certs)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // a temporary directory left behind
                }
            }));
        }
        return quorumStores;
    }

    private void configureQuorumTls() throws IOException {
        Path[] stores = quorumStores();
        Path keys = stores[0];
        configureAll("sslQuorum=true");
        configureAll("fips-mode=false");
        configureAll("ssl.quorum.keyStore.location=" + keys);
        configureAll("ssl.quorum.keyStore.password=" + io.paddock.server.TestCertificates.PASSWORD);
        configureAll("ssl.quorum.trustStore.location=" + stores[1]);
        configureAll("ssl.quorum.trustStore.password=" + io.paddock.server.TestCertificates.PASSWORD);
    }

    /** Adds {@code line} (key=value) to every server's zoo.cfg; before the servers start. */
    void configureAll(String line) throws IOException {
        for (int sid = 1; sid <= size; sid++) {
            configure(sid, line);
        }
    }

    /** Adds {@code line} (key=value) to server {@code sid}'s zoo.cfg; before it starts. */
    void configure(int sid, String line) throws IOException {
        Path cfg = dataDir(sid).resolve("zoo.cfg");
        Files.writeString(cfg, Files.readString(cfg) + line + "\n");
    }

    int electionPort(int sid) {
        return ports.get(sid)[2];
    }

    /** What server {@code sid}'s processes wrote so far (all of its starts). */
    String output(int sid) throws IOException {
        Path log = dataDir(sid).resolve("output.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static int freePort() throws IOException {
        return PeerPorts.free();
    }

    int clientPort(int sid) {
        return ports.get(sid)[0];
    }

    Path dataDir(int sid) {
        return dir.resolve("server" + sid);
    }

    void start(int sid) throws IOException {
        start(sid, new String[0]);
    }

    /** As {@link #start(int)}, with {@code jvmFlags} before the class path (a JAAS file, say), as SERVER_JVMFLAGS. */
    void start(int sid, String... jvmFlags) throws IOException {
        if (running.containsKey(sid)) {
            throw new IllegalStateException("server " + sid + " runs already");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // Snapshots, installs and truncations are rare and what tests look for in the output.
                "-Dorg.slf4j.simpleLogger.log.io.paddock.server.storage=info",
                // So are the connections a server closes, with why (a session moved, say).
                "-Dorg.slf4j.simpleLogger.log.io.paddock.server.net.ClientConnections=info"));
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "io.paddock.server.Main", "server", dataDir(sid).resolve("zoo.cfg").toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir(sid).resolve("output.log").toFile()));
        running.put(sid, builder.start());
    }

    /**
     * Starts Apache ZooKeeper 3.9.5's own server (QuorumPeerMain, from the test class path) as member
     * {@code sid}, on the same zoo.cfg, dataDir and ports a Paddock server would use: a mixed
     * ensemble. {@code jvmFlags} go before the class path (e.g. ZooKeeper's system properties).
     */
    void startZooKeeper(int sid, String... jvmFlags) throws IOException {
        if (running.containsKey(sid)) {
            throw new IllegalStateException("server " + sid + " runs already");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dzookeeper.admin.enableServer=false",
                // How a learner was synced (DIFF, TRUNC, SNAP) is what tests look for in the output.
                "-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.quorum.Learner=info"));
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", dataDir(sid).resolve("zoo.cfg").toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir(sid).resolve("output.log").toFile()));
        running.put(sid, builder.start());
    }

    /**
     * One server, standalone, in {@code home}: ZooKeeper's own ({@code zooKeeper}) or Paddock, with
     * {@code lines} added to its zoo.cfg and {@code jvmFlags}; returns once it serves.
     */
    static LocalEnsemble single(Path home, boolean zooKeeper, List<String> lines, String... jvmFlags)
            throws IOException, InterruptedException {
        LocalEnsemble e = new LocalEnsemble(Files.createDirectories(home), 1);
        for (String line : lines) {
            e.configureAll(line);
        }
        if (zooKeeper) {
            e.startZooKeeper(1, jvmFlags);
        } else {
            e.start(1, jvmFlags);
        }
        e.await("the server serves", EnsembleClients.BOUND, () -> e.mode(1).equals("standalone"));
        return e;
    }

    /** kill -9 of the process this object started for {@code sid}. */
    void kill9(int sid) throws InterruptedException {
        Process p = running.remove(sid);
        p.destroyForcibly();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            throw new AssertionError("server " + sid + " (pid " + p.pid() + ") did not die");
        }
    }

    /** Sends {@code signal} (STOP, CONT) to the process this object started for {@code sid}, by its PID. */
    void signal(int sid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid(sid))).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " " + pid(sid) + " failed");
        }
    }

    long pid(int sid) {
        return running.get(sid).pid();
    }

    /** The answer to a four-letter word, or "" when the server does not answer. */
    String word(int sid, String word) {
        try {
            return WordClient.ask("127.0.0.1", clientPort(sid), FourLetterWord.fromWord(word));
        } catch (IOException e) {
            return "";
        }
    }

    /** The {@code Mode:} of srvr, or "" while the server is not serving (LOOKING) or down. */
    String mode(int sid) {
        for (String line : word(sid, "srvr").split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring("Mode: ".length()).trim();
            }
        }
        return "";
    }

    /** Each running server's mode, by sid. */
    Map<Integer, String> modes() {
        Map<Integer, String> m = new TreeMap<>();
        for (int sid : running.keySet()) {
            m.put(sid, mode(sid));
        }
        return m;
    }

    /**
     * Watches {@code condition} for {@code period} (a scenario's own time, such as servers started
     * minutes apart), polling it; fails as soon as it does not hold.
     */
    void holdsThroughout(String what, Duration period, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("stopped holding: " + what + "; modes " + modes() + "\n" + outputs());
            }
            Thread.sleep(100);
        } while (System.nanoTime() < end);
    }

    /** Starts servers 1..n together and waits (bounded) for one leader and n - 1 followers. */
    void startAllAndAwaitOneLeader(int n, Duration bound) throws InterruptedException, IOException {
        for (int sid = 1; sid <= n; sid++) {
            start(sid);
        }
        awaitOneLeader(n, bound);
    }

    /** Waits (bounded) until the n running servers are one leader and n - 1 followers. */
    void awaitOneLeader(int n, Duration bound) throws InterruptedException {
        await("one leader, " + (n - 1) + " followers", bound, () -> {
            Map<Integer, String> m = modes();
            return m.size() == n && m.values().stream().filter("leader"::equals).count() == 1
                    && m.values().stream().filter("follower"::equals).count() == n - 1;
        });
    }

    /** The running server whose srvr says leader (fails if none). */
    int leader() {
        return modes().entrySet().stream().filter(x -> x.getValue().equals("leader")).findFirst().orElseThrow()
                .getKey();
    }

    /** The connect string of one server: a client that talks to that server only. */
    String connectString(int sid) {
        return "127.0.0.1:" + clientPort(sid);
    }

    long currentEpoch(int sid) throws IOException {
        Path f = dataDir(sid).resolve("currentEpoch");
        return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
    }

    /** Waits (bounded, polling) for {@code condition}; fails with what the servers said. */
    void await(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + bound + ": " + what + "; modes " + modes() + "\n" + outputs());
    }

    String outputs() {
        StringBuilder b = new StringBuilder();
        for (int sid = 1; sid <= size; sid++) {
            try {
                String all = Files.readString(dataDir(sid).resolve("output.log"));
                b.append("--- server ").append(sid).append(" ---\n")
                        .append(all.substring(Math.max(0, all.length() - OUTPUT_TAIL_CHARS)));
            } catch (IOException e) {
                b.append("--- server ").append(sid).append(": no output\n");
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        for (int sid : new ArrayList<>(running.keySet())) {
            kill9(sid);
        }
    }
}
