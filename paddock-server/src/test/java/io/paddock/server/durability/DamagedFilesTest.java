package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.storage.ScanResult;
import io.paddock.server.PaddockServer;
import io.paddock.server.storage.DataFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves how the server treats damaged files at start-up: a torn tail on the newest log (what a
 * crash mid-write leaves) is cut with a warning and every acknowledged write is kept; a changed
 * byte inside the log, before more records, refuses the start with the file and offset named; a
 * damaged newest snapshot falls back to the older one plus the log; a damaged only snapshot
 * whose earlier log was purged refuses the start instead of serving a tree with holes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DamagedFilesTest {
    private static final int SESSION_TIMEOUT_MS = 4_000;
    private static final int NO_SNAPSHOTS = 1_000_000;
    private static final Duration SNAPSHOT_BOUND = Duration.ofSeconds(20);
    private static final int WRITES_FOR_SNAPSHOTS_MAX = 2_000;

    @TempDir
    Path dir;

    private Path dataDir() {
        return dir.resolve("data");
    }

    private Path logDir() {
        return dir.resolve("log");
    }

    private Properties settings(int snapCount) {
        return InProcess.settings(dataDir(), logDir(), snapCount);
    }

    /** Starts a server, runs {@code work} with a client, stops the server (the client after it). */
    private void withServer(Properties settings, ClientWork work) throws Exception {
        PaddockServer server = InProcess.start(settings);
        ZooKeeper zk = null;
        try {
            zk = Zk.connect(server.clientPort(), SESSION_TIMEOUT_MS);
            work.run(zk);
        } finally {
            server.close();
            Zk.closeBounded(zk);
        }
    }

    @FunctionalInterface
    private interface ClientWork {
        void run(ZooKeeper zk) throws Exception;
    }

    @Test
    void tornHeaderFragmentAtTheEndIsCutWithAWarning() throws Exception {
        AckedWrites acked = writeAndStop(30);
        Path log = DiskBytes.newest(DiskBytes.logs(logDir())).path();
        ScanResult before = DiskBytes.scan(log);
        DiskBytes.truncate(log, before.validEndOffset());
        DiskBytes.writeAt(log, before.validEndOffset(), new byte[] {0, 0, 1, 44, 90});
        assertRecoversTornTail(log, acked);
    }

    @Test
    void tornRecordInPreallocatedSpaceIsCutWithAWarning() throws Exception {
        AckedWrites acked = writeAndStop(30);
        Path log = DiskBytes.newest(DiskBytes.logs(logDir())).path();
        int end = DiskBytes.scan(log).validEndOffset();
        // A frame header announcing 1000 bytes and only the start of its payload: the first
        // sector reached the disk, the next ones stayed preallocated zeros.
        ByteBuffer torn = ByteBuffer.allocate(8 + 24).putInt(1000).putInt(0x5eed1e55);
        while (torn.hasRemaining()) {
            torn.put((byte) 'x');
        }
        DiskBytes.writeAt(log, end, torn.array());
        if (Files.size(log) < end + 1008 + 512) {
            DiskBytes.writeAt(log, end + 1008 + 511, new byte[1]); // zeros up to here, as preallocation leaves
        }
        assertRecoversTornTail(log, acked);
    }

    private void assertRecoversTornTail(Path log, AckedWrites acked) throws Exception {
        assertEquals(ScanResult.Tail.TORN_TAIL, DiskBytes.scan(log).tail(), "the damage should read as a torn tail");
        try (StderrCapture err = StderrCapture.start()) {
            withServer(settings(NO_SNAPSHOTS), zk -> {
                acked.assertAllPresent(zk);
                acked.createMany(zk, 10);
            });
            String warnings = err.text();
            assertTrue(warnings.contains("WARN") && warnings.contains(log.toString()) && warnings.contains("torn"),
                    "expected a warning naming " + log + " and the torn write; stderr was:\n" + warnings);
        }
        assertNotEquals(ScanResult.Tail.CORRUPT, DiskBytes.scan(log).tail(), "the cut was not clean");
        withServer(settings(NO_SNAPSHOTS), acked::assertAllPresent);
    }

    @Test
    void flippedByteInAnEarlyLogRecordRefusesToStart() throws Exception {
        writeAndStop(30);
        List<DataFiles.Numbered> logs = DiskBytes.logs(logDir());
        assertEquals(1, logs.size(), "one log file expected: " + logs);
        Path log = logs.get(0).path();
        List<Integer> records = DiskBytes.recordOffsets(log);
        assertTrue(records.size() >= 30, "records: " + records.size());
        int damaged = records.get(5);
        DiskBytes.flipByte(log, damaged + 8 + 3);
        IOException refused = assertThrows(IOException.class, () -> InProcess.start(settings(NO_SNAPSHOTS)).close());
        String message = String.valueOf(refused.getMessage());
        assertTrue(message.contains(log.toString()) && message.contains("offset " + damaged),
                "the refusal should name " + log + " and offset " + damaged + ": " + message);
    }

    @Test
    void damagedNewestSnapshotFallsBackToTheOlderOne() throws Exception {
        AckedWrites acked = new AckedWrites("/snaps");
        withServer(settings(50), zk -> {
            acked.createParent(zk);
            writeUntilSnapshots(zk, acked, 2);
            acked.createMany(zk, 5);
        });
        List<DataFiles.Numbered> snapshots = DiskBytes.snapshots(dataDir());
        assertTrue(snapshots.size() >= 2, "snapshots: " + snapshots);
        Path newest = DiskBytes.newest(snapshots).path();
        DiskBytes.flipByte(newest, Files.size(newest) / 2);
        try (StderrCapture err = StderrCapture.start()) {
            withServer(settings(NO_SNAPSHOTS), acked::assertAllPresent);
            String warnings = err.text();
            assertTrue(warnings.contains(newest.toString()) && warnings.contains("damaged"),
                    "expected a warning naming the damaged snapshot " + newest + "; stderr was:\n" + warnings);
        }
    }

    @Test
    void damagedOnlySnapshotWithPurgedLogRefusesToStart() throws Exception {
        AckedWrites acked = new AckedWrites("/purged");
        withServer(settings(100), zk -> {
            acked.createParent(zk);
            writeUntilSnapshots(zk, acked, 1);
            acked.createMany(zk, 10); // these land in the log started at the snapshot
        });
        DataFiles.Numbered snapshot = onlySnapshot();
        List<Path> purged = purgeLogsBefore(snapshot.zxid());
        assertTrue(purged.contains(logDir().resolve("log.1")), "the purge should have removed log.1: " + purged);
        assertTrue(!DiskBytes.logs(logDir()).isEmpty(), "the log after the snapshot should remain");
        DiskBytes.flipByte(snapshot.path(), Files.size(snapshot.path()) / 2);
        IOException refused = assertThrows(IOException.class, () -> InProcess.start(settings(NO_SNAPSHOTS)).close());
        assertTrue(String.valueOf(refused.getMessage()).contains("refusing to start"),
                "expected a refusal that says why: " + refused.getMessage());
    }

    /**
     * ZooKeeper refuses here ("Not able to find valid snapshots in <dir>") when snapshot files
     * exist but none reads back; starting empty would serve a tree without acknowledged data.
     */
    @Test
    void damagedOnlySnapshotWithNoLogLeftRefusesToStart() throws Exception {
        AckedWrites acked = new AckedWrites("/gone");
        withServer(settings(100), zk -> {
            acked.createParent(zk);
            writeUntilSnapshots(zk, acked, 1); // after 51 to 100 transactions, ZooKeeper's schedule
        });
        DataFiles.Numbered snapshot = onlySnapshot();
        for (DataFiles.Numbered log : DiskBytes.logs(logDir())) {
            Files.delete(log.path()); // no log left: the snapshot is all there is
        }
        DiskBytes.flipByte(snapshot.path(), Files.size(snapshot.path()) / 2);
        IOException refused = assertThrows(IOException.class, () -> InProcess.start(settings(NO_SNAPSHOTS)).close(),
                "the server started although its only snapshot (" + acked.size()
                        + " acknowledged creates) is damaged and no log covers it");
        assertTrue(String.valueOf(refused.getMessage()).contains(snapshot.path().toString()),
                "the refusal should name the damaged snapshot: " + refused.getMessage());
    }

    private AckedWrites writeAndStop(int count) throws Exception {
        AckedWrites acked = new AckedWrites("/torn");
        withServer(settings(NO_SNAPSHOTS), zk -> {
            acked.createParent(zk);
            acked.createMany(zk, count);
        });
        return acked;
    }

    /** Writes one node at a time until {@code count} snapshot files are on disk. */
    private void writeUntilSnapshots(ZooKeeper zk, AckedWrites acked, int count) throws Exception {
        while (DiskBytes.snapshots(dataDir()).size() < count) {
            assertTrue(acked.size() < WRITES_FOR_SNAPSHOTS_MAX,
                    "no " + count + " snapshots after " + acked.size() + " writes");
            acked.createNext(zk, 16);
        }
        Wait.until("snapshot writes finished", SNAPSHOT_BOUND, () -> noTemporaryFiles(dataDir()));
    }

    private static boolean noTemporaryFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
        }
    }

    private DataFiles.Numbered onlySnapshot() throws IOException {
        List<DataFiles.Numbered> snapshots = DiskBytes.snapshots(dataDir());
        assertEquals(1, snapshots.size(), "one snapshot expected: " + snapshots);
        return snapshots.get(0);
    }

    /** ZooKeeper's purge rule: a log file goes when the next one starts at or before snapshot + 1. */
    private List<Path> purgeLogsBefore(long snapshotZxid) throws IOException {
        List<DataFiles.Numbered> logs = DiskBytes.logs(logDir());
        List<Path> purged = new ArrayList<>();
        for (int i = 0; i + 1 < logs.size(); i++) {
            if (logs.get(i + 1).zxid() <= snapshotZxid + 1) {
                Files.delete(logs.get(i).path());
                purged.add(logs.get(i).path());
            }
        }
        return purged;
    }
}
