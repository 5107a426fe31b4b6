package io.paddock.server.storage;

import static io.paddock.server.storage.LogFixture.NEW_REPLICA;
import static io.paddock.server.storage.LogFixture.range;
import static io.paddock.server.storage.LogFixture.writeLog;
import static io.paddock.server.storage.LogFixture.zxid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Replica;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves recovery of an ensemble member: the snapshot is the applied state and the logged
 * transactions after it are its history, replayed but not applied (a leader says what is
 * committed); the log may move to a later epoch's first zxid (ZooKeeper's epoch change), which a
 * standalone server still refuses; any other jump is a gap that refuses to start, naming the file.
 */
class EnsembleRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void theHistoryAfterTheSnapshotIsReplayedButNotApplied() throws Exception {
        Snapshots.write(dir, LogFixture.snapshotOf("n", 5));
        writeLog(dir, range(0, 1, 12), 4096);

        Recovery.Result member = Recovery.recover(dir, dir, NEW_REPLICA, 1000, true);

        Replica replica = member.replica();
        assertEquals(5, replica.lastAppliedZxid(), "applied: the snapshot");
        assertEquals(12, replica.lastZxid(), "logged: the log's end");
        assertEquals(12, member.lastZxid());
        assertEquals(7, replica.outstandingTxns());
        assertNotNull(replica.tree().get("/n-5"));
        assertNull(replica.tree().get("/n-6"), "a replayed transaction is not in the tree");

        Recovery.Result standalone = Recovery.recover(dir, dir, NEW_REPLICA, 1000);
        assertEquals(12, standalone.replica().lastAppliedZxid(), "standalone: everything is applied, as before");
    }

    @Test
    void eachFreshReplicaExpectsTheEnsemble() throws Exception {
        writeLog(dir, range(0, 1, 3), 0);
        List<Replica> made = new ArrayList<>();

        Recovery.Result member = Recovery.recover(dir, dir, () -> {
            Replica r = NEW_REPLICA.get();
            made.add(r);
            return r;
        }, 1000, true);

        assertEquals(0, member.replica().lastAppliedZxid());
        assertEquals(3, member.replica().lastZxid());
        assertTrue(made.contains(member.replica()));
    }

    @Test
    void theLogMayMoveToTheFirstZxidOfALaterEpoch() throws Exception {
        writeLog(dir, range(0, 1, 5), 0);
        List<Long> oneFile = new ArrayList<>(range(1, 1, 3));
        oneFile.addAll(range(3, 1, 2)); // epoch 1 to 3 inside one file
        Path newEpoch = writeLog(dir, oneFile, 0);

        Recovery.Result member = Recovery.recover(dir, dir, NEW_REPLICA, 1000, true);
        assertEquals(zxid(3, 2), member.lastZxid());
        assertEquals(10, member.txnsReplayed());

        StartupException standalone = assertThrows(StartupException.class,
                () -> Recovery.recover(dir, dir, NEW_REPLICA, 1000));
        assertTrue(standalone.getMessage().contains(newEpoch.toString()), standalone.getMessage());
    }

    @Test
    void anyOtherJumpIsAGapThatRefusesToStart() throws Exception {
        writeLog(dir, range(0, 1, 5), 0);
        Path skipsInNewEpoch = writeLog(dir, range(1, 2, 3), 0); // epoch 1 must start at its zxid 1
        StartupException e = assertThrows(StartupException.class,
                () -> Recovery.recover(dir, dir, NEW_REPLICA, 1000, true));
        assertTrue(e.getMessage().contains(skipsInNewEpoch.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("missing zxids"), e.getMessage());

        assertTrue(Recovery.follows(zxid(1, 1), 5, true));
        assertTrue(Recovery.follows(zxid(2, 1), zxid(1, 9), true));
        assertTrue(Recovery.follows(6, 5, false));
        assertFalse(Recovery.follows(zxid(1, 1), 5, false), "standalone: unchanged");
        assertFalse(Recovery.follows(7, 5, true), "a gap inside an epoch");
        assertFalse(Recovery.follows(zxid(1, 1), zxid(1, 3), true), "the same epoch again");
        assertFalse(Recovery.follows(zxid(1, 5), zxid(1, 3), true));
    }

    /**
     * Snapshots there but none readable, and a log that starts at a later epoch's first zxid (the
     * log files before the snapshots purged): what came before may be in the snapshots only, so the
     * member refuses to start, naming the snapshot folder, as ZooKeeper does (ZOOKEEPER-2325). It
     * replayed the log onto an empty tree. With no snapshot at all, the same log is a history that
     * began in that epoch, and recovers.
     */
    @Test
    void aLogFromAnEpochStartWithEverySnapshotDamagedRefusesToStart() throws Exception {
        writeLog(dir, range(3, 1, 5), 0);
        Recovery.Result fresh = Recovery.recover(dir, dir, NEW_REPLICA, 1000, true);
        assertEquals(zxid(3, 5), fresh.lastZxid(), "no snapshot: a history that began in epoch 3");

        Path written = Snapshots.write(dir, LogFixture.snapshotOf("n", 0x32));
        Path damaged = dir.resolve(DataFiles.snapshotName(zxid(2, 0x32)));
        Files.move(written, damaged);
        byte[] bytes = Files.readAllBytes(damaged);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(damaged, bytes);
        StartupException e = assertThrows(StartupException.class,
                () -> Recovery.recover(dir, dir, NEW_REPLICA, 1000, true));
        assertTrue(e.getMessage().contains("no snapshot in " + dir), e.getMessage());
    }
}
