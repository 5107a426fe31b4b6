package io.paddock.server.storage;

import static io.paddock.server.storage.LogFixture.appendDurably;
import static io.paddock.server.storage.LogFixture.create;
import static io.paddock.server.storage.LogFixture.range;
import static io.paddock.server.storage.LogFixture.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.ScanResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves how the log preallocates: real zeros, kept ahead of the records in small chunks, never a
 * bulk step. The sync of a group waits for the zeros written with it, and on a disk that several
 * servers share (a test or benchmark ensemble on one machine) a bulk step slowed every server's
 * syncs at once: 8 MiB of zeros took 1.8 ms to write and 4.5 ms to sync, and lined up with the
 * slowest writes of a three-server ensemble. So no group writes more than one chunk of zeros
 * beyond the bytes it needs, and the space zeroed ahead still grows to half of preAllocSize
 * (capped at {@link FileTxnLog.PREALLOC_AHEAD_BYTES_MAX}) and stays there.
 */
class FileTxnLogPreallocationTest {
    private static final long CHUNK = 256 * 1024;

    @TempDir
    Path dir;

    @Test
    void zerosGrowAChunkAtATimeAheadOfTheRecords() throws Exception {
        long preAlloc = 64L << 20; // ZooKeeper's default preAllocSize, 64 MiB
        long ahead = Math.min(preAlloc, FileTxnLog.PREALLOC_AHEAD_BYTES_MAX);
        FileTxnLog log = new FileTxnLog(dir, true, preAlloc, LogFixture.recordingFailStop());
        LogFixture.Heard heard = new LogFixture.Heard();
        Path file = dir.resolve(FileTxnLog.fileName(1));
        long dataEnd = LogFormat.HEADER_BYTES;
        long size = 0;
        int groups = 60;
        try {
            for (long zxid = 1; zxid <= groups; zxid++) {
                appendDurably(log, heard, List.of(zxid));
                long record = LogFormat.record(create(zxid)).length;
                dataEnd += record;
                long grown = Files.size(file) - size;
                size = Files.size(file);
                assertTrue(grown <= record + CHUNK + (zxid == 1 ? LogFormat.HEADER_BYTES : 0),
                        "group " + zxid + " grew the file by " + grown + " bytes: more than its record and one chunk");
                assertTrue(size - dataEnd <= ahead, "at most " + ahead + " bytes zeroed ahead, not " + (size - dataEnd));
                if (zxid > ahead / 2 / CHUNK + 1) {
                    assertTrue(size - dataEnd >= ahead / 2 - CHUNK,
                            "group " + zxid + ": only " + (size - dataEnd) + " bytes zeroed ahead of the records");
                }
            }
        } finally {
            log.close();
        }
        ScanResult scanned = scan(file);
        assertEquals(ScanResult.Tail.CLEAN, scanned.tail(), "the zeros ahead read as the end of the log");
        assertEquals(groups, scanned.lastZxid());
    }

    @Test
    void aGroupLargerThanTheSpaceAheadGetsWhatItNeedsAndOneChunkAtMost() throws Exception {
        long preAlloc = 64 * 1024; // preAllocSize=64 (KB)
        FileTxnLog log = new FileTxnLog(dir, true, preAlloc, LogFixture.recordingFailStop());
        LogFixture.Heard heard = new LogFixture.Heard();
        Path file = dir.resolve(FileTxnLog.fileName(1));
        List<Long> zxids = range(0, 1, 5_000);
        long dataEnd = LogFormat.HEADER_BYTES;
        for (long zxid : zxids) {
            dataEnd += LogFormat.record(create(zxid)).length;
        }
        assertTrue(dataEnd > 4 * preAlloc, "the group is larger than the space kept ahead");
        try {
            appendDurably(log, heard, zxids);
            long size = Files.size(file);
            assertTrue(size >= dataEnd + preAlloc / 2, "zeros ahead of the group's records: " + (size - dataEnd));
            assertTrue(size <= dataEnd + preAlloc, "no more than preAllocSize ahead: " + (size - dataEnd));
        } finally {
            log.close();
        }
        assertEquals(5_000, scan(file).lastZxid());
    }
}
