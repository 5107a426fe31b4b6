package io.paddock.server;

import static org.junit.jupiter.api.Assertions.*;

import io.paddock.server.storage.DataFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the operator commands read what the server wrote: {@code paddock log FILE} lists the
 * transactions and {@code paddock snapshot FILE} the znodes, and a restarted server finds the
 * same data (the log and the snapshot are the whole truth).
 */
class StorageCommandsTest {
    @TempDir
    Path dataDir;

    private PaddockServer start() throws Exception {
        return TestServers.start(dataDir, "snapCount", "20");
    }

    private static ZooKeeper connect(PaddockServer server) throws Exception {
        return TestServers.connect(server, null);
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void logAndSnapshotCommandsShowWhatTheServerWrote() throws Exception {
        PaddockServer server = start();
        try (ZooKeeper zk = connect(server)) {
            for (int i = 0; i < 30; i++) {
                zk.create("/node-" + i, ("v" + i).getBytes(StandardCharsets.UTF_8),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (DataFiles.list(dataDir, DataFiles.SNAPSHOT_PREFIX).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        server.close();

        List<DataFiles.Numbered> logs = DataFiles.list(dataDir, DataFiles.LOG_PREFIX);
        assertFalse(logs.isEmpty(), "no log file in " + dataDir);
        String logText = run("log", logs.get(0).path().toString());
        assertTrue(logText.contains("/node-0"), logText);

        List<DataFiles.Numbered> snaps = DataFiles.list(dataDir, DataFiles.SNAPSHOT_PREFIX);
        assertFalse(snaps.isEmpty(), "no snapshot was written");
        String snapText = run("snapshot", snaps.get(0).path().toString());
        assertTrue(snapText.contains("/node-1"), snapText);

        PaddockServer again = start();
        try (ZooKeeper zk = connect(again)) {
            for (int i = 0; i < 30; i++) {
                assertArrayEquals(("v" + i).getBytes(StandardCharsets.UTF_8), zk.getData("/node-" + i, false, null));
            }
        } finally {
            again.close();
        }
    }

    /** The same commands read ZooKeeper's own files (written here by ZooKeeper 3.9.5's FileTxnSnapLog). */
    @Test
    void logAndSnapshotCommandsShowZooKeepersFiles() throws Exception {
        org.apache.zookeeper.server.DataTree tree = new org.apache.zookeeper.server.DataTree();
        org.apache.zookeeper.server.persistence.FileTxnSnapLog files =
                new org.apache.zookeeper.server.persistence.FileTxnSnapLog(dataDir.toFile(), dataDir.toFile());
        for (int i = 1; i <= 3; i++) {
            org.apache.zookeeper.txn.TxnHeader h = new org.apache.zookeeper.txn.TxnHeader(0x55, i, i, 1_700_000_000_000L,
                    ZooDefs.OpCode.create);
            org.apache.zookeeper.txn.CreateTxn txn = new org.apache.zookeeper.txn.CreateTxn("/zk-" + i,
                    ("v" + i).getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, i);
            tree.processTxn(h, txn);
            files.append(new org.apache.zookeeper.server.Request(h, txn, null));
        }
        files.commit();
        tree.lastProcessedZxid = 3;
        java.io.File snap = files.save(tree, new java.util.concurrent.ConcurrentHashMap<>(), false);
        files.close();
        Path log;
        try (java.util.stream.Stream<Path> s = Files.list(dataDir.resolve("version-2"))) {
            log = s.filter(p -> p.getFileName().toString().startsWith("log.")).findFirst().orElseThrow();
        }
        String logText = run("log", log.toString());
        assertTrue(logText.startsWith("ZooKeeper log") && logText.contains("/zk-1") && logText.contains("/zk-3")
                && logText.contains("end: CLEAN"), logText);
        String snapText = run("snapshot", snap.toString());
        assertTrue(snapText.contains("/zk-2") && snapText.contains("last zxid 0x3"), snapText);
    }

    /**
     * A running server holds its data directory: a second server on it, or export-zookeeper of
     * its files while it runs, is refused; once it stopped, the export goes ahead.
     */
    @Test
    void aRunningServersDataDirectoryIsItsOwn() throws Exception {
        Path cfg = dataDir.resolveSibling(dataDir.getFileName() + ".cfg");
        Files.writeString(cfg, "dataDir=" + dataDir + "\nclientPort=0\nclientPortAddress=127.0.0.1\n");
        PaddockServer server = start();
        try {
            try (ZooKeeper zk = connect(server)) {
                zk.create("/kept", new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"export-zookeeper", cfg.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, code);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("stop the server first"), err.toString());
            java.io.IOException second = assertThrows(java.io.IOException.class, () -> start().close());
            assertTrue(second.getMessage().contains("another process uses " + dataDir), second.getMessage());
        } finally {
            server.close();
        }
        String said = run("export-zookeeper", cfg.toString());
        assertTrue(said.contains("wrote ZooKeeper snapshot"), said);
    }
}
