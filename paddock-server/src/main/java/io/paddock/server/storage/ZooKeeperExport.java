package io.paddock.server.storage;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.SessionTable;
import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotDecoder;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.TreeSnapshot;
import io.paddock.core.storage.zookeeper.ZooKeeperFiles;
import io.paddock.core.tree.DataTree;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import io.paddock.core.wire.quorum.ZooKeeperSnapReader;
import io.paddock.core.wire.quorum.ZooKeeperSnapWriter;
import io.paddock.server.quorum.EpochFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import java.util.zip.CheckedOutputStream;

/**
 * The way back: writes a stopped Paddock server's data as Apache ZooKeeper's files, in the {@code
 * version-2} folders under dataDir and dataLogDir, so a ZooKeeper 3.9 server started on the same
 * zoo.cfg serves it ({@code paddock export-zookeeper}). The inverse of {@link ZooKeeperImport}:
 * our newest snapshot that reads back whole becomes ZooKeeper's snapshot at the same zxid (in its
 * file format: header, the items a leader streams after SNAP, the Adler32 seal), every logged
 * transaction after it a record of a ZooKeeper log file (one per log file of ours), and an
 * ensemble member's epoch files are copied. Nothing of ours is changed.
 *
 * <p>Everything is read, checked (the history after the snapshot has no gap, and reaches the newest
 * snapshot's zxid) and encoded first, then written into {@code version-2.paddock-export} folders
 * (which ZooKeeper does not read) and synced; only then is whatever {@code version-2} held moved
 * aside, to {@code version-2.before-export-<time>} (never deleted), and the staged folders put in
 * its place. ZooKeeper's log files start at or before the snapshot (ZooKeeper skips what the
 * snapshot holds, and its truncation to the snapshot's zxid needs that record), and there is
 * always one. Sessions keep their ids and timeouts; a standalone Paddock server's session
 * passwords are its own (ZooKeeper derives every password from the id), so ZooKeeper refuses
 * those sessions' clients, which start new sessions; an ensemble member's passwords are
 * ZooKeeper's already. The server must be stopped: its files are read as they are. {@link
 * ZooKeeperImport#DONE} then lists the files written, so a start of ours that follows finds them
 * unchanged, and one after ZooKeeper ran on them refuses (a standalone server would serve older data).
 */
public final class ZooKeeperExport {
    /** What was written. */
    public record Result(Path snapshot, long snapshotZxid, int logFiles, long transactions, long lastZxid,
                         List<Path> movedAside, int largestRecordBytes) {}

    private static final int PIECE_BYTES = 256 * 1024;
    /** Where the files are written first: a folder ZooKeeper does not read (it reads only version-2). */
    static final String STAGING_DIR = ZooKeeperFiles.VERSION_DIR + ".paddock-export";

    private ZooKeeperExport() {}

    /**
     * @param ensembleMember whether the server is an ensemble member: its history may move to a
     *     later epoch's first zxid, as in {@link Recovery}
     */
    public static Result export(Path dataDir, Path dataLogDir, boolean ensembleMember)
            throws IOException, StartupException {
        try (DataDirLock lock = DataDirLock.acquire(dataDir, "export-zookeeper (stop the server first)")) {
            return exportLocked(dataDir, dataLogDir, ensembleMember);
        }
    }

    private static Result exportLocked(Path dataDir, Path dataLogDir, boolean ensembleMember)
            throws IOException, StartupException {
        ZooKeeperPidFile.refuseIfZooKeeperRuns(dataDir, "export-zookeeper replaces its files");
        if (Files.exists(dataDir.resolve(ZooKeeperImport.MARKER))) {
            throw new StartupException(dataDir.resolve(ZooKeeperImport.MARKER) + " says an import of ZooKeeper's data"
                    + " did not finish: start the server once (it finishes the import) before exporting");
        }
        List<DataFiles.Numbered> snaps = DataFiles.list(dataDir, DataFiles.SNAPSHOT_PREFIX);
        List<DataFiles.Numbered> ourLogs = DataFiles.list(dataLogDir, DataFiles.LOG_PREFIX);
        if (snaps.isEmpty() && ourLogs.isEmpty()) {
            throw new StartupException("no data files of this server in " + dataDir
                    + (dataDir.equals(dataLogDir) ? "" : " or " + dataLogDir) + ": nothing to export (is this the"
                    + " server's zoo.cfg, and its dataDir an absolute path?)");
        }
        Ours ours = newestReadable(dataDir, snaps);
        byte[] snapshot = ours.bytes();
        long snapZxid;
        try {
            snapZxid = SnapshotDecoder.readHeader(ByteSource.of(snapshot), "snapshot").lastZxid();
        } catch (CorruptSnapshotException e) {
            throw new IllegalStateException("a snapshot that decoded whole has no header", e);
        }
        long newestSnapshot = snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1).zxid();

