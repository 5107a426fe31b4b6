package io.paddock.server.storage;

import io.paddock.core.Replica;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import io.paddock.core.storage.SnapshotDecoder;
import io.paddock.core.storage.SnapshotHeader;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.storage.SnapshotSink;
import io.paddock.core.storage.SnapshotSummary;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a replica from disk at start-up: the newest snapshot that reads back whole (an
 * older one when the newest is damaged), then every logged transaction after it, in zxid order
 * with no gap. A torn tail (an unfinished write from a crash) is cut off with a warning; any
 * other damage, or a gap between the snapshot and the log, refuses to start with a message
 * naming the file and offset: committed data is never skipped silently.
 *
 * <p>For speed, log files that the newest snapshot covers are not read at all, the others are
 * scanned on a second thread while the snapshot streams into the tree, and the snapshot is
 * decoded straight into the tree (no intermediate copy).
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {}

    /** What recovery found: the rebuilt replica, the last durable zxid and the snapshot it started from. */
    public record Result(Replica replica, long lastZxid, long snapshotZxid, int txnsReplayed, long elapsedMs) {}

    /** @param newReplica makes an empty replica (called again when a snapshot turns out damaged) */
    public static Result recover(Path snapDir, Path logDir, Supplier<Replica> newReplica, long nowMs)
            throws IOException, StartupException {
        long started = System.nanoTime();
        Files.createDirectories(snapDir);
        Files.createDirectories(logDir);
        List<DataFiles.Numbered> snaps = DataFiles.list(snapDir, DataFiles.SNAPSHOT_PREFIX);
        long newestSnapZxid = snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1).zxid();
        List<DataFiles.Numbered> logs = DataFiles.list(logDir, DataFiles.LOG_PREFIX);
        CompletableFuture<Map<Path, ScanResult>> earlyScans =
                CompletableFuture.supplyAsync(() -> scanAll(needed(logs, newestSnapZxid)));

        Loaded loaded = loadNewestSnapshot(snaps, newReplica, nowMs);
        Replica replica = loaded.replica();
        long snapZxid = loaded.zxid();
        Map<Path, ScanResult> scans = join(earlyScans);
        long last = snapZxid;
        int replayed = 0;
        for (DataFiles.Numbered log : needed(logs, snapZxid)) {
            ScanResult scan = scans.containsKey(log.path()) ? scans.get(log.path()) : scanAndRepair(log.path());
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
        if (last < newestSnapZxid) {
            // A snapshot names a zxid only once everything up to it was applied, so data up to
            // there was committed; recovering less would silently lose it.
            throw new StartupException("snapshot " + snapDir.resolve(DataFiles.snapshotName(newestSnapZxid))
                    + " cannot be read, and the older snapshots and the log only reach zxid 0x"
                    + Long.toHexString(last) + " of its 0x" + Long.toHexString(newestSnapZxid) + "; refusing to start");
        }
        replica.recovered(last);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info("recovered to zxid 0x{} from snapshot 0x{} and {} logged transactions in {} ms",
                Long.toHexString(last), Long.toHexString(snapZxid), replayed, elapsedMs);
        return new Result(replica, last, snapZxid, replayed, elapsedMs);
    }

    /**
     * The log files that may hold transactions after {@code snapZxid}: a file is skipped only
     * when the next one starts at or before snapZxid + 1 (so all of it is older).
     */
    private static List<DataFiles.Numbered> needed(List<DataFiles.Numbered> logs, long snapZxid) {
        List<DataFiles.Numbered> out = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            boolean covered = i + 1 < logs.size() && logs.get(i + 1).zxid() <= snapZxid + 1;
            if (!covered) {
                out.add(logs.get(i));
            }
        }
        return out;
    }

    private static Map<Path, ScanResult> scanAll(List<DataFiles.Numbered> logs) {
        Map<Path, ScanResult> out = new HashMap<>();
        for (DataFiles.Numbered log : logs) {
            try {
                out.put(log.path(), scanAndRepair(log.path()));
            } catch (IOException | StartupException e) {
                throw new CompletionException(e);
            }
        }
        return out;
    }

    private static Map<Path, ScanResult> join(CompletableFuture<Map<Path, ScanResult>> scans)
            throws IOException, StartupException {
        try {
            return scans.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StartupException s) {
                throw s;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    private record Loaded(Replica replica, long zxid) {}

    /** Streams the newest readable snapshot into a fresh replica; a replica with zxid 0 when none reads. */
    private static Loaded loadNewestSnapshot(List<DataFiles.Numbered> snaps, Supplier<Replica> newReplica,
                                             long nowMs) throws IOException {
        for (int i = snaps.size() - 1; i >= 0; i--) {
            Path file = snaps.get(i).path();
            Replica replica = newReplica.get();
            try {
                SnapshotSummary summary = SnapshotDecoder.decode(ByteSource.of(Files.readAllBytes(file)),
                        file.toString(), new TreeSink(replica, nowMs));
                long zxid = summary.header().lastZxid();
                replica.recovered(zxid);
                LOG.info("loaded snapshot {}: {} nodes, {} sessions", file, summary.nodeCount(), summary.sessionCount());
                return new Loaded(replica, zxid);
            } catch (CorruptSnapshotException e) {
                LOG.warn("snapshot {} is damaged ({}); trying an older one", file, e.getMessage());
            }
        }
        return new Loaded(newReplica.get(), 0);
    }

    /** Puts a snapshot's sessions and nodes into a replica as they stream in. */
    private record TreeSink(Replica replica, long nowMs) implements SnapshotSink {
        @Override
        public void header(SnapshotHeader header) {
        }

        @Override
        public void session(SnapshotSession s) {
            replica.sessions().add(s.id(), s.timeoutMs(), s.passwd(), nowMs);
        }

        @Override
        public void node(SnapshotNode n) {
            replica.tree().restoreNode(n.path(), n.data(), n.acl(), n.kind(), n.ephemeralOwner(), n.ttlMs(),
                    n.czxid(), n.mzxid(), n.ctime(), n.mtime(), n.version(), n.cversion(), n.aversion(), n.pzxid());
        }
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
