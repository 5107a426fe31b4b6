package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.server.storage.DataFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a write acknowledged to a client survives the server process being killed with
 * SIGKILL at any moment: during group commit, log preallocation, a log roll or a snapshot. A real
 * server JVM is stormed by several official clients (sequential creates, version-checked
 * counter bumps, two-node multis, deletes), killed after a random number of acknowledged writes,
 * restarted on the same directories and checked against everything the clients were told
 * ({@link CrashChecker}); several rounds pile crash upon crash on the same data. The seed is
 * printed; replay with {@code -Dpaddock.crash.seed=<seed>}; rounds with {@code
 * -Dpaddock.crash.rounds=<n>}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
    private static final int CLIENTS = 4;
    private static final int SNAP_COUNT = 500;
    private static final int SESSION_TIMEOUT_MS = 4_000;
    private static final int ACKS_BEFORE_KILL_MIN = 300;
    private static final int ACKS_BEFORE_KILL_SPREAD = 1_200;
    private static final Duration STORM_BOUND = Duration.ofSeconds(60);
    private static final long JOIN_BOUND_MS = 30_000;
    private static final String BASE = "/crash";

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveSigkill() throws Exception {
        int rounds = Integer.getInteger("paddock.crash.rounds", 5);
        long seed = Long.getLong("paddock.crash.seed", System.nanoTime());
        String replay = "seed " + seed + " (replay with -Dpaddock.crash.seed=" + seed + ")";
        System.out.println("CrashRecoveryTest: " + replay + ", " + rounds + " rounds");
        Random random = new Random(seed);
        int port = ServerProcess.freePort();
        Path cfg = writeConfig(port);
        List<ClientModel> models = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            models.add(new ClientModel(BASE, i));
        }
        ServerProcess server = ServerProcess.start(cfg, port, dir.resolve("server-0.out"));
        try {
            setUp(port, models);
            for (int round = 1; round <= rounds; round++) {
                int killAfterAcks = ACKS_BEFORE_KILL_MIN + random.nextInt(ACKS_BEFORE_KILL_SPREAD);
                storm(server, port, models, round, random.nextLong(), killAfterAcks, replay);
                long starting = System.nanoTime();
                server = ServerProcess.start(cfg, port, dir.resolve("server-" + round + ".out"));
                System.out.printf("round %d: restarted in %d ms%n", round, (System.nanoTime() - starting) / 1_000_000);
                verify(server, port, models, replay + ", round " + round);
            }
        } finally {
            server.close();
        }
        int snapshots = DataFiles.list(dir.resolve("data"), DataFiles.SNAPSHOT_PREFIX).size();
        int logs = DataFiles.list(dir.resolve("log"), DataFiles.LOG_PREFIX).size();
        System.out.println("CrashRecoveryTest: " + snapshots + " snapshots, " + logs + " log files at the end");
        assertTrue(rounds < 2 || (snapshots >= 1 && logs >= 2),
                "the storm should have taken snapshots and rolled the log: " + snapshots + " snapshots, " + logs + " logs");
    }

    private Path writeConfig(int port) throws Exception {
        Properties p = new Properties();
        p.setProperty("tickTime", "200");
        p.setProperty("dataDir", dir.resolve("data").toString());
        p.setProperty("dataLogDir", dir.resolve("log").toString());
        p.setProperty("clientPort", String.valueOf(port));
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("snapCount", String.valueOf(SNAP_COUNT));
        p.setProperty("forceSync", "yes");
        p.setProperty("preAllocSize", "64");
        Path cfg = dir.resolve("zoo.cfg");
        ServerProcess.writeConfig(cfg, p);
        return cfg;
    }

    private static void setUp(int port, List<ClientModel> models) throws Exception {
        ZooKeeper zk = Zk.connect(port, SESSION_TIMEOUT_MS);
        try {
            zk.create(BASE, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (ClientModel m : models) {
                for (String parent : m.parents()) {
                    zk.create(parent, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                }
                zk.create(m.counter, StormClient.bytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.create(m.multiCounter, StormClient.bytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
        } finally {
            Zk.closeBounded(zk);
        }
    }

    /** Runs the storm until {@code killAfterAcks} writes were acknowledged, then SIGKILLs the server. */
    private static void storm(ServerProcess server, int port, List<ClientModel> models, int round, long seed,
                              int killAfterAcks, String replay) throws Exception {
        long started = System.nanoTime();
        AtomicInteger acks = new AtomicInteger();
        List<ZooKeeper> clients = new ArrayList<>();
        List<StormClient> storms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (ClientModel m : models) {
                ZooKeeper zk = Zk.connect(port, SESSION_TIMEOUT_MS);
                clients.add(zk);
                StormClient storm = new StormClient(zk, m, seed + m.index, acks, round);
                storms.add(storm);
                Thread t = new Thread(storm, "storm-c" + m.index);
                t.setDaemon(true);
                threads.add(t);
            }
            threads.forEach(Thread::start);
            Wait.until(() -> replay + ", round " + round + ": " + killAfterAcks + " acknowledged writes (have "
                    + acks.get() + ")\n" + server.outputTail(), STORM_BOUND,
                    () -> acks.get() >= killAfterAcks || threads.stream().anyMatch(t -> !t.isAlive()));
            server.kill();
            int acked = acks.get();
            storms.forEach(StormClient::stop);
            for (Thread t : threads) {
                t.join(JOIN_BOUND_MS);
                assertTrue(!t.isAlive(), replay + ": " + t.getName() + " did not stop after the kill");
            }
            for (StormClient s : storms) {
                if (s.failure() != null) {
                    throw new AssertionError(replay + ", round " + round + ": a storm client failed\n"
                            + server.outputTail(), s.failure());
                }
            }
            System.out.printf("round %d: killed pid %d after %d acknowledged writes (target %d) in %d ms%n",
                    round, server.pid(), acked, killAfterAcks, (System.nanoTime() - started) / 1_000_000);
        } finally {
            long closing = System.nanoTime();
            closeAll(clients);
            System.out.printf("round %d: clients closed in %d ms%n", round, (System.nanoTime() - closing) / 1_000_000);
        }
    }

    /** Closes clients of a dead server side by side: each close waits out reconnect attempts. */
    private static void closeAll(List<ZooKeeper> clients) throws InterruptedException {
        List<Thread> closers = new ArrayList<>();
        for (ZooKeeper zk : clients) {
            Thread t = new Thread(() -> {
                try {
                    Zk.closeBounded(zk);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "close-" + closers.size());
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            t.join(JOIN_BOUND_MS);
            assertTrue(!t.isAlive(), t.getName() + ": a client close hung");
        }
    }

    private static void verify(ServerProcess server, int port, List<ClientModel> models, String where)
            throws Exception {
        long started = System.nanoTime();
        ZooKeeper zk = Zk.connect(port, SESSION_TIMEOUT_MS);
        CrashChecker checker = new CrashChecker(zk);
        try {
            checker.checkNumChildren("/");
            checker.checkNumChildren(BASE);
            for (ClientModel m : models) {
                checker.check(m);
            }
        } finally {
            Zk.closeBounded(zk);
        }
        List<String> problems = checker.problems();
        if (!problems.isEmpty()) {
            fail(where + ": " + problems.size() + " problems after restart:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(40, problems.size())))
                    + "\n" + server.outputTail());
        }
        int acknowledged = models.stream().mapToInt(m -> m.created.size()).sum();
        System.out.printf("%s: verified %d live acknowledged creates in %d ms%n", where, acknowledged,
                (System.nanoTime() - started) / 1_000_000);
    }
}
