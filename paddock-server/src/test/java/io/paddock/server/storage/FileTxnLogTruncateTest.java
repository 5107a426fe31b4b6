package io.paddock.server.storage;

import static io.paddock.server.storage.LogFixture.NEW_REPLICA;
import static io.paddock.server.storage.LogFixture.appendDurably;
import static io.paddock.server.storage.LogFixture.range;
import static io.paddock.server.storage.LogFixture.scan;
import static io.paddock.server.storage.LogFixture.zxid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.ScanResult;
import io.paddock.server.failstop.FailStop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves {@link FileTxnLog#truncateAfter} on real files with real fsync: whole later files are
 * deleted, the file holding the zxid is cut right after its record (and reads back CLEAN), newer
 * snapshots go; a restart right after it (a crash: the log is abandoned, not closed) recovers
 * exactly the kept history, and appends after it recover after the kept history. Transactions
 * appended but not yet flushed before the truncation are written first, kept up to the zxid, and
 * never reported durable by the log (no report for a dropped zxid can follow the truncation).
 * Damage before the cut point refuses the truncation, naming the file.
 */
class FileTxnLogTruncateTest {
    private final FailStop failStop = LogFixture.recordingFailStop();

    @TempDir
    Path dir;

    @Test
    void deletesLaterFilesCutsTheFileHoldingTheZxidAndDropsNewerSnapshots() throws Exception {
        FileTxnLog log = new FileTxnLog(dir, true, 4096, failStop);
        LogFixture.Heard heard = new LogFixture.Heard();
        appendDurably(log, heard, range(0, 1, 10));
        log.roll();
        appendDurably(log, heard, range(0, 11, 20));
        log.roll();
        appendDurably(log, heard, range(0, 21, 30));
        Snapshots.write(dir, LogFixture.snapshotOf("n", 5));
        Snapshots.write(dir, LogFixture.snapshotOf("n", 25));

        log.truncateAfter(15);

        assertEquals(10, scan(dir.resolve("log.1")).lastZxid(), "the file before is untouched");
        ScanResult cut = scan(dir.resolve("log.b"));
        assertEquals(ScanResult.Tail.CLEAN, cut.tail());
        assertEquals(15, cut.lastZxid());
        long recordBytes = 0;
        for (long zxid = 11; zxid <= 15; zxid++) {
            recordBytes += LogFormat.record(LogFixture.create(zxid)).length;
        }
        assertEquals(LogFormat.HEADER_BYTES + recordBytes, Files.size(dir.resolve("log.b")),
                "cut right after zxid 15's record (no preallocated zeros left)");
        assertFalse(Files.exists(dir.resolve("log.15")), "the file starting at 21 is deleted");
        assertTrue(Files.exists(dir.resolve("snapshot.5")));
        assertFalse(Files.exists(dir.resolve("snapshot.19")), "the snapshot at 25 described dropped history");

        // A crash right after the truncation: the log is abandoned, the next start recovers from disk.
        Recovery.Result afterCrash = Recovery.recover(dir, dir, NEW_REPLICA, 1000);
        assertEquals(15, afterCrash.lastZxid());
        assertEquals(5, afterCrash.snapshotZxid());
        assertNotNull(afterCrash.replica().tree().get("/n-f"));
        assertNull(afterCrash.replica().tree().get("/n-10"));

        FileTxnLog reopened = new FileTxnLog(dir, true, 4096, failStop);
        try {
            appendDurably(reopened, new LogFixture.Heard(), range(0, 16, 18));
        } finally {
            reopened.close();
            log.close();
        }
        Recovery.Result recovered = Recovery.recover(dir, dir, NEW_REPLICA, 1000);
        assertEquals(18, recovered.lastZxid());
        assertNotNull(recovered.replica().tree().get("/n-12"));
        assertNull(recovered.replica().tree().get("/n-13"), "zxid 19 was dropped and never written again");
    }

    @Test
    void unflushedAppendsAreWrittenFirstAndNoDroppedZxidIsReportedDurable() throws Exception {
        FileTxnLog log = new FileTxnLog(dir, true, 4096, failStop);
        LogFixture.Heard heard = new LogFixture.Heard();
        try {
            appendDurably(log, heard, range(0, 1, 5));
            for (long zxid = 6; zxid <= 8; zxid++) {
                log.append(LogFixture.create(zxid)); // handed over, not flushed
            }

            log.truncateAfter(6);

            assertEquals(6, scan(dir.resolve("log.1")).lastZxid(), "6 was appended before the truncation: kept");
            List<Long> beforeNewEpoch = List.copyOf(heard.durable);
            appendDurably(log, heard, List.of(zxid(1, 1), zxid(1, 2)));
            assertEquals(List.of(5L), beforeNewEpoch, "the truncation itself reports nothing");
            assertEquals(List.of(5L, zxid(1, 2)), heard.durable, "later reports cover only what came after");
            assertEquals(List.of(), heard.failed);
        } finally {
            log.close();
        }
        Recovery.Result member = Recovery.recover(dir, dir, NEW_REPLICA, 1000, true);
        assertEquals(zxid(1, 2), member.lastZxid(), "an ensemble member's history moves to the new epoch");
        assertFalse(failStop.stopped());
    }

    @Test
    void aFileDamagedBeforeTheCutPointIsNotCut() throws Exception {
        Path file = LogFixture.writeLog(dir, range(0, 1, 10), 0);
        byte[] bytes = Files.readAllBytes(file);
        int second = LogFormat.HEADER_BYTES + LogFormat.record(LogFixture.create(1)).length;
        bytes[second + LogFormat.FRAME_HEADER_BYTES + 3] ^= 1; // inside record 2, records follow
        Files.write(file, bytes);

        IOException e = assertThrows(IOException.class, () -> LogTruncation.truncateAfter(dir, dir, 8));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(bytes.length, Files.size(file), "left as it was");
    }
}
