package io.paddock.server.storage;

import static io.paddock.server.storage.LogFixture.NEW_REPLICA;
import static io.paddock.server.storage.LogFixture.appendDurably;
import static io.paddock.server.storage.LogFixture.range;
import static io.paddock.server.storage.LogFixture.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
