package io.paddock.server.storage;

import io.paddock.core.Replica;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a replica from disk at start-up: the newest snapshot that reads back whole (an
 * older one when the newest is damaged), then every logged transaction after it, in zxid order
 * with no gap. A torn tail (an unfinished write from a crash) is cut off with a warning; any
 * other damage, or a gap between the snapshot and the log, refuses to start with a message
 * naming the file and offset: committed data is never skipped silently.
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {}

    /** What recovery found: the last durable zxid and the snapshot it started from. */
    public record Result(long lastZxid, long snapshotZxid, int txnsReplayed, long elapsedMs) {}

    public static Result recover(Path snapDir, Path logDir, Replica replica, long nowMs)
            throws IOException, StartupException {
        long started = System.nanoTime();
        Files.createDirectories(snapDir);
        Files.createDirectories(logDir);
        long damagedZxid = newestSnapshotZxid(snapDir);
        long snapZxid = loadNewestSnapshot(snapDir, replica, nowMs);
        long last = snapZxid;
        int replayed = 0;
        List<DataFiles.Numbered> logs = DataFiles.list(logDir, DataFiles.LOG_PREFIX);
        for (DataFiles.Numbered log : logs) {
            ScanResult scan = scanAndRepair(log.path());
            for (TxnEnvelope txn : scan.txns()) {
                if (txn.zxid() <= snapZxid) {
                    continue;
                }
                if (txn.zxid() != last + 1) {
                    throw new StartupException(txn.zxid() <= last
                            ? log.path() + " repeats zxid 0x" + Long.toHexString(txn.zxid())
                                    + " already read from an earlier log file; refusing to start"
                            : "the transaction log is missing zxids 0x" + Long.toHexString(last + 1)
                                    + " to 0x" + Long.toHexString(txn.zxid() - 1) + " (next found in " + log.path()
                                    + "); the snapshot at 0x" + Long.toHexString(snapZxid)
                                    + " needs them; refusing to start");
                }
                replica.replay(txn);
                last = txn.zxid();
                replayed++;
            }
        }
        if (last < damagedZxid) {
            // A snapshot names a zxid only once everything up to it was applied, so data up to
            // there was committed; recovering less would silently lose it.
            throw new StartupException("snapshot " + snapDir.resolve(DataFiles.snapshotName(damagedZxid))
                    + " cannot be read, and the older snapshots and the log only reach zxid 0x"
                    + Long.toHexString(last) + " of its 0x" + Long.toHexString(damagedZxid) + "; refusing to start");
        }
        replica.recovered(last);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info("recovered to zxid 0x{} from snapshot 0x{} and {} logged transactions in {} ms",
                Long.toHexString(last), Long.toHexString(snapZxid), replayed, elapsedMs);
        return new Result(last, snapZxid, replayed, elapsedMs);
    }

    /** The zxid in the newest snapshot file's name (read or not), 0 when there is none. */
    private static long newestSnapshotZxid(Path snapDir) throws IOException {
        List<DataFiles.Numbered> snaps = DataFiles.list(snapDir, DataFiles.SNAPSHOT_PREFIX);
        return snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1).zxid();
    }

    /** Loads the newest readable snapshot; returns its zxid, or 0 when there is none. */
    private static long loadNewestSnapshot(Path snapDir, Replica replica, long nowMs) throws IOException {
        List<DataFiles.Numbered> snaps = DataFiles.list(snapDir, DataFiles.SNAPSHOT_PREFIX);
        for (int i = snaps.size() - 1; i >= 0; i--) {
            Path file = snaps.get(i).path();
            SnapshotData data;
            try {
                data = SnapshotData.decode(Files.readAllBytes(file), file.toString());
            } catch (CorruptSnapshotException e) {
                LOG.warn("snapshot {} is damaged ({}); trying an older one", file, e.getMessage());
                continue;
            }
            for (SnapshotSession s : data.sessions()) {
                replica.sessions().add(s.id(), s.timeoutMs(), s.passwd(), nowMs);
            }
            for (SnapshotNode n : data.nodes()) {
                replica.tree().restoreNode(n.path(), n.data(), n.acl(), n.kind(), n.ephemeralOwner(), n.ttlMs(),
                        n.czxid(), n.mzxid(), n.ctime(), n.mtime(), n.version(), n.cversion(), n.aversion(), n.pzxid());
            }
            replica.recovered(data.header().lastZxid());
            LOG.info("loaded snapshot {}: {} nodes, {} sessions", file, data.nodes().size(), data.sessions().size());
            return data.header().lastZxid();
        }
        return 0;
    }

    /** Scans one log file; cuts a torn tail off (durably); refuses damage. */
    private static ScanResult scanAndRepair(Path file) throws IOException, StartupException {
        ScanResult scan = LogScanner.scan(Files.readAllBytes(file), file.toString());
        switch (scan.tail()) {
            case CORRUPT -> throw new StartupException("transaction log " + file + " is damaged at offset "
                    + scan.validEndOffset() + ": " + scan.reason()
                    + "; refusing to start rather than skip committed transactions");
            case TORN_TAIL -> {
                LOG.warn("transaction log {} ends with a torn write: cutting {} bytes at offset {} ({})",
                        file, scan.tailBytes(), scan.validEndOffset(), scan.reason());
                if (scan.header() == null) {
                    Files.delete(file);
                } else {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.truncate(scan.validEndOffset());
                        ch.force(true);
                    }
                }
            }
            case CLEAN -> {
                if (scan.header() == null) {
                    Files.delete(file); // created but never written: nothing to keep
                }
            }
        }
        return scan;
    }
}