        // Everything is read and encoded before anything of ZooKeeper's is touched.
        List<List<TxnEnvelope>> histories = new ArrayList<>();
        long last = snapZxid;
        // Up to what an import brought, a standalone server's log may move to a later epoch (Recovery).
        long importedUpTo = ZooKeeperImport.tolerantReplayUpTo(dataDir);
        // From the file that holds the snapshot's own zxid on (our log rolls at each snapshot, so
        // that record ends the file before): ZooKeeper's truncation to the snapshot's zxid keeps
        // the first record at or after it, which must be that one.
        for (DataFiles.Numbered log : Recovery.needed(ourLogs, Math.max(0, snapZxid - 1))) {
            ScanResult scan = LogScanner.scan(Files.readAllBytes(log.path()), log.path().toString());
            if (scan.tail() == ScanResult.Tail.CORRUPT) {
                throw new StartupException("transaction log " + log.path() + " is damaged at offset "
                        + scan.validEndOffset() + ": " + scan.reason() + "; nothing was exported");
            }
            for (TxnEnvelope txn : scan.txns()) {
                if (txn.zxid() > snapZxid) {
                    if (!Recovery.follows(txn.zxid(), last, ensembleMember || txn.zxid() <= importedUpTo)) {
                        throw new StartupException("the log is missing zxids 0x" + Long.toHexString(last + 1) + " to 0x"
                                + Long.toHexString(txn.zxid() - 1) + " (next found in " + log.path()
                                + "); nothing was exported");
                    }
                    last = txn.zxid();
                }
            }
            // The records up to the snapshot go too: ZooKeeper's restore skips them, and its
            // truncation to the snapshot's zxid needs that record in the log.
            if (!scan.txns().isEmpty() && scan.lastZxid() >= snapZxid) {
                histories.add(scan.txns());
            }
        }
        if (last < newestSnapshot) {
            throw new StartupException("the newest snapshot " + dataDir.resolve(DataFiles.snapshotName(newestSnapshot))
                    + " cannot be read, and the older one with the log after it reaches only zxid 0x"
                    + Long.toHexString(last) + "; nothing was exported");
        }
        List<byte[]> logFiles = new ArrayList<>();
        int largest = ours.largestData();
        for (List<TxnEnvelope> history : histories) {
            ZooKeeperLog encoded = encodeLog(history);
            logFiles.add(encoded.bytes());
            largest = Math.max(largest, encoded.largestRecord());
        }

        Path zkSnapDir = dataDir.resolve(ZooKeeperFiles.VERSION_DIR);
        Path zkLogDir = dataLogDir.resolve(ZooKeeperFiles.VERSION_DIR);
        boolean oneDir = zkSnapDir.equals(zkLogDir);
        Path snapStaging = fresh(dataDir.resolve(STAGING_DIR));
        Path logStaging = oneDir ? snapStaging : fresh(dataLogDir.resolve(STAGING_DIR));
        String snapName = ZooKeeperFiles.SNAPSHOT_PREFIX + Long.toHexString(snapZxid);
        writeSnapshot(snapshot, snapStaging.resolve(snapName));
        long txns = 0;
        for (int i = 0; i < histories.size(); i++) {
            List<TxnEnvelope> history = histories.get(i);
            writeDurably(logStaging.resolve(ZooKeeperFiles.LOG_PREFIX + Long.toHexString(history.get(0).zxid())),
                    logFiles.get(i));
            for (TxnEnvelope txn : history) {
                txns += txn.zxid() > snapZxid ? 1 : 0;
            }
        }
        if (histories.isEmpty()) {
            // A log beside the only snapshot: should ZooKeeper's own snapshot at its start replace ours
            // and be cut short by a crash, it then refuses to start rather than start empty.
            writeDurably(logStaging.resolve(ZooKeeperFiles.LOG_PREFIX + Long.toHexString(snapZxid + 1)),
                    encodeLog(List.of()).bytes());
        }
        for (String name : List.of(EpochFiles.ACCEPTED, EpochFiles.CURRENT)) {
            Path epoch = dataDir.resolve(name);
            if (Files.isRegularFile(epoch)) {
                writeDurably(snapStaging.resolve(name), Files.readAllBytes(epoch));
            }
        }
        FileTxnLog.syncDirectory(snapStaging);
        FileTxnLog.syncDirectory(logStaging);

