package io.paddock.server.storage;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptLogException;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.zookeeper.ZooKeeperFiles;
import io.paddock.core.storage.zookeeper.ZooKeeperLogFile;
import io.paddock.core.storage.zookeeper.ZooKeeperSnapshotFile;
import io.paddock.server.quorum.EpochFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over the data of the Apache ZooKeeper server this one replaces: when Paddock starts on a
 * dataDir (and dataLogDir) that hold none of its own data files but ZooKeeper's {@code version-2}
 * folders hold ZooKeeper's, it reads them once and writes them as its own, before {@link Recovery}
 * runs. So a server is migrated in place: stop ZooKeeper, start Paddock with the same zoo.cfg.
 *
 * <ul>
 *   <li>The newest ZooKeeper snapshot that reads back whole (an older one when it is damaged, up
 *       to {@link #SNAPSHOTS_TRIED_MAX}, as ZooKeeper tries them) becomes a Paddock snapshot at
 *       the same zxid. A snappy-compressed one is not read (gzip is).</li>
 *   <li>Every logged transaction after it becomes a record of a Paddock log file, one file per
 *       ZooKeeper log file, in the same order: {@link Recovery} then replays them as ZooKeeper
 *       would have (over a snapshot that may hold some of them already), and an ensemble member
 *       keeps them as history that a leader may still truncate.</li>
 *   <li>ZooKeeper's {@code acceptedEpoch} and {@code currentEpoch} (an ensemble member's) are
 *       copied to dataDir, where Paddock keeps them.</li>
 * </ul>
 * ZooKeeper's files are only read, never changed: a server can go back to ZooKeeper with them,
 * losing what Paddock wrote since (an ensemble member then catches up from its leader).
 *
 * <p>Crash safety: the import first writes {@link #MARKER} in dataDir and removes it last. A start
 * that finds the marker deletes the Paddock data files of the unfinished import (a start that
 * found Paddock files never imports, so there are no others) and imports again. Damage in
 * ZooKeeper's files refuses the start with a message naming the file and offset, as {@link
 * Recovery} does for our own.
 */
public final class ZooKeeperImport {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperImport.class);
    /** In dataDir while an import is under way. */
    public static final String MARKER = "zookeeper-import.unfinished";
    /** ZooKeeper's own bound on the snapshots it tries at start-up ({@code FileSnap.deserialize}). */
    static final int SNAPSHOTS_TRIED_MAX = 100;
    private static final String TMP_SUFFIX = ".import";

    /** What was imported. */
    public record Result(Path snapshot, long snapshotZxid, int logFiles, long transactions, long lastZxid) {}

    private ZooKeeperImport() {}

    /**
     * Imports ZooKeeper's data when there is some and this server has none of its own (see the
     * class comment); returns null when there was nothing to do.
     *
     * @param budgetBytes what the snapshot may cost in memory
     * @param stringBytesMax the longest path, data or ACL id taken (jute.maxbuffer)
     */
    public static Result importIfPresent(Path dataDir, Path dataLogDir, long budgetBytes, int stringBytesMax)
            throws IOException, StartupException {
        Path zkSnapDir = dataDir.resolve(ZooKeeperFiles.VERSION_DIR);
        Path zkLogDir = dataLogDir.resolve(ZooKeeperFiles.VERSION_DIR);
        List<Numbered> zkSnaps = snapshots(zkSnapDir);
        List<DataFiles.Numbered> zkLogs = logs(zkLogDir);
        if (zkSnaps.isEmpty() && zkLogs.isEmpty()) {
            return null;
        }
        Path marker = dataDir.resolve(MARKER);
        if (Files.exists(marker)) {
            LOG.warn("an import of ZooKeeper's data into {} did not finish ({} is there): deleting what it wrote and"
                    + " importing again", dataDir, marker);
            deleteOwnDataFiles(dataDir, dataLogDir);
        } else if (hasOwnData(dataDir) || hasOwnData(dataLogDir)) {
            LOG.info("ZooKeeper's files in {} are not read: this server has data of its own in {}", zkSnapDir,
                    dataDir.equals(dataLogDir) ? dataDir : dataDir + " and " + dataLogDir);
            return null;
        }
        long started = System.nanoTime();
        Files.createDirectories(dataDir);
        Files.createDirectories(dataLogDir);
        writeDurably(marker, ("An import of ZooKeeper's data from " + zkSnapDir + " and " + zkLogDir
                + " is under way, or was cut short. If this file is here when Paddock starts, it deletes the"
                + " snapshot and log files that import wrote and imports again.\n").getBytes(StandardCharsets.UTF_8));
        SnapshotData snapshot = newestReadable(zkSnaps, zkSnapDir, budgetBytes, stringBytesMax);
        long snapZxid = snapshot == null ? 0 : snapshot.header().lastZxid();
        Path written = null;
        if (snapshot != null) {
            written = Snapshots.write(dataDir, snapshot.asSource());
        }
        int files = 0;
        long txns = 0;
        long last = snapZxid;
        for (DataFiles.Numbered log : Recovery.needed(zkLogs, snapZxid)) {
            Converted c = convert(log.path(), snapZxid, dataLogDir);
            if (c.records > 0) {
                files++;
                txns += c.records;
                last = Math.max(last, c.lastZxid);
            }
        }
        FileTxnLog.syncDirectory(dataLogDir);
        carryEpochs(zkSnapDir, dataDir);
        Files.delete(marker);
        FileTxnLog.syncDirectory(dataDir);
        LOG.info("imported ZooKeeper's data in {} ms: {} (zxid 0x{}), then {} transactions from {} log files in {}, up to"
                + " zxid 0x{}; ZooKeeper's files were left as they were", (System.nanoTime() - started) / 1_000_000,
                snapshot == null ? "no snapshot" : "snapshot " + snapshot.fileName(), Long.toHexString(snapZxid), txns,
                files, zkLogDir, Long.toHexString(last));
        return new Result(written, snapZxid, files, txns, last);
    }

    /** A file with the zxid and compression its name gives. */
    private record Numbered(Path path, ZooKeeperFiles.Name name) {}

    private static List<Numbered> snapshots(Path dir) throws IOException {
        List<Numbered> out = new ArrayList<>();
        for (Path p : regularFiles(dir)) {
            ZooKeeperFiles.Name name = ZooKeeperFiles.snapshotName(p.getFileName().toString());
            if (name != null) {
                out.add(new Numbered(p, name));
            }
        }
        out.sort(Comparator.comparingLong((Numbered n) -> n.name().zxid()));
        return out;
    }

    private static List<DataFiles.Numbered> logs(Path dir) throws IOException {
        List<DataFiles.Numbered> out = new ArrayList<>();
        for (Path p : regularFiles(dir)) {
            long zxid = ZooKeeperFiles.logZxid(p.getFileName().toString());
            if (zxid >= 0) {
                out.add(new DataFiles.Numbered(p, zxid));
            }
        }
        out.sort(Comparator.comparingLong(DataFiles.Numbered::zxid));
        return out;
    }

    private static List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static boolean hasOwnData(Path dir) throws IOException {
        return !DataFiles.list(dir, DataFiles.SNAPSHOT_PREFIX).isEmpty() || !DataFiles.list(dir, DataFiles.LOG_PREFIX).isEmpty();
    }

    private static void deleteOwnDataFiles(Path dataDir, Path dataLogDir) throws IOException {
        for (Path dir : dataDir.equals(dataLogDir) ? List.of(dataDir) : List.of(dataDir, dataLogDir)) {
            for (String prefix : List.of(DataFiles.SNAPSHOT_PREFIX, DataFiles.LOG_PREFIX)) {
                for (DataFiles.Numbered f : DataFiles.list(dir, prefix)) {
                    Files.delete(f.path());
                }
            }
            FileTxnLog.syncDirectory(dir);
        }
    }

    /**
     * The newest snapshot that reads back whole, trying older ones as ZooKeeper does; null when
     * there is none at all (a log from the first zxid on is then the whole history).
     */
    private static SnapshotData newestReadable(List<Numbered> snaps, Path dir, long budgetBytes, int stringBytesMax)
            throws IOException, StartupException {
        if (snaps.isEmpty()) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        for (int i = snaps.size() - 1; i >= 0 && snaps.size() - i <= SNAPSHOTS_TRIED_MAX; i--) {
            Numbered snap = snaps.get(i);
            Path file = snap.path();
            if (snap.name().compression() == ZooKeeperFiles.Compression.SNAPPY) {
                String problem = file + " is compressed with snappy, which Paddock does not read";
                LOG.warn("{}; trying an older snapshot", problem);
                problems.add(problem);
                continue;
            }
            long started = System.nanoTime();
            try (InputStream raw = Files.newInputStream(file);
                 InputStream stream = snap.name().compression() == ZooKeeperFiles.Compression.GZIP
                         ? new GZIPInputStream(raw, 64 * 1024) : raw) {
                SnapshotData data = ZooKeeperSnapshotFile.read(source(stream), file.toString(), snap.name().zxid(),
                        Files.getLastModifiedTime(file).toMillis(), budgetBytes, stringBytesMax);
                String problem = data.installProblem();
                if (problem != null) {
                    // The same check a learner makes of a leader's snapshot: no tree could hold it.
                    throw new CorruptSnapshotException(file.toString(), 0, "it cannot be installed: " + problem);
                }
                LOG.info("read ZooKeeper snapshot {}: {} nodes, {} sessions in {} ms", file, data.nodes().size(),
                        data.sessions().size(), (System.nanoTime() - started) / 1_000_000);
                return data;
            } catch (CorruptSnapshotException e) {
                LOG.warn("ZooKeeper snapshot {} cannot be read ({}); trying an older one", file, e.getMessage());
                problems.add(e.getMessage());
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } catch (IOException e) {
                if (snap.name().compression() != ZooKeeperFiles.Compression.GZIP) {
                    throw e;
                }
                LOG.warn("ZooKeeper snapshot {} cannot be read ({}); trying an older one", file, e.getMessage());
                problems.add(file + ": " + e.getMessage()); // not gzip, or cut off: GZIPInputStream's own errors
            }
        }
        throw new StartupException("none of ZooKeeper's snapshots in " + dir + " can be read, so its data cannot be"
                + " taken over; refusing to start (" + String.join("; ", problems) + ")");
    }

    /** Reads an InputStream as a ByteSource; IOException comes out as UncheckedIOException. */
    private static ByteSource source(InputStream in) {
        return (dst, offset, length) -> {
            try {
                int n = in.read(dst, offset, length);
                while (n == 0) {
                    n = in.read(dst, offset, length);
                }
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private record Converted(int records, long lastZxid) {}

    /**
     * Writes the transactions of one ZooKeeper log file after {@code afterZxid} into a Paddock log
     * file (named by the first of them) in {@code toDir}, durably; none written when there are none.
     */
    private static Converted convert(Path zkLog, long afterZxid, Path toDir) throws IOException, StartupException {
        try (FileByteSource in = new FileByteSource(zkLog); LogWriter out = new LogWriter(toDir, afterZxid)) {
            ZooKeeperLogFile.Summary summary = ZooKeeperLogFile.read(in, zkLog.toString(), out);
            if (summary.end() == ZooKeeperLogFile.End.TORN) {
                LOG.warn("ZooKeeper log {} ends with a torn write at offset {} ({}): its data ends there, as ZooKeeper"
                        + " reads it", zkLog, summary.endOffset(), summary.tornReason());
            }
            if (summary.ignoredAfterEnd()) {
                LOG.warn("ZooKeeper log {} has non-zero bytes after the end of its data at offset {}; ignored, as"
                        + " ZooKeeper ignores them", zkLog, summary.endOffset());
            }
            out.finish();
            return new Converted(out.records, out.records == 0 ? afterZxid : summary.lastZxid());
        } catch (CorruptLogException e) {
            throw new StartupException("ZooKeeper's " + e.getMessage() + "; refusing to start rather than take over"
                    + " its data without it");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** One Paddock log file written from the transactions handed to it; opened at the first one. */
    private static final class LogWriter implements Consumer<TxnEnvelope>, AutoCloseable {
        private final Path dir;
        private final long afterZxid;
        private FileChannel channel;
        private Path tmp;
        private long firstZxid;
        int records;

        LogWriter(Path dir, long afterZxid) {
            this.dir = dir;
            this.afterZxid = afterZxid;
        }

        @Override
        public void accept(TxnEnvelope txn) {
            if (txn.zxid() <= afterZxid) {
                return; // the snapshot holds it
            }
            try {
                if (channel == null) {
                    firstZxid = txn.zxid();
                    tmp = dir.resolve(DataFiles.LOG_PREFIX + Long.toHexString(firstZxid) + TMP_SUFFIX);
                    channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE);
                    writeFully(channel, LogFormat.header(firstZxid));
                }
                writeFully(channel, LogFormat.record(txn));
                records++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Makes the file durable under its real name (the caller syncs the directory). */
        void finish() throws IOException {
            if (channel == null) {
                return;
            }
            channel.force(true);
            channel.close();
            channel = null;
            Files.move(tmp, dir.resolve(DataFiles.LOG_PREFIX + Long.toHexString(firstZxid)),
                    StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Carries ZooKeeper's epoch files (an ensemble member's) over into dataDir, where Paddock keeps
     * them; an epoch file already there keeps the larger value (an epoch once accepted is never
     * taken back).
     */
    private static void carryEpochs(Path zkDir, Path dataDir) throws IOException, StartupException {
        if (!Files.exists(zkDir.resolve(EpochFiles.ACCEPTED)) && !Files.exists(zkDir.resolve(EpochFiles.CURRENT))) {
            return;
        }
        EpochFiles.Epochs theirs = new EpochFiles(zkDir).read(0);
        EpochFiles own = new EpochFiles(dataDir);
        EpochFiles.Epochs mine = own.read(0);
        own.write(Math.max(theirs.acceptedEpoch(), mine.acceptedEpoch()),
                Math.max(theirs.currentEpoch(), mine.currentEpoch()));
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(ch, bytes);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileTxnLog.syncDirectory(file.getParent());
    }
}
