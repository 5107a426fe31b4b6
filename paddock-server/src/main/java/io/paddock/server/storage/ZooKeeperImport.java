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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * <p>Crash safety: the import first writes {@link #MARKER} in dataDir and, once everything is
 * durable, writes {@link #DONE} (what was imported, and ZooKeeper's files as they were) and deletes
 * the marker. A start that finds the marker deletes the Paddock data files of the unfinished import
 * (a start that found Paddock files never imports, so there are no others) and imports again. A
 * start that finds {@link #DONE} never imports again: when our own files are gone, a standalone
 * server refuses to start (it would serve an empty tree beside ZooKeeper's data; delete {@link
 * #DONE} to import again) and an ensemble member starts empty and takes the data from its leader.
 * Damage in ZooKeeper's files refuses the start with a message naming the file and offset, as
 * {@link Recovery} does for our own; so do logs without any snapshot (ZooKeeper refuses them too),
 * and a newer snapshot that cannot be read (damaged, too large for the limits, compressed with
 * snappy) unless the logs after the older one hold its zxid: a snapshot a follower took after a
 * SNAP covers history its logs do not.
 *
 * <p>Replay over the imported snapshot tolerates what it holds already, as ZooKeeper's does; past
 * the last imported zxid ({@link #tolerantReplayUpTo}) a standalone server's recovery is strict
 * again, over our own snapshots. {@link #DONE} also lists ZooKeeper's files as they were: a
 * standalone server whose ZooKeeper files changed since (ZooKeeper ran on this data directory again
 * after Paddock did) refuses to start ({@link #refuseIfZooKeeperFilesChanged}), rather than serve
 * data older than what ZooKeeper acknowledged since.
 */
public final class ZooKeeperImport {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperImport.class);
    /** In dataDir while an import is under way. */
    public static final String MARKER = "zookeeper-import.unfinished";
    /** In dataDir once an import finished: what was imported (the marker, renamed). */
    public static final String DONE = "zookeeper-import.done";
    private static final String DONE_LAST_ZXID = "lastZxid=";
    private static final String DONE_FILE = "zookeeperFile=";
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
     * @param juteMaxBuffer the server's jute.maxbuffer: bounds each path, data and ACL id, and each
     *     log record as ZooKeeper bounds them
     * @param ensembleMember whether this server is an ensemble member (see the class comment)
     */
    public static Result importIfPresent(Path dataDir, Path dataLogDir, long budgetBytes, int juteMaxBuffer,
                                         boolean ensembleMember) throws IOException, StartupException {
        Path zkSnapDir = dataDir.resolve(ZooKeeperFiles.VERSION_DIR);
        Path zkLogDir = dataLogDir.resolve(ZooKeeperFiles.VERSION_DIR);
        List<Numbered> zkSnaps = snapshots(zkSnapDir);
        List<DataFiles.Numbered> zkLogs = logs(zkLogDir);
        Path marker = dataDir.resolve(MARKER);
        if (Files.exists(marker)) {
            LOG.warn("an import of ZooKeeper's data into {} did not finish ({} is there): deleting what it wrote{}",
                    dataDir, marker, zkSnaps.isEmpty() && zkLogs.isEmpty() ? "" : " and importing again");
            deleteOwnDataFiles(dataDir, dataLogDir);
            if (zkSnaps.isEmpty() && zkLogs.isEmpty()) {
                Files.delete(marker);
                FileTxnLog.syncDirectory(dataDir);
                return null;
            }
        } else if (zkSnaps.isEmpty() && zkLogs.isEmpty()) {
            return null;
        } else if (Files.exists(dataDir.resolve(DONE))) {
            if (!ensembleMember && !hasOwnData(dataDir) && !hasOwnData(dataLogDir)) {
                throw new StartupException("this server's data files are gone, but " + dataDir.resolve(DONE) + " says"
                        + " ZooKeeper's files in " + zkSnapDir + " were imported once already; refusing to start with an"
                        + " empty tree beside them. Delete " + DONE + " to import ZooKeeper's files again, or move "
                        + ZooKeeperFiles.VERSION_DIR + " away to start empty");
            }
            LOG.info("ZooKeeper's files in {} are not read: they were imported once already ({})", zkSnapDir,
                    dataDir.resolve(DONE));
            return null;
        } else if (hasOwnData(dataDir) || hasOwnData(dataLogDir)) {
            LOG.info("ZooKeeper's files in {} are not read: this server has data of its own in {}", zkSnapDir,
                    dataDir.equals(dataLogDir) ? dataDir : dataDir + " and " + dataLogDir);
            return null;
        }
        ZooKeeperPidFile.refuseIfZooKeeperRuns(dataDir, "Paddock takes over its data");
        if (zkSnaps.isEmpty()) {
            throw new StartupException("ZooKeeper's logs are in " + zkLogDir + " but there is no snapshot in " + zkSnapDir
                    + ": ZooKeeper refuses this data too (\"No snapshot found, but there are log entries\"); refusing"
                    + " to start");
        }
        long started = System.nanoTime();
        Files.createDirectories(dataDir);
        Files.createDirectories(dataLogDir);
        writeDurably(marker, ("An import of ZooKeeper's data from " + zkSnapDir + " and " + zkLogDir
                + " is under way, or was cut short. If this file is here when Paddock starts, it deletes the"
                + " snapshot and log files that import wrote and imports again.\n").getBytes(StandardCharsets.UTF_8));
        int stringBytesMax = (int) Math.min(ZooKeeperLogFile.recordBytesMax(juteMaxBuffer), budgetBytes);
        Chosen chosen = newestReadable(zkSnaps, zkSnapDir, budgetBytes, stringBytesMax);
        SnapshotData snapshot = chosen.data();
        long snapZxid = snapshot.header().lastZxid();
        Path written = Snapshots.write(dataDir, snapshot.asSource());
        int files = 0;
        long txns = 0;
        long last = snapZxid;
        // A snapshot names a zxid that was applied, so this server logged that transaction, unless
        // the snapshot came from a leader's (SNAP), whose history no log here holds. One named e:0
        // (a new epoch's start) is the state the epoch before ended with: e:1 logged covers it.
        Set<Long> unseen = new HashSet<>();
        for (long skipped : chosen.skipped().keySet()) {
            unseen.add(coveredBy(skipped));
        }
        for (DataFiles.Numbered log : Recovery.needed(zkLogs, snapZxid)) {
            Converted c = convert(log.path(), snapZxid, dataLogDir, ZooKeeperLogFile.recordBytesMax(juteMaxBuffer),
                    unseen);
            if (c.records > 0) {
                files++;
                txns += c.records;
                last = Math.max(last, c.lastZxid);
            }
        }
        for (Map.Entry<Long, Path> skipped : chosen.skipped().entrySet()) {
            // (one of the same zxid as the chosen, say a damaged copy beside a good .gz, holds nothing more)
            if (skipped.getKey() > snapZxid && unseen.contains(coveredBy(skipped.getKey()))) {
                throw new StartupException("ZooKeeper's newer snapshot " + skipped.getValue() + " cannot be used, and"
                        + " the logs after the older snapshot " + snapshot.fileName() + " do not hold its zxid 0x"
                        + Long.toHexString(skipped.getKey()) + " (its data came from a leader's snapshot), so that data"
                        + " would be missing; refusing to start. Why it cannot be used: "
                        + String.join("; ", chosen.problems()) + ". A limit is raised with -Djute.maxbuffer (or zoo.cfg) or"
                        + " a larger heap (-Xmx); a damaged file needs ZooKeeper to take a new snapshot");
            }
        }
        FileTxnLog.syncDirectory(dataLogDir);
        if (ensembleMember) {
            carryEpochs(zkSnapDir, dataDir, last);
        }
        recordZooKeeperFiles(dataDir, dataLogDir, "importedFrom=" + zkSnapDir
                + (zkLogDir.equals(zkSnapDir) ? "" : " " + zkLogDir) + "\n" + "snapshot=" + snapshot.fileName() + "\n"
                + DONE_LAST_ZXID + "0x" + Long.toHexString(last) + "\n");
        Files.delete(marker);
        FileTxnLog.syncDirectory(dataDir);
        LOG.info("imported ZooKeeper's data in {} ms: snapshot {} (zxid 0x{}), then {} transactions from {} log files in"
                + " {}, up to zxid 0x{}; ZooKeeper's files were left as they were", (System.nanoTime() - started) / 1_000_000,
                snapshot.fileName(), Long.toHexString(snapZxid), txns, files, zkLogDir, Long.toHexString(last));
        return new Result(written, snapZxid, files, txns, last);
    }

    /** The logged zxid that holds what a snapshot named {@code zxid} holds (see importIfPresent). */
    private static long coveredBy(long zxid) {
        return (zxid & 0xffffffffL) == 0 ? zxid + 1 : zxid;
    }

    /**
     * Up to which zxid a standalone server's recovery replays as ZooKeeper's does, tolerating what
     * the snapshot holds already: the last zxid an import brought (its snapshot may be one
     * ZooKeeper took while it applied transactions), 0 when there was none (our own snapshots are
     * not fuzzy: past this, recovery applies strictly).
     */
    public static long tolerantReplayUpTo(Path dataDir) throws IOException {
        Path done = dataDir.resolve(DONE);
        if (!Files.isRegularFile(done)) {
            return 0;
        }
        try (java.io.BufferedReader in = Files.newBufferedReader(done, StandardCharsets.UTF_8)) {
            // The header lines come before the files, however many ZooKeeper's folder held.
            for (String line = in.readLine(); line != null && !line.startsWith(DONE_FILE); line = in.readLine()) {
                if (line.startsWith(DONE_LAST_ZXID)) {
                    try {
                        return Long.decode(line.substring(DONE_LAST_ZXID.length()).trim());
                    } catch (NumberFormatException e) {
                        LOG.warn("{} says {}: every logged transaction is replayed as ZooKeeper replays its log", done,
                                line);
                        return Long.MAX_VALUE;
                    }
                }
            }
        }
        return 0; // written by export-zookeeper on a server that never imported
    }

    /**
     * A standalone server refuses to start when ZooKeeper's data files changed since {@link #DONE}
     * recorded them (at the import, or at {@link ZooKeeperExport}): ZooKeeper ran on this data
     * directory after Paddock did (a way back taken, then forward again), and serving Paddock's
     * data would lose what ZooKeeper acknowledged since. Files gone (purged) are fine. An ensemble
     * member needs no such check: its leader brings older data up to date.
     */
    public static void refuseIfZooKeeperFilesChanged(Path dataDir, Path dataLogDir)
            throws IOException, StartupException {
        Path done = dataDir.resolve(DONE);
        if (!Files.isRegularFile(done)) {
            return;
        }
        Set<String> recorded = new HashSet<>();
        for (String line : Files.readAllLines(done, StandardCharsets.UTF_8)) {
            if (line.startsWith(DONE_FILE)) {
                recorded.add(line.substring(DONE_FILE.length()).trim());
            }
        }
        for (String now : zooKeeperFiles(dataDir, dataLogDir)) {
            if (!recorded.contains(now)) {
                String name = now.substring(now.indexOf(':') + 1, now.lastIndexOf(' '));
                Path file = (now.startsWith("snap:") ? dataDir : dataLogDir).resolve(ZooKeeperFiles.VERSION_DIR)
                        .resolve(name);
                throw new StartupException("ZooKeeper's data file " + file + " is new or changed since " + done + " recorded ZooKeeper's files: ZooKeeper ran on this data"
                        + " directory after Paddock did, and serving Paddock's data would lose what ZooKeeper"
                        + " acknowledged since; refusing to start. To take over ZooKeeper's data, move Paddock's files"
                        + " (snapshot.*, log.*, " + DONE + ") out of " + dataDir
                        + (dataDir.equals(dataLogDir) ? "" : " and " + dataLogDir) + "; to keep Paddock's, move "
                        + ZooKeeperFiles.VERSION_DIR + " away");
            }
        }
    }

    /**
     * Writes {@link #DONE}: {@code header} lines, then each of ZooKeeper's data files as it is now
     * (its path and size), durably.
     */
    static void recordZooKeeperFiles(Path dataDir, Path dataLogDir, String header) throws IOException {
        StringBuilder record = new StringBuilder(header);
        for (String file : zooKeeperFiles(dataDir, dataLogDir)) {
            record.append(DONE_FILE).append(file).append('\n');
        }
        Path tmp = dataDir.resolve(DONE + ".tmp");
        writeDurably(tmp, record.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, dataDir.resolve(DONE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileTxnLog.syncDirectory(dataDir);
    }

    /**
     * After {@link ZooKeeperExport} wrote ZooKeeper's files: {@link #DONE} lists them as they are
     * now, so that a start of ours that follows without ZooKeeper running in between finds them
     * unchanged. The lines it held besides the files are kept (the import's last zxid).
     */
    static void recordExported(Path dataDir, Path dataLogDir, String line) throws IOException {
        StringBuilder header = new StringBuilder();
        Path done = dataDir.resolve(DONE);
        if (Files.isRegularFile(done)) {
            for (String old : Files.readAllLines(done, StandardCharsets.UTF_8)) {
                if (!old.startsWith(DONE_FILE)) {
                    header.append(old).append('\n');
                }
            }
        }
        recordZooKeeperFiles(dataDir, dataLogDir, header + line + "\n");
    }

    /**
     * "snap:name size" and "log:name size" of each of ZooKeeper's snapshot and log files (by name
     * within its folder, so a data directory moved or spelled otherwise in zoo.cfg is the same).
     */
    private static List<String> zooKeeperFiles(Path dataDir, Path dataLogDir) throws IOException {
        List<String> out = new ArrayList<>();
        for (Numbered snap : snapshots(dataDir.resolve(ZooKeeperFiles.VERSION_DIR))) {
            out.add("snap:" + snap.path().getFileName() + " " + Files.size(snap.path()));
        }
        for (DataFiles.Numbered log : logs(dataLogDir.resolve(ZooKeeperFiles.VERSION_DIR))) {
            out.add("log:" + log.path().getFileName() + " " + Files.size(log.path()));
        }
        return out;
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
     * The snapshot chosen, and the newer ones skipped (by zxid, their files) with why.
     */
    private record Chosen(SnapshotData data, Map<Long, Path> skipped, List<String> problems) {}

    /** The newest snapshot that reads back whole, trying older ones as ZooKeeper does. */
    private static Chosen newestReadable(List<Numbered> snaps, Path dir, long budgetBytes, int stringBytesMax)
            throws IOException, StartupException {
        List<String> problems = new ArrayList<>();
        Map<Long, Path> skipped = new TreeMap<>();
        for (int i = snaps.size() - 1; i >= 0 && snaps.size() - i <= SNAPSHOTS_TRIED_MAX; i--) {
            Numbered snap = snaps.get(i);
            Path file = snap.path();
            String problem = null;
            if (snap.name().compression() == ZooKeeperFiles.Compression.SNAPPY) {
                problem = file + " is compressed with snappy, which Paddock does not read (ZooKeeper writes"
                        + " uncompressed ones with zookeeper.snapshot.compression.method unset)";
            } else {
                long started = System.nanoTime();
                boolean gzip = snap.name().compression() == ZooKeeperFiles.Compression.GZIP;
                try (InputStream raw = Files.newInputStream(file);
                     InputStream stream = gzip ? new GZIPInputStream(raw, 64 * 1024) : raw) {
                    SnapshotData data = ZooKeeperSnapshotFile.read(source(stream), file.toString(), snap.name().zxid(),
                            Files.getLastModifiedTime(file).toMillis(), budgetBytes, stringBytesMax);
                    String cannot = data.installProblem();
                    if (cannot != null) {
                        // The same check a learner makes of a leader's snapshot: no tree could hold it.
                        throw new CorruptSnapshotException(file.toString(), 0, "it cannot be installed: " + cannot);
                    }
                    LOG.info("read ZooKeeper snapshot {}: {} nodes, {} sessions in {} ms", file, data.nodes().size(),
                            data.sessions().size(), (System.nanoTime() - started) / 1_000_000);
                    return new Chosen(data, skipped, problems);
                } catch (CorruptSnapshotException e) {
                    problem = e.getMessage();
                } catch (UncheckedIOException | IOException e) {
                    IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                    if (!gzip) {
                        throw cause; // the disk, not the file's bytes
                    }
                    problem = file + ": " + cause; // not gzip, or cut off: GZIPInputStream's own errors
                }
            }
            LOG.warn("ZooKeeper snapshot {} cannot be used ({}); trying an older one", file, problem);
            problems.add(problem);
            skipped.put(snap.name().zxid(), file);
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
    private static Converted convert(Path zkLog, long afterZxid, Path toDir, int recordBytesMax, Set<Long> unseen)
            throws IOException, StartupException {
        try (FileByteSource in = new FileByteSource(zkLog); LogWriter out = new LogWriter(toDir, afterZxid, unseen)) {
            ZooKeeperLogFile.Summary summary = ZooKeeperLogFile.read(in, zkLog.toString(), recordBytesMax, out);
            if (summary.end() == ZooKeeperLogFile.End.TORN) {
                LOG.warn("ZooKeeper log {} ends with a torn write at offset {} ({}): its data ends there, as ZooKeeper"
                        + " reads it", zkLog, summary.endOffset(), summary.tornReason());
            }
            out.finish();
            return new Converted(out.records, out.records == 0 ? afterZxid : summary.lastZxid());
        } catch (CorruptLogException e) {
            throw new StartupException("ZooKeeper's " + e.getMessage() + "; refusing to start rather than take over"
                    + " its data without it (an ensemble member can start instead with ZooKeeper's version-2 folders"
                    + " moved away: it then takes the data from the ensemble's leader)");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalArgumentException e) {
            throw new StartupException("ZooKeeper's " + zkLog + " holds a transaction our log format cannot hold ("
                    + e.getMessage() + "); refusing to start");
        }
    }

    /** One Paddock log file written from the transactions handed to it; opened at the first one. */
    private static final class LogWriter implements Consumer<TxnEnvelope>, AutoCloseable {
        private final Path dir;
        private final long afterZxid;
        /** Zxids looked for (the skipped snapshots'): each one met is removed. */
        private final Set<Long> unseen;
        private FileChannel channel;
        private Path tmp;
        private long firstZxid;
        int records;

        LogWriter(Path dir, long afterZxid, Set<Long> unseen) {
            this.dir = dir;
            this.afterZxid = afterZxid;
            this.unseen = unseen;
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
                unseen.remove(txn.zxid());
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
     * Carries ZooKeeper's epoch files (an ensemble member's; a standalone server reads none) over
     * into dataDir, where Paddock keeps them, read as ZooKeeper 3.5 to 3.9 read them at start-up
     * ({@code QuorumPeer.loadDataBase}): a missing one is the epoch of the last zxid; a
     * currentEpoch behind that epoch is {@code currentEpoch.tmp}'s value when that file is there
     * (ZooKeeper stopped while it wrote the epoch), else refused as ZooKeeper refuses it, and so is
     * an acceptedEpoch behind currentEpoch. An epoch file of ours already there keeps the larger
     * value (an epoch once accepted is never taken back).
     */
    private static void carryEpochs(Path zkDir, Path dataDir, long lastZxid) throws IOException, StartupException {
        Path acceptedFile = zkDir.resolve(EpochFiles.ACCEPTED);
        Path currentFile = zkDir.resolve(EpochFiles.CURRENT);
        long epochOfZxid = lastZxid >>> 32;
        long current = Files.exists(currentFile) ? EpochFiles.readEpoch(currentFile) : epochOfZxid;
        if (epochOfZxid > current) {
            Path tmp = zkDir.resolve(EpochFiles.CURRENT + ".tmp");
            if (!Files.exists(tmp)) {
                throw new StartupException(currentFile + " says epoch " + current + ", older than ZooKeeper's last"
                        + " zxid 0x" + Long.toHexString(lastZxid) + "; ZooKeeper refuses this data too; refusing to start");
            }
            current = EpochFiles.readEpoch(tmp); // ZooKeeper stopped while it wrote the epoch; it takes this one
        }
        long accepted = Files.exists(acceptedFile) ? EpochFiles.readEpoch(acceptedFile) : epochOfZxid;
        if (accepted < current) {
            throw new StartupException(acceptedFile + " says epoch " + accepted + ", below the current epoch " + current
                    + "; ZooKeeper refuses this data too; refusing to start");
        }
        EpochFiles own = new EpochFiles(dataDir);
        EpochFiles.Epochs mine = own.read(0);
        own.write(Math.max(accepted, mine.acceptedEpoch()), Math.max(current, mine.currentEpoch()));
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