        // Then the swap: what was there is moved aside, the staged folders take its place. The order
        // keeps ZooKeeper refusing to start at every step a crash may stop at (logs without a
        // snapshot), but between the two renames of one folder (no sync between them): the
        // snapshot folder out, the log folder out and the staged one in, the staged snapshots in.
        // An export cut short is done again by running it again.
        List<Path> movedAside = new ArrayList<>();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        if (!oneDir) {
            addIfMoved(movedAside, moveAside(zkSnapDir, stamp));
            FileTxnLog.syncDirectory(dataDir);
            addIfMoved(movedAside, moveAside(zkLogDir, stamp));
            Files.move(logStaging, zkLogDir, StandardCopyOption.ATOMIC_MOVE);
            FileTxnLog.syncDirectory(dataLogDir);
        } else {
            addIfMoved(movedAside, moveAside(zkSnapDir, stamp));
        }
        Files.move(snapStaging, zkSnapDir, StandardCopyOption.ATOMIC_MOVE);
        FileTxnLog.syncDirectory(dataDir);
        ZooKeeperImport.recordExported(dataDir, dataLogDir, "exported=0x" + Long.toHexString(last));
        return new Result(zkSnapDir.resolve(snapName), snapZxid, Math.max(1, histories.size()), txns, last, movedAside,
                largest);
    }

    /** An empty folder at {@code dir} (what an earlier export cut short left there is deleted). */
    private static Path fresh(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Our snapshot to export, with the most data a node of it holds. */
    private record Ours(byte[] bytes, int largestData) {}

    /** Our newest snapshot that decodes whole; an empty tree's at zxid 0 when there is none (a log from zxid 1 on). */
    private static Ours newestReadable(Path dataDir, List<DataFiles.Numbered> snaps)
            throws IOException, StartupException {
        if (snaps.isEmpty()) {
            return new Ours(SnapshotFormat.encode(TreeSnapshot.capture(new DataTree(), new SessionTable(2000), 0, 0)), 0);
        }
        List<String> problems = new ArrayList<>();
        for (int i = snaps.size() - 1; i >= 0; i--) {
            byte[] bytes = Files.readAllBytes(snaps.get(i).path());
            try {
                SnapshotData data = SnapshotData.decode(bytes, snaps.get(i).path().toString());
                int largest = 0;
                for (SnapshotNode n : data.nodes()) {
                    largest = Math.max(largest, n.data() == null ? 0 : n.data().length);
                }
                return new Ours(withConfigNode(data, bytes), largest);
            } catch (CorruptSnapshotException e) {
                problems.add(e.getMessage());
            }
        }
        throw new StartupException("no snapshot in " + dataDir + " can be read (" + String.join("; ", problems)
                + "); nothing was exported");
    }

    /**
     * The snapshot with /zookeeper/config, which every ZooKeeper tree holds (clients' getConfig
     * reads it): a snapshot a ZooKeeper leader sent, or one imported, is kept without it, since
     * our tree makes its own when it loads one.
     */
    private static byte[] withConfigNode(SnapshotData data, byte[] bytes) {
        if (data.nodes().stream().anyMatch(n -> n.path().equals(DataTree.CONFIG))) {
            return bytes;
        }
        List<SnapshotNode> nodes = new ArrayList<>(data.nodes());
        nodes.add(new SnapshotNode(DataTree.CONFIG, new byte[0], Acl.READ_ONLY, NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0,
                0, 0, -1, 0));
        nodes.sort((a, b) -> ZooKeeperSnapReader.comparePaths(a.path(), b.path()));
        return SnapshotFormat.encode(new SnapshotData(data.fileName(), data.header(), data.sessions(), nodes).asSource());
    }

    /** Renames {@code dir} to {@code dir.before-export-<stamp>} when it holds anything; returns the new name. */
    private static Path moveAside(Path dir, String stamp) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                return null;
            }
        }
        Path aside = dir.resolveSibling(dir.getFileName() + ".before-export-" + stamp);
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        return aside; // the caller syncs the parent once the staged folder is in its place
    }

    private static void addIfMoved(List<Path> movedAside, Path aside) {
        if (aside != null) {
            movedAside.add(aside);
        }
    }

    /**
     * ZooKeeper's snapshot file of {@code ours}: its header, the stream a leader sends after SNAP
     * without the signature that ends it, then the seal (Adler32 of every byte before it, the
     * string "/"). Written into the staging folder and synced.
     */
    private static void writeSnapshot(byte[] ours, Path file) throws IOException {
        int signature = 4 + ZooKeeperSnapReader.SIGNATURE.length();
        try (OutputStream raw = Files.newOutputStream(file)) {
            CheckedOutputStream out = new CheckedOutputStream(new BufferedOutputStream(raw, PIECE_BYTES), new Adler32());
            JuteWriter header = new JuteWriter(16);
            header.writeInt(ZooKeeperFiles.SNAP_MAGIC).writeInt(ZooKeeperFiles.VERSION).writeLong(-1);
            out.write(header.toByteArray());
            byte[][] held = {null};
            try {
                ZooKeeperSnapWriter.write(ours, file.toString(), PIECE_BYTES, piece -> {
                    try {
                        if (held[0] != null) {
                            out.write(held[0]);
                        }
                        held[0] = piece;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (CorruptSnapshotException e) {
                throw new IOException("our own snapshot did not read back: " + e.getMessage(), e);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            out.write(held[0], 0, held[0].length - signature);
            JuteWriter seal = new JuteWriter(16);
            seal.writeLong(out.getChecksum().getValue()).writeInt(1);
            out.write(seal.toByteArray());
            out.write('/');
            out.flush();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** A ZooKeeper log file's bytes, and its largest record. */
    private record ZooKeeperLog(byte[] bytes, int largestRecord) {}

    /** A ZooKeeper log file of {@code txns}: its header, then each record as FileTxnLog appends it. */
    private static ZooKeeperLog encodeLog(List<TxnEnvelope> txns) throws StartupException {
        JuteWriter out = new JuteWriter(64 * 1024);
        out.writeInt(ZooKeeperFiles.LOG_MAGIC).writeInt(ZooKeeperFiles.VERSION).writeLong(0);
        int largest = 0;
        for (TxnEnvelope txn : txns) {
            byte[] bytes;
            try {
                bytes = ZabTxnCodec.encode(withZooKeepersPassword(txn));
            } catch (IllegalArgumentException e) {
                throw new StartupException("zxid 0x" + Long.toHexString(txn.zxid()) + " cannot be written in"
                        + " ZooKeeper's format: " + e.getMessage() + "; nothing was exported");
            }
            Adler32 crc = new Adler32();
            crc.update(bytes, 0, bytes.length);
            out.writeLong(crc.getValue()).writeInt(bytes.length);
            out.writeRaw(bytes, 0, bytes.length);
            out.writeRaw(new byte[] {0x42}, 0, 1); // 'B', ZooKeeper's end of record
            largest = Math.max(largest, bytes.length);
        }
        return new ZooKeeperLog(out.toByteArray(), largest);
    }

    /** ZooKeeper's createSession carries no password (every server derives it from the id). */
    private static TxnEnvelope withZooKeepersPassword(TxnEnvelope txn) {
        if (txn.txn() instanceof Txn.CreateSession cs) {
            return new TxnEnvelope(txn.zxid(), txn.sessionId(), txn.cxid(), txn.timeMs(),
                    new Txn.CreateSession(cs.sessionId(), cs.timeoutMs(), ZabTxnCodec.zooKeeperPassword(cs.sessionId())));
        }
        return txn;
    }
}
