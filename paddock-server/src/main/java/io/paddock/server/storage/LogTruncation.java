package io.paddock.server.storage;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Drops, durably, every logged transaction after a zxid (an ensemble learner's TRUNC, and the
 * first half of installing its leader's snapshot), on files nobody is writing: the caller has
 * closed the log's open file first.
 *
 * <p>Order, so that a crash at any point leaves a state recovery accepts and that is a prefix of
 * the old history, never a mix of old and new: (1) snapshots newer than the zxid go first (they
 * describe the history being dropped; were one left behind a shorter log, recovery would load
 * it and serve the dropped history); (2) whole log files that start after the zxid, newest
 * first, syncing the directory after each (a crash leaves the old log shortened at its end,
 * never with a hole that an epoch change could make look contiguous); (3) last, the file that
 * holds the zxid is cut right after that record and synced. A file cut so ends at a record
 * boundary, which {@link LogScanner} reads as CLEAN.
 */
final class LogTruncation {
    private LogTruncation() {}

    /**
     * Drops every transaction after {@code zxid} from the logs in {@code logDir} and every
     * snapshot newer than {@code zxid} in {@code snapDir}; returns the number of transactions
     * dropped. Throws, naming the file, when a file cannot be changed or when the file to be cut
     * is damaged before the cut point (cutting there could drop a transaction up to zxid).
     */
    static int truncateAfter(Path logDir, Path snapDir, long zxid) throws IOException {
        return truncateAfter(logDir, snapDir, zxid, false);
    }

    /**
     * As {@link #truncateAfter(Path, Path, long)}; with {@code snapshotsLast} the snapshots newer
     * than zxid go after the log is cut, not before: for a snapshot at zxid written below one held
     * (FileTxnLog.installSnapshot), so that a crash mid-way leaves the held one in front of the
     * uncut log, never the new one in front of a log that goes on past it.
     */
    static int truncateAfter(Path logDir, Path snapDir, long zxid, boolean snapshotsLast) throws IOException {
        if (!snapshotsLast) {
            deleteSnapshotsAfter(snapDir, zxid);
        }
        int dropped = cutLogsAfter(logDir, zxid);
        if (snapshotsLast) {
            deleteSnapshotsAfter(snapDir, zxid);
        }
        return dropped;
    }

    private static int cutLogsAfter(Path logDir, long zxid) throws IOException {
        List<DataFiles.Numbered> logs = DataFiles.list(logDir, DataFiles.LOG_PREFIX);
        int dropped = 0;
        for (int i = logs.size() - 1; i >= 0; i--) {
            DataFiles.Numbered log = logs.get(i);
            try {
                if (log.zxid() > zxid) {
                    dropped += deleteWholeFile(log.path(), logDir);
                } else {
                    return dropped + cutAfter(log.path(), zxid); // the newest file up to zxid: the one that may hold it
                }
            } catch (IOException e) {
                throw named(log.path(), zxid, e);
            }
        }
        return dropped;
    }

    private static IOException named(Path file, long zxid, IOException e) {
        return e.getMessage() != null && e.getMessage().contains(file.toString()) ? e
                : new IOException("cannot truncate " + file + " after zxid 0x" + Long.toHexString(zxid) + ": " + e, e);
    }

    private static void deleteSnapshotsAfter(Path snapDir, long zxid) throws IOException {
        List<DataFiles.Numbered> snaps = DataFiles.list(snapDir, DataFiles.SNAPSHOT_PREFIX);
        for (int i = snaps.size() - 1; i >= 0 && snaps.get(i).zxid() > zxid; i--) {
            Path file = snaps.get(i).path();
            try {
                Files.delete(file);
                FileTxnLog.syncDirectory(snapDir);
            } catch (IOException e) {
                throw named(file, zxid, e);
            }
        }
    }

    private static int deleteWholeFile(Path file, Path logDir) throws IOException {
        int records = LogScanner.scan(Files.readAllBytes(file), file.toString(), txn -> {}).txnCount();
        Files.delete(file);
        FileTxnLog.syncDirectory(logDir);
        return records;
    }

    /** Cuts {@code file} right after its last record with a zxid up to {@code zxid}; returns the records cut. */
    private static int cutAfter(Path file, long zxid) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        KeptRecords kept = new KeptRecords(zxid);
        ScanResult scan = LogScanner.scan(bytes, file.toString(), kept);
        if (scan.tail() != ScanResult.Tail.CLEAN && !kept.sawLater) {
            // The damage may hide transactions up to zxid: cutting here would drop them silently.
            throw new IOException("cannot truncate transaction log " + file + " after zxid 0x" + Long.toHexString(zxid)
                    + ": it is damaged at offset " + scan.validEndOffset() + " (" + scan.reason() + ")");
        }
        if (!kept.sawLater) {
            return 0; // nothing after zxid in this file (the zeros after its data stay: they read as CLEAN)
        }
        long cut = scan.header() == null ? 0 : endOfRecords(bytes, kept.count);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(cut);
            ch.force(true);
        }
        return scan.txnCount() - kept.count;
    }

    /** The offset right after the first {@code records} records (which the scan found valid). */
    private static long endOfRecords(byte[] bytes, int records) {
        long pos = LogFormat.HEADER_BYTES;
        for (int i = 0; i < records; i++) {
            int length = ((bytes[(int) pos] & 0xff) << 24) | ((bytes[(int) pos + 1] & 0xff) << 16)
                    | ((bytes[(int) pos + 2] & 0xff) << 8) | (bytes[(int) pos + 3] & 0xff);
            pos += LogFormat.FRAME_HEADER_BYTES + length;
        }
        return pos;
    }

    /** Counts the leading records up to zxid (records come in increasing zxid order). */
    private static final class KeptRecords implements java.util.function.Consumer<TxnEnvelope> {
        final long zxid;
        int count;
        boolean sawLater;

        KeptRecords(long zxid) {
            this.zxid = zxid;
        }

        @Override
        public void accept(TxnEnvelope txn) {
            if (txn.zxid() <= zxid) {
                count++;
            } else {
                sawLater = true;
            }
        }
    }
}
