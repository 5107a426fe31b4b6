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
 * <p>Whatever {@code version-2} held before is moved aside, to {@code version-2.before-export-<time>},
 * never deleted. Sessions keep their ids and timeouts; a standalone Paddock server's session
 * passwords are its own (ZooKeeper derives every password from the id), so ZooKeeper refuses
 * those sessions' clients, which start new sessions; an ensemble member's passwords are
 * ZooKeeper's already. The server must be stopped: its files are read as they are. {@link
 * ZooKeeperImport#DONE} then lists the files written, so a start of ours that follows finds them
 * unchanged, and one after ZooKeeper ran on them refuses (a standalone server would serve older data).
 */
public final class ZooKeeperExport {
    /** What was written. */
    public record Result(Path snapshot, long snapshotZxid, int logFiles, long transactions, long lastZxid,
                         List<Path> movedAside) {}

    private static final int PIECE_BYTES = 256 * 1024;

    private ZooKeeperExport() {}

    public static Result export(Path dataDir, Path dataLogDir) throws IOException, StartupException {
        byte[] snapshot = newestReadable(dataDir);
        long snapZxid;
        try {
            snapZxid = SnapshotDecoder.readHeader(ByteSource.of(snapshot), "snapshot").lastZxid();
        } catch (CorruptSnapshotException e) {
            throw new IllegalStateException("a snapshot that decoded whole has no header", e);
        }
        List<DataFiles.Numbered> logs = Recovery.needed(DataFiles.list(dataLogDir, DataFiles.LOG_PREFIX), snapZxid);
        List<List<TxnEnvelope>> histories = new ArrayList<>();
        for (DataFiles.Numbered log : logs) {
            ScanResult scan = LogScanner.scan(Files.readAllBytes(log.path()), log.path().toString());
            if (scan.tail() == ScanResult.Tail.CORRUPT) {
                throw new StartupException("transaction log " + log.path() + " is damaged at offset "
                        + scan.validEndOffset() + ": " + scan.reason() + "; nothing was exported");
            }
            List<TxnEnvelope> after = new ArrayList<>();
            for (TxnEnvelope txn : scan.txns()) {
                if (txn.zxid() > snapZxid) {
                    after.add(txn);
                }
            }
            if (!after.isEmpty()) {
                histories.add(after);
            }
        }

        Path zkSnapDir = dataDir.resolve(ZooKeeperFiles.VERSION_DIR);
        Path zkLogDir = dataLogDir.resolve(ZooKeeperFiles.VERSION_DIR);
        List<Path> movedAside = new ArrayList<>();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        for (Path dir : zkSnapDir.equals(zkLogDir) ? List.of(zkSnapDir) : List.of(zkSnapDir, zkLogDir)) {
            Path aside = moveAside(dir, stamp);
            if (aside != null) {
                movedAside.add(aside);
            }
            Files.createDirectories(dir);
        }
        Path snapFile = zkSnapDir.resolve(ZooKeeperFiles.SNAPSHOT_PREFIX + Long.toHexString(snapZxid));
        writeSnapshot(snapshot, snapFile);
        long txns = 0;
        long last = snapZxid;
        for (List<TxnEnvelope> history : histories) {
            writeLog(history, zkLogDir.resolve(ZooKeeperFiles.LOG_PREFIX + Long.toHexString(history.get(0).zxid())));
            txns += history.size();
            last = history.get(history.size() - 1).zxid();
        }
        for (String name : List.of(EpochFiles.ACCEPTED, EpochFiles.CURRENT)) {
            Path ours = dataDir.resolve(name);
            if (Files.isRegularFile(ours)) {
                Files.copy(ours, zkSnapDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                FileTxnLog.syncDirectory(zkSnapDir);
            }
        }
        FileTxnLog.syncDirectory(zkSnapDir);
        FileTxnLog.syncDirectory(zkLogDir);
        ZooKeeperImport.recordExported(dataDir, dataLogDir, "exported=0x" + Long.toHexString(last));
        return new Result(snapFile, snapZxid, histories.size(), txns, last, movedAside);
    }

    /** Our newest snapshot that decodes whole; an empty tree's at zxid 0 when there is none at all. */
    private static byte[] newestReadable(Path dataDir) throws IOException, StartupException {
        List<DataFiles.Numbered> snaps = DataFiles.list(dataDir, DataFiles.SNAPSHOT_PREFIX);
        if (snaps.isEmpty()) {
            return SnapshotFormat.encode(TreeSnapshot.capture(new DataTree(), new SessionTable(2000), 0, 0));
        }
        List<String> problems = new ArrayList<>();
        for (int i = snaps.size() - 1; i >= 0; i--) {
            byte[] bytes = Files.readAllBytes(snaps.get(i).path());
            try {
                return withConfigNode(SnapshotData.decode(bytes, snaps.get(i).path().toString()), bytes);
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
        nodes.sort((a, b) -> comparePaths(a.path(), b.path()));
        return SnapshotFormat.encode(new SnapshotData(data.fileName(), data.header(), data.sessions(), nodes).asSource());
    }

    /** Our snapshots' order: parents before children, siblings by name ('/' below every other char). */
    private static int comparePaths(String a, String b) {
        int end = Math.min(a.length(), b.length());
        for (int i = 0; i < end; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                return (ca == '/' ? -1 : ca) - (cb == '/' ? -1 : cb);
            }
        }
        return a.length() - b.length();
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
        FileTxnLog.syncDirectory(dir.getParent());
        return aside;
    }

    /**
     * ZooKeeper's snapshot file of {@code ours}: its header, the stream a leader sends after SNAP
     * without the signature that ends it, then the seal (Adler32 of every byte before it, the
     * string "/"). Written to a temporary name, synced, renamed.
     */
    private static void writeSnapshot(byte[] ours, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        int signature = 4 + ZooKeeperSnapReader.SIGNATURE.length();
        try (OutputStream raw = Files.newOutputStream(tmp)) {
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
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A ZooKeeper log file of {@code txns}: its header, then each record as FileTxnLog appends it. */
    private static void writeLog(List<TxnEnvelope> txns, Path file) throws IOException, StartupException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), PIECE_BYTES)) {
            JuteWriter header = new JuteWriter(16);
            header.writeInt(ZooKeeperFiles.LOG_MAGIC).writeInt(ZooKeeperFiles.VERSION).writeLong(0);
            out.write(header.toByteArray());
            for (TxnEnvelope txn : txns) {
                byte[] bytes;
                try {
                    bytes = ZabTxnCodec.encode(withZooKeepersPassword(txn));
                } catch (IllegalArgumentException e) {
                    throw new StartupException("zxid 0x" + Long.toHexString(txn.zxid()) + " cannot be written in"
                            + " ZooKeeper's format: " + e.getMessage() + "; nothing usable was exported");
                }
                Adler32 crc = new Adler32();
                crc.update(bytes, 0, bytes.length);
                JuteWriter head = new JuteWriter(12);
                head.writeLong(crc.getValue()).writeInt(bytes.length);
                out.write(head.toByteArray());
                out.write(bytes);
                out.write(0x42); // 'B', ZooKeeper's end of record
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
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
