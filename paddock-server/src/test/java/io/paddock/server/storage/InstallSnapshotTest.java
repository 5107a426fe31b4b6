package io.paddock.server.storage;

import static io.paddock.server.storage.LogFixture.NEW_REPLICA;
import static io.paddock.server.storage.LogFixture.appendDurably;
import static io.paddock.server.storage.LogFixture.range;
import static io.paddock.server.storage.LogFixture.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves {@link FileTxnLog#installSnapshot} (a learner's SNAP) on real files: the log is cut
 * after the snapshot's zxid and the snapshot is written to dataDir, so a restart recovers the
 * leader's state and then what was logged after it, never this server's own history below it.
 * And the order's point: a crash after the cut but before the snapshot leaves this server's
 * own older state, whole.
 */
class InstallSnapshotTest {
    @TempDir
    Path snapDir;
    @TempDir
    Path logDir;

    private static SnapshotData leaderSnapshotAt(long zxid) throws Exception {
        return SnapshotData.decode(SnapshotFormat.encode(LogFixture.snapshotOf("leader", zxid)), "leader");
    }

    @Test
    void aRestartRecoversTheInstalledSnapshotThenTheLogAfterIt() throws Exception {
        FileTxnLog log = new FileTxnLog(logDir, snapDir, true, 4096, LogFixture.recordingFailStop());
        LogFixture.Heard heard = new LogFixture.Heard();
        try {
            appendDurably(log, heard, range(0, 1, 10));

            log.installSnapshot(leaderSnapshotAt(7).asSource());

            assertTrue(Files.exists(snapDir.resolve("snapshot.7")));
            assertEquals(7, scan(logDir.resolve("log.1")).lastZxid(), "the log is cut after the snapshot's zxid");
            appendDurably(log, heard, range(0, 8, 9));
        } finally {
            log.close();
        }

        Recovery.Result member = Recovery.recover(snapDir, logDir, NEW_REPLICA, 1000, true);
        assertEquals(7, member.snapshotZxid());
        assertEquals(9, member.lastZxid());
        assertEquals(7, member.replica().lastAppliedZxid(), "the history after it waits for a leader");
        assertNotNull(member.replica().tree().get("/leader-7"));
        assertNull(member.replica().tree().get("/n-1"), "this server's own history below the snapshot is not replayed");

        Recovery.Result standalone = Recovery.recover(snapDir, logDir, NEW_REPLICA, 1000);
        assertEquals(9, standalone.replica().lastAppliedZxid());
        assertNotNull(standalone.replica().tree().get("/n-9"));
    }

    /** A snapshot at any zxid: the root and one node named after it. */
    private static SnapshotData snapshotNamedAt(long zxid) {
        return new SnapshotData("leader", new io.paddock.core.storage.SnapshotHeader(SnapshotFormat.VERSION, zxid, 0),
                java.util.List.of(), java.util.List.of(
                        new io.paddock.core.storage.SnapshotNode("/", new byte[0], io.paddock.core.wire.Acl.OPEN,
                                io.paddock.core.tree.NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, zxid),
                        new io.paddock.core.storage.SnapshotNode("/at-" + Long.toHexString(zxid), new byte[0],
                                io.paddock.core.wire.Acl.OPEN, io.paddock.core.tree.NodeKind.PERSISTENT, 0, 0, zxid, zxid,
                                0, 0, 0, 0, 0, zxid)));
    }

    /**
     * A learner that installed a ZooKeeper leader's SNAP labelled with an epoch's start (e:0) may later
     * take a snapshot below it (LearnerRole): the e:0 snapshot and this server's older history past the
     * new point go, and a restart recovers the new snapshot. It is written before the cut, so a write
     * that fails (or a crash) leaves the e:0 snapshot in front (recovery takes the newest), not this
     * server's older files with a tail no leader committed.
     */
    @Test
    void aSnapshotBelowAnEpochStartReplacesItAndACrashBeforeTheCutLeavesTheEpochStart() throws Exception {
        long epochStart = 3L << 32;
        long below = (2L << 32) | 5;
        FileTxnLog log = new FileTxnLog(logDir, snapDir, true, 4096, LogFixture.recordingFailStop());
        try {
            appendDurably(log, new LogFixture.Heard(), range(2, 1, 9)); // 2:6..2:9 a tail no later leader holds
            log.installSnapshot(snapshotNamedAt(epochStart).asSource());
            // The new snapshot's temporary file cannot be made: its write fails.
            Path blocker = Files.createDirectory(snapDir.resolve(DataFiles.snapshotName(below) + ".install.tmp"));
            Path inside = Files.createFile(blocker.resolve("x"));
            assertThrows(java.io.IOException.class, () -> log.installSnapshot(snapshotNamedAt(below).asSource()));
            Files.delete(inside);
            Files.delete(blocker);
        } finally {
            log.close();
        }
        Recovery.Result failed = Recovery.recover(snapDir, logDir, NEW_REPLICA, 1000, true);
        assertEquals(epochStart, failed.snapshotZxid(), "the epoch start is still in front");
        assertNotNull(failed.replica().tree().get("/at-" + Long.toHexString(epochStart)));

        FileTxnLog again = new FileTxnLog(logDir, snapDir, true, 4096, LogFixture.recordingFailStop());
        try {
            again.installSnapshot(snapshotNamedAt(below).asSource());
        } finally {
            again.close();
        }
        assertTrue(Files.notExists(snapDir.resolve(DataFiles.snapshotName(epochStart))), "the e:0 snapshot is gone");
        Recovery.Result recovered = Recovery.recover(snapDir, logDir, NEW_REPLICA, 1000, true);
        assertEquals(below, recovered.snapshotZxid());
        assertEquals(below, recovered.lastZxid(), "nothing logged past the new point is left");
        assertNotNull(recovered.replica().tree().get("/at-" + Long.toHexString(below)));
    }

    /**
     * The same when the crash comes inside the cut, once the new snapshot is written: the log is cut
     * before the e:0 snapshot is deleted, so it is still in front. (It was deleted first: a crash
     * then left the new snapshot in front of the uncut log, and recovery brought back the tail
     * 2:6..2:9 no leader committed, under a current epoch that vouched for the e:0 history.) A
     * byte flipped in the log before the cut point stops the cut (it refuses a damaged file) where
     * a crash would; it is flipped back before recovery.
     */
    @Test
    void aCrashInsideTheCutBelowAnEpochStartLeavesTheEpochStartInFront() throws Exception {
        long epochStart = 3L << 32;
        long below = (2L << 32) | 5;
        FileTxnLog log = new FileTxnLog(logDir, snapDir, true, 4096, LogFixture.recordingFailStop());
        Path file = logDir.resolve(FileTxnLog.fileName((2L << 32) | 1));
        int at = 40; // inside the first record, 2:1
        try {
            appendDurably(log, new LogFixture.Heard(), range(2, 1, 9));
            log.installSnapshot(snapshotNamedAt(epochStart).asSource());
            flip(file, at);
            assertThrows(java.io.IOException.class, () -> log.installSnapshot(snapshotNamedAt(below).asSource()));
        } finally {
            log.close();
        }
        flip(file, at);
        Recovery.Result crashed = Recovery.recover(snapDir, logDir, NEW_REPLICA, 1000, true);
        assertEquals(epochStart, crashed.snapshotZxid(), "the epoch start is still in front");
        assertEquals(epochStart, crashed.lastZxid(), "the tail past the new point came back");
    }

    /**
     * Autopurge and a snapshot's install take the snapshot folder's lock: a purge between the
     * install's two steps would delete the new (oldest) snapshot and the cut the rest. Held by
     * someone else, the lock holds back both, and each goes on once it is free.
     */
    @Test
    void autopurgeAndASnapshotInstallNeverInterleave() throws Exception {
        FileTxnLog log = new FileTxnLog(logDir, snapDir, true, 4096, LogFixture.recordingFailStop());
        try {
            appendDurably(log, new LogFixture.Heard(), range(2, 1, 9));
            java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.concurrent.Future<?> install;
                java.util.concurrent.Future<?> purge;
                synchronized (SnapshotFolderLock.of(snapDir)) {
                    install = other.submit(() -> {
                        log.installSnapshot(snapshotNamedAt((3L << 32)).asSource());
                        return null;
                    });
                    purge = other.submit(() -> Purger.purge(snapDir, logDir, 1));
                    Thread.sleep(200);
                    assertTrue(!install.isDone() && !purge.isDone(), "went on under another holder of the lock");
                }
                install.get(10, java.util.concurrent.TimeUnit.SECONDS);
                purge.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                other.shutdownNow();
            }
        } finally {
            log.close();
        }
        assertTrue(Files.exists(snapDir.resolve(DataFiles.snapshotName(3L << 32))));
    }

    private static void flip(Path file, int at) throws java.io.IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[at] ^= 0x55;
        Files.write(file, bytes);
    }

    @Test
    void aCrashBetweenTheCutAndTheSnapshotLeavesTheOlderStateWhole() throws Exception {
        FileTxnLog log = new FileTxnLog(logDir, snapDir, true, 4096, LogFixture.recordingFailStop());
        try {
            appendDurably(log, new LogFixture.Heard(), range(0, 1, 10));
            log.truncateAfter(7); // installSnapshot's first step; the crash comes before the second
        } finally {
            log.close();
        }

        Recovery.Result recovered = Recovery.recover(snapDir, logDir, NEW_REPLICA, 1000);

        assertEquals(7, recovered.lastZxid());
        assertEquals(0, recovered.snapshotZxid());
        assertNotNull(recovered.replica().tree().get("/n-7"));
        assertNull(recovered.replica().tree().get("/leader-1"));
    }
}
