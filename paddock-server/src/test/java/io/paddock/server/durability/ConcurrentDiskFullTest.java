package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.PaddockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a full disk under concurrent, pipelined writers keeps the log exact: a write
 * refused with SYSTEMERROR never shows up later (before or after a restart), every acknowledged
 * write survives, and the log the failures left behind still reads back (the server restarts).
 * Several writers keep requests queued on the loop while the log fails, so a refusal and new
 * requests meet in one loop batch. Needs root to mount a tmpfs; skipped otherwise.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConcurrentDiskFullTest {
    private static final int SESSION_TIMEOUT_MS = 4_000;
    private static final int CLIENTS = 4;
    private static final int WINDOW = 50;
    private static final int DATA_BYTES = 200;
    private static final int FILLER_BYTES = 1_400_000;
    private static final int REFUSALS_WANTED = 3_000;
    private static final int SENDS_MAX = 100_000;
    private static final int WRITES_AFTER_FREEING = 50;

    @TempDir
    Path dir;

    @Test
    void refusedWritesNeverAppearAndAcknowledgedOnesSurvive() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mountOrSkip(dir.resolve("tmpfs"), "2m")) {
            Path filler = tmpfs.path().resolve("filler");
            byte[] noise = new byte[FILLER_BYTES];
            new Random(11).nextBytes(noise);
            Files.write(filler, noise);
            Properties settings = InProcess.settings(tmpfs.path().resolve("data"), tmpfs.path().resolve("log"),
                    1_000_000);
            settings.setProperty("preAllocSize", "64");
            List<PipelinedWriter> writers = new ArrayList<>();
            runServer(settings, zks -> {
                for (int i = 0; i < CLIENTS; i++) {
                    String parent = "/race" + i;
                    zks.get(i).create(parent, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    writers.add(new PipelinedWriter(zks.get(i), parent, WINDOW, DATA_BYTES));
                }
                stormUntilRefused(writers);
                checkAgainstServer(zks.get(0), writers, "with the disk full");
                Files.delete(filler);
                for (int i = 0; i < WRITES_AFTER_FREEING; i++) {
                    for (PipelinedWriter w : writers) {
                        w.sendOne();
                    }
                }
                for (PipelinedWriter w : writers) {
                    w.drain();
                }
                checkAgainstServer(zks.get(0), writers, "after freeing space");
            });
            runServer(settings, zks -> checkAgainstServer(zks.get(0), writers, "after a restart"));
        }
    }

    private static void stormUntilRefused(List<PipelinedWriter> writers) throws InterruptedException {
        int refusals = 0;
        for (int sends = 0; refusals < REFUSALS_WANTED && !anyUnexpected(writers); sends += writers.size()) {
            assertTrue(sends < SENDS_MAX, "the disk never filled: " + sends + " creates");
            for (PipelinedWriter w : writers) {
                w.sendOne();
            }
            refusals = writers.stream().mapToInt(w -> w.refused.size()).sum();
        }
        for (PipelinedWriter w : writers) {
            w.drain();
        }
        for (PipelinedWriter w : writers) {
            Map<KeeperException.Code, Long> codes = w.unexpected.values().stream()
                    .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
            assertTrue(codes.isEmpty(), "answers other than OK and SYSTEMERROR (did the server stop serving? "
                    + "see its log): " + codes);
        }
        System.out.printf("ConcurrentDiskFullTest: %d acknowledged, %d refused%n",
                writers.stream().mapToInt(w -> w.acknowledged.size()).sum(),
                writers.stream().mapToInt(w -> w.refused.size()).sum());
    }

    private static boolean anyUnexpected(List<PipelinedWriter> writers) {
        return writers.stream().anyMatch(w -> !w.unexpected.isEmpty());
    }

    /** Acknowledged creates are there with their data; refused ones are not; nothing else came back. */
    private static void checkAgainstServer(ZooKeeper zk, List<PipelinedWriter> writers, String when)
            throws Exception {
        List<String> problems = new ArrayList<>();
        for (PipelinedWriter w : writers) {
            w.unexpected.forEach((path, code) -> problems.add(path + ": answered " + code));
            for (Map.Entry<String, byte[]> e : w.acknowledged.entrySet()) {
                if (zk.exists(e.getKey(), false) == null) {
                    problems.add(e.getKey() + ": acknowledged create is missing");
                } else if (!Arrays.equals(e.getValue(), zk.getData(e.getKey(), false, null))) {
                    problems.add(e.getKey() + ": other data than acknowledged");
                }
            }
            for (String path : w.refused) {
                if (zk.exists(path, false) != null) {
                    problems.add(path + ": refused with SYSTEMERROR, yet it exists");
                }
            }
        }
        assertTrue(problems.isEmpty(), when + ": " + problems.size() + " problems:\n  "
                + String.join("\n  ", problems.subList(0, Math.min(30, problems.size()))));
    }

    @FunctionalInterface
    private interface Work {
        void run(List<ZooKeeper> clients) throws Exception;
    }

    private static void runServer(Properties settings, Work work) throws Exception {
        PaddockServer server = InProcess.start(settings);
        List<ZooKeeper> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(Zk.connect(server.clientPort(), SESSION_TIMEOUT_MS));
            }
            work.run(clients);
        } finally {
            server.close();
            for (ZooKeeper zk : clients) {
                Zk.closeBounded(zk);
            }
        }
    }
}
