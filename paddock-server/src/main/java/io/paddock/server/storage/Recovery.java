package io.paddock.server.storage;

import io.paddock.core.Replica;
import io.paddock.core.request.TxnEnvelope;
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
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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
 * scanned on a second thread while the snapshot streams into the tree (see {@link LogFeed}: its
 * records come over in bounded chunks, so decoded transactions never pile up), and the snapshot
 * is read through a fixed buffer and decoded straight into the tree (no intermediate copy).
 *
 * <p>An ensemble member ({@code ensembleMember}) recovers the same files differently: each fresh
 * replica is told {@link Replica#expectEnsemble()} before anything is replayed, so the logged
 * transactions become its history without being applied (which of them are committed, a leader
 * says during sync), and its zxids may move to a new epoch: the next zxid is the last + 1 or the
 * first of a later epoch ({@code (epoch << 32) | 1}), as a new leader's proposals follow the
 * history it synced. Anything else is still a gap.
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {}

    /** What recovery found: the rebuilt replica, the last durable zxid and the snapshot it started from. */
    public record Result(Replica replica, long lastZxid, long snapshotZxid, int txnsReplayed, long elapsedMs) {}

    /** A standalone server's recovery: every logged transaction is applied. */
    public static Result recover(Path snapDir, Path logDir, Supplier<Replica> newReplica, long nowMs)
            throws IOException, StartupException {
        return recover(snapDir, logDir, newReplica, nowMs, false);
    }

    /**
     * @param newReplica makes an empty replica (called again when a snapshot turns out damaged)
     * @param ensembleMember whether the replica is an ensemble member (see the class comment)
     */
    public static Result recover(Path snapDir, Path logDir, Supplier<Replica> newReplica, long nowMs,
                                 boolean ensembleMember) throws IOException, StartupException {
        return recover(snapDir, logDir, newReplica, nowMs, ensembleMember, 0);
    }

    /**
     * As above; up to {@code importedUpTo} (the last zxid taken over from a ZooKeeper server, see
     * {@link ZooKeeperImport}) a standalone server's log may also move to a later epoch's first
     * zxid, as the log of a ZooKeeper server that was once an ensemble member does (ZooKeeper
     * replays it standalone all the same).
     */
    public static Result recover(Path snapDir, Path logDir, Supplier<Replica> newReplica, long nowMs,
                                 boolean ensembleMember, long importedUpTo) throws IOException, StartupException {
        Supplier<Replica> fresh = ensembleMember ? () -> {
            Replica replica = newReplica.get();
            replica.expectEnsemble(); // before anything is loaded or replayed
            return replica;
        } : newReplica;
        long started = System.nanoTime();
        Files.createDirectories(snapDir);
        Files.createDirectories(logDir);
        List<DataFiles.Numbered> snaps = DataFiles.list(snapDir, DataFiles.SNAPSHOT_PREFIX);
        long newestSnapZxid = snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1).zxid();
        List<DataFiles.Numbered> logs = DataFiles.list(logDir, DataFiles.LOG_PREFIX);
        Replay replay;
        try (LogFeed feed = new LogFeed(paths(needed(logs, newestSnapZxid)))) {
            Loaded loaded = loadNewestSnapshot(snaps, fresh, nowMs);
            replay = new Replay(loaded.replica(), loaded.zxid(), ensembleMember, !snaps.isEmpty() && !loaded.found(), snapDir,
                    importedUpTo);
            for (DataFiles.Numbered log : needed(logs, loaded.zxid())) {
                Path file = log.path();
                if (feed.feeds(file)) {
                    feed.take(file, txn -> replay.txn(txn, file));
                } else {
                    // an older snapshot was loaded, so this file was not scanned ahead
                    List<TxnEnvelope> txns = new ArrayList<>();
                    scanAndRepair(file, txns::add);
                    for (TxnEnvelope txn : txns) {
                        replay.txn(txn, file);
                    }
                }
            }
        }
        long last = replay.last;
        if (last < newestSnapZxid) {
            // A snapshot names a zxid only once everything up to it was applied, so data up to
            // there was committed; recovering less would silently lose it.
            throw new StartupException("snapshot " + snapDir.resolve(DataFiles.snapshotName(newestSnapZxid))
                    + " cannot be read, and the older snapshots and the log only reach zxid 0x"
                    + Long.toHexString(last) + " of its 0x" + Long.toHexString(newestSnapZxid) + "; refusing to start");
        }
        Replica replica = replay.replica;
        replica.recovered(last);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info("recovered to zxid 0x{} from snapshot 0x{} and {} logged transactions in {} ms",
                Long.toHexString(last), Long.toHexString(replay.snapZxid), replay.replayed, elapsedMs);
        return new Result(replica, last, replay.snapZxid, replay.replayed, elapsedMs);
    }

    /** Replays logged transactions after the snapshot, in zxid order with no gap. */
    private static final class Replay {
        final Replica replica;
        final long snapZxid;
        final boolean ensembleMember;
        /** Snapshot files are there but none could be read: the replay starts from an empty tree. */
        final boolean noSnapshotRead;
        final Path snapDir;
        long last;
        int replayed;

        /** Up to here a standalone log may move to a later epoch too (see recover). */
        final long importedUpTo;

        Replay(Replica replica, long snapZxid, boolean ensembleMember, boolean noSnapshotRead, Path snapDir,
               long importedUpTo) {
            this.importedUpTo = importedUpTo;
            this.replica = replica;
            this.snapZxid = snapZxid;
            this.ensembleMember = ensembleMember;
            this.noSnapshotRead = noSnapshotRead;
            this.snapDir = snapDir;
            this.last = snapZxid;
        }

        void txn(TxnEnvelope txn, Path file) throws StartupException {
            if (txn.zxid() <= snapZxid) {
                return;
            }
            if (noSnapshotRead && replayed == 0 && txn.zxid() != last + 1) {
                // An ensemble member's log may start at a later epoch's first zxid, as a new history
                // does; but with snapshots there and none readable, the history before it may be in
                // them only (the log files before them purged). Replayed from an empty tree it would
                // be lost without a word. ZooKeeper refuses the same (ZOOKEEPER-2325).
                throw new StartupException("no snapshot in " + snapDir + " can be read, and the log in " + file
                        + " starts at zxid 0x" + Long.toHexString(txn.zxid()) + ": what came before it may be in"
                        + " those snapshots only; refusing to start (if this log holds the whole history, move the"
                        + " damaged snapshots away)");
            }
            if (!follows(txn.zxid(), last, ensembleMember || txn.zxid() <= importedUpTo)) {
                throw new StartupException(txn.zxid() <= last
                        ? file + " repeats zxid 0x" + Long.toHexString(txn.zxid())
                                + " already read from an earlier log file; refusing to start"
                        : "the transaction log is missing zxids 0x" + Long.toHexString(last + 1)
                                + " to 0x" + Long.toHexString(txn.zxid() - 1) + " (next found in " + file
                                + "); the snapshot at 0x" + Long.toHexString(snapZxid)
                                + " needs them" + (ensembleMember ? " (nor is it the first zxid of a later epoch)" : "")
                                + "; refusing to start");
            }
            replica.replay(txn);
            last = txn.zxid();
            replayed++;
        }
    }

    /**
     * Whether {@code zxid} may come right after {@code last} in a log: last + 1, or for an
     * ensemble member also the first zxid of a later epoch (a new leader's first proposal).
     */
    static boolean follows(long zxid, long last, boolean ensembleMember) {
        if (zxid == last + 1) {
            return true;
        }
        return ensembleMember && (zxid & 0xffffffffL) == 1 && (zxid >>> 32) > (last >>> 32);
    }

    private static List<Path> paths(List<DataFiles.Numbered> files) {
        List<Path> out = new ArrayList<>(files.size());
        for (DataFiles.Numbered f : files) {
            out.add(f.path());
        }
        return out;
    }

    /**
     * The log files that may hold transactions after {@code snapZxid}: a file is skipped only
     * when the next one starts at or before snapZxid + 1 (so all of it is older).
     */
    static List<DataFiles.Numbered> needed(List<DataFiles.Numbered> logs, long snapZxid) {
        List<DataFiles.Numbered> out = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            boolean covered = i + 1 < logs.size() && logs.get(i + 1).zxid() <= snapZxid + 1;
            if (!covered) {
                out.add(logs.get(i));
            }
        }
        return out;
    }

    /** {@code found}: a snapshot was read (else the replica is empty, at zxid 0). */
    private record Loaded(Replica replica, long zxid, boolean found) {}

    /** Streams the newest readable snapshot into a fresh replica; a replica with zxid 0 when none reads. */
    private static Loaded loadNewestSnapshot(List<DataFiles.Numbered> snaps, Supplier<Replica> newReplica,
                                             long nowMs) throws IOException {
        for (int i = snaps.size() - 1; i >= 0; i--) {
            Path file = snaps.get(i).path();
            Replica replica = newReplica.get();
            long started = System.nanoTime();
            try (FileByteSource in = new FileByteSource(file)) {
                SnapshotSummary summary = SnapshotDecoder.decode(in, file.toString(), new TreeSink(replica, nowMs));
                long zxid = summary.header().lastZxid();
                replica.restoredSnapshot(zxid);
                LOG.info("loaded snapshot {}: {} nodes, {} sessions in {} ms", file, summary.nodeCount(),
                        summary.sessionCount(), (System.nanoTime() - started) / 1_000_000);
                return new Loaded(replica, zxid, true);
            } catch (CorruptSnapshotException e) {
                LOG.warn("snapshot {} is damaged ({}); trying an older one", file, e.getMessage());
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return new Loaded(newReplica.get(), 0, false);
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

    /**
     * Scans one log file, handing each valid record to {@code onRecord} as it is read; cuts a
     * torn tail off (durably); refuses damage (after handing out the records before it).
     */
    static ScanResult scanAndRepair(Path file, Consumer<TxnEnvelope> onRecord) throws IOException, StartupException {
        ScanResult scan = LogScanner.scan(Files.readAllBytes(file), file.toString(), onRecord);
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
