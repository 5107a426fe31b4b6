package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Replica;
import io.paddock.core.session.Session;
import io.paddock.core.tree.Znode;
import io.paddock.core.wire.Acl;
import io.paddock.server.quorum.EpochFiles;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.OutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.OpCode;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.StatPersisted;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.Request;
import org.apache.zookeeper.server.persistence.FileHeader;
import org.apache.zookeeper.server.persistence.FileSnap;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.apache.zookeeper.server.persistence.SnapStream;
import org.apache.zookeeper.txn.CloseSessionTxn;
import org.apache.zookeeper.txn.CreateContainerTxn;
import org.apache.zookeeper.txn.CreateSessionTxn;
import org.apache.zookeeper.txn.CreateTTLTxn;
import org.apache.zookeeper.txn.CreateTxn;
import org.apache.zookeeper.txn.DeleteTxn;
import org.apache.zookeeper.txn.SetACLTxn;
import org.apache.zookeeper.txn.SetDataTxn;
import org.apache.zookeeper.txn.TxnDigest;
import org.apache.zookeeper.txn.TxnHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ZooKeeper 3.9.5's own persistence code writes a data directory here, as a ZooKeeper server
 * does: transactions applied to its DataTree and logged ({@code FileTxnSnapLog}), and snapshots
 * serialized by {@code FileSnap} while transactions are applied between its nodes, as ZooKeeper's
 * snapshot thread runs beside the request pipeline (a fuzzy snapshot). {@link ZooKeeperImport}
 * then {@link Recovery} must end in ZooKeeper's tree, node for node, its tree digest, and its
 * sessions; damage is refused naming the file; an unfinished import is done again. And back:
 * {@link ZooKeeperExport} writes our files as ZooKeeper's, which ZooKeeper's own {@code
 * FileTxnSnapLog.restore} reads into the same tree.
 */
class ZooKeeperImportExportTest {
    private static final long S1 = 0x71L;
    private static final long S2 = 0x72L;
    private static final long TIME = 1_700_000_000_000L;
    private static final List<ACL> DIGEST_ACL = List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", "bob:x")));
    private static final List<ACL> NEW_ACL = List.of(new ACL(ZooDefs.Perms.READ, new Id("ip", "10.9.8.7")));

    @TempDir
    Path dir;

    private final DataTree zk = new DataTree();
    private final ConcurrentHashMap<Long, Integer> sessions = new ConcurrentHashMap<>();
    private FileTxnSnapLog files;
    private long zxid;

    @BeforeEach
    void zooKeeperDataDirectory() throws IOException {
        System.setProperty("zookeeper.extendedTypesEnabled", "true"); // TTL nodes
        files = new FileTxnSnapLog(dir.toFile(), dir.toFile());
    }

    /** What ZooKeeper holds before the snapshot: sessions and nodes of every kind. */
    private void base() throws IOException {
        log(OpCode.createSession, S1, new CreateSessionTxn(30_000));
        log(OpCode.create, S1, new CreateTxn("/a", bytes("a"), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 1));
        log(OpCode.create, S1, new CreateTxn("/a/x", bytes("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 1));
        log(OpCode.create2, S1, new CreateTxn("/b", null, DIGEST_ACL, false, 2));
        log(OpCode.create, S1, new CreateTxn("/b/e", bytes("e"), ZooDefs.Ids.OPEN_ACL_UNSAFE, true, 1));
        log(OpCode.createContainer, S1, new CreateContainerTxn("/c", bytes("c"), ZooDefs.Ids.READ_ACL_UNSAFE, 3));
        log(OpCode.create, S1, new CreateTxn("/c/i", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 1));
        log(OpCode.createTTL, S1, new CreateTTLTxn("/t", bytes("t"), ZooDefs.Ids.OPEN_ACL_UNSAFE, 4, 5000));
        log(OpCode.setData, S1, new SetDataTxn("/a", bytes("a1"), 1));
    }

    /**
     * Writes that the next snapshot catches in part: logged first (ZooKeeper logs a transaction
     * before it applies it), applied one after each node the snapshot writes.
     */
    private List<Runnable> duringTheSnapshot() throws IOException {
        List<Runnable> apply = new ArrayList<>();
        logOnly(apply, OpCode.create, S1, new CreateTxn("/a/y", bytes("y"), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 2));
        logOnly(apply, OpCode.delete, S1, new DeleteTxn("/a/x"));
        logOnly(apply, OpCode.setData, S1, new SetDataTxn("/b", bytes("b1"), 1));
        // a new ACL: its ref is not in the table the snapshot wrote first
        logOnly(apply, OpCode.create, S1, new CreateTxn("/b/n", bytes("n"), NEW_ACL, false, 2));
        logOnly(apply, OpCode.closeSession, S1, new CloseSessionTxn(List.of("/b/e")));
        logOnly(apply, OpCode.setACL, S2, new SetACLTxn("/a", ZooDefs.Ids.READ_ACL_UNSAFE, 1));
        logOnly(apply, OpCode.createSession, S2, new CreateSessionTxn(20_000));
        logOnly(apply, OpCode.create, S2, new CreateTxn("/a/z", bytes("z"), ZooDefs.Ids.OPEN_ACL_UNSAFE, true, 4));
        logOnly(apply, OpCode.delete, S2, new DeleteTxn("/c/i"));
        logOnly(apply, OpCode.setData, S2, new SetDataTxn("/a/y", bytes("y1"), 1));
        files.commit();
        return apply;
    }

    private void after() throws IOException {
        log(OpCode.create, S2, new CreateTxn("/d", bytes("d"), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 6));
        log(OpCode.setData, S2, new SetDataTxn("/b/n", bytes("n1"), 1));
        log(OpCode.delete, S2, new DeleteTxn("/d"));
        files.commit();
    }

    @Test
    void aFuzzySnapshotAndTheLogAfterItRecoverToZooKeepersTreeAndSessions() throws Exception {
        base();
        files.commit();
        List<Runnable> during = duringTheSnapshot();
        Path snapshot = fuzzySnapshot(zxid - during.size(), during);
        after();
        files.close();

        ZooKeeperImport.Result imported = importInto(dir, dir);
        assertNotNull(imported);
        assertEquals(zxid - 3 - 10, imported.snapshotZxid());
        assertEquals(zxid, imported.lastZxid());
        assertEquals(13, imported.transactions());
        assertTrue(Files.exists(snapshot), "ZooKeeper's files are left as they were");
        assertFalse(Files.exists(dir.resolve(ZooKeeperImport.MARKER)));
        assertTrue(Files.exists(dir.resolve(ZooKeeperImport.DONE)));
        assertEquals(zxid, ZooKeeperImport.tolerantReplayUpTo(dir), "replay tolerates up to the last imported zxid");
        // strict, as over our own snapshots, the replay of what the fuzzy snapshot holds already fails
        assertThrows(RuntimeException.class, () -> Recovery.recover(dir, dir, LogFixture.NEW_REPLICA, 1000));
        assertSameAsZooKeeper(recover());
        assertNull(importInto(dir, dir), "imported once only");
        ZooKeeperImport.refuseIfZooKeeperFilesChanged(dir, dir); // unchanged: fine
    }

    @Test
    void whatWasImportedGoesBackToZooKeeperWhichRestoresTheSameTree() throws Exception {
        base();
        files.commit();
        List<Runnable> during = duringTheSnapshot();
        fuzzySnapshot(zxid - during.size(), during);
        after();
        files.close();
        importInto(dir, dir);

        // our snapshot (the fuzzy one ZooKeeper took) and the log after it go out
        ZooKeeperExport.Result exported = ZooKeeperExport.export(dir, dir, false);
        assertEquals(zxid - 13, exported.snapshotZxid());
        assertEquals(13, exported.transactions());
        assertEquals(zxid, exported.lastZxid());
        assertEquals(1, exported.movedAside().size(), "ZooKeeper's old files were moved aside, not deleted");
        assertTrue(Files.isDirectory(exported.movedAside().get(0)));

        DataTree restored = new DataTree();
        Map<Long, Integer> restoredSessions = new ConcurrentHashMap<>();
        FileTxnSnapLog back = new FileTxnSnapLog(dir.toFile(), dir.toFile());
        assertEquals(zxid, back.restore(restored, restoredSessions, (h, r, d) -> { }));
        back.close();
        Map<String, String> expected = new TreeMap<>();
        describe(zk, "/", expected);
        Map<String, String> actual = new TreeMap<>();
        describe(restored, "/", actual);
        assertEquals(expected, actual, "ZooKeeper restores the tree it had");
        assertEquals(zk.getTreeDigest(), restored.getTreeDigest());
        assertEquals(new TreeMap<>(sessions), new TreeMap<>(restoredSessions));
    }

    /**
     * zkServer.sh's pid file in dataDir naming a live ZooKeeper server: it is still writing these
     * files, so neither the import nor the export touches them; once it is gone (or the pid file
     * names another program), the pid file is stale and both go on.
     */
    @Test
    void aZooKeeperStillRunningOnTheDirectoryStopsTheImportAndTheExport() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        files.close();
        Path pidFile = dir.resolve(ZooKeeperPidFile.NAME);
        Process zooKeeper = fakeProcess("org.apache.zookeeper.server.quorum.QuorumPeerMain");
        Process other = fakeProcess("some-other-program");
        try {
            Files.writeString(pidFile, zooKeeper.pid() + "\n");
            StartupException e = assertThrows(StartupException.class, () -> importInto(dir, dir));
            assertTrue(e.getMessage().contains(pidFile.toString()) && e.getMessage().contains("Stop it"), e.getMessage());
            assertFalse(Files.exists(dir.resolve(ZooKeeperImport.MARKER)), "nothing was started");
            Files.writeString(pidFile, other.pid() + "\n"); // the pid reused by another program: stale
            assertNotNull(importInto(dir, dir));
            Files.writeString(pidFile, zooKeeper.pid() + "\n");
            e = assertThrows(StartupException.class, () -> ZooKeeperExport.export(dir, dir, false));
            assertTrue(e.getMessage().contains("before export-zookeeper"), e.getMessage());
            // A pid file written an hour before its process started: the pid was reused, stale.
            Files.setLastModifiedTime(pidFile, java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
            ZooKeeperPidFile.refuseIfZooKeeperRuns(dir, "a check");
            Files.setLastModifiedTime(pidFile, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
            assertThrows(StartupException.class, () -> ZooKeeperPidFile.refuseIfZooKeeperRuns(dir, "a check"));
            zooKeeper.destroy();
            assertTrue(zooKeeper.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            ZooKeeperExport.export(dir, dir, false); // its process gone: stale
        } finally {
            zooKeeper.destroyForcibly();
            other.destroyForcibly();
        }
    }

    /** A live process whose command line holds {@code name} (a shell that waits), ended by the caller. */
    private static Process fakeProcess(String name) throws IOException {
        return new ProcessBuilder("/bin/sh", "-c", "sleep 120; true", name).start();
    }

    @Test
    void anImportCutShortIsDoneAgain() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        after();
        files.close();
        // what a crash in the middle of an import leaves: the marker, a log file written, no snapshot yet
        Files.writeString(dir.resolve(ZooKeeperImport.MARKER), "");
        Files.write(dir.resolve("log.1"), new byte[] {1, 2, 3});
        assertNotNull(importInto(dir, dir));
        assertFalse(Files.exists(dir.resolve("log.1")), "the unfinished import's file is gone");
        assertSameAsZooKeeper(recover());
    }

    @Test
    void aServerWithDataOfItsOwnImportsNothing() throws Exception {
        base();
        files.commit();
        files.close();
        Snapshots.write(dir, LogFixture.snapshotOf("n", 5));
        assertNull(importInto(dir, dir));
        assertNull(importInto(dir.resolve("empty"), dir.resolve("empty")),
                "no ZooKeeper files, nothing to do");
    }

    @Test
    void aDamagedNewestSnapshotGivesWayToAnOlderOne() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        after();
        Path newest = fuzzySnapshot(zxid, List.of());
        files.close();
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(newest, bytes);
        ZooKeeperImport.Result imported = importInto(dir, dir);
        assertEquals(zxid - 3, imported.snapshotZxid(), "the older snapshot, and the log after it");
        assertSameAsZooKeeper(recover());
    }

    @Test
    void aGzippedSnapshotIsReadAndASnappyOneRefusedByName() throws Exception {
        base();
        files.commit();
        Path plain = fuzzySnapshot(zxid, List.of());
        files.close();
        Path gz = plain.resolveSibling(plain.getFileName() + ".gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(plain));
        }
        Files.delete(plain);
        assertEquals(zxid, importInto(dir, dir).snapshotZxid());
        assertSameAsZooKeeper(recover());

        Path other = Files.createDirectories(dir.resolve("other"));
        Path snappy = Files.createDirectories(other.resolve("version-2")).resolve(plain.getFileName() + ".snappy");
        Files.write(snappy, new byte[] {1, 2, 3});
        StartupException e = assertThrows(StartupException.class,
                () -> importInto(other, other));
        assertTrue(e.getMessage().contains("snappy") && e.getMessage().contains(snappy.toString()), e.getMessage());
    }

    @Test
    void damageInZooKeepersLogRefusesTheStartNamingTheFileAndOffset() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(2, List.of());
        files.close();
        Path log;
        try (Stream<Path> s = Files.list(dir.resolve("version-2"))) {
            log = s.filter(p -> p.getFileName().toString().startsWith("log.")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(log);
        bytes[16 + 12 + 10] ^= 0x01; // inside the first record
        Files.write(log, bytes);
        StartupException e = assertThrows(StartupException.class,
                () -> importInto(dir, dir));
        assertTrue(e.getMessage().contains(log.toString()) && e.getMessage().contains("offset 16"), e.getMessage());
    }

    @Test
    void zooKeepersEpochsAreCarriedOverNeverLowered() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        files.close();
        Files.writeString(dir.resolve("version-2").resolve(EpochFiles.ACCEPTED), "7");
        Files.writeString(dir.resolve("version-2").resolve(EpochFiles.CURRENT), "5");
        Files.writeString(dir.resolve(EpochFiles.CURRENT), "6"); // one of ours, from an earlier start
        Files.writeString(dir.resolve(EpochFiles.ACCEPTED), "6");
        ZooKeeperImport.importIfPresent(dir, dir, 1L << 30, 1 << 20, true);
        assertEquals(new EpochFiles.Epochs(7, 6), new EpochFiles(dir).read(0));
    }

    @Test
    void zooKeeperRunningAgainAfterTheImportStopsAStandaloneServer() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        files.close();
        importInto(dir, dir);
        recover();
        // ZooKeeper started on this data directory again and wrote: a new log file
        FileTxnSnapLog again = new FileTxnSnapLog(dir.toFile(), dir.toFile());
        again.append(new Request(header(OpCode.create, S1), new CreateTxn("/zk", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                false, 5), null));
        again.commit();
        again.close();
        StartupException e = assertThrows(StartupException.class,
                () -> ZooKeeperImport.refuseIfZooKeeperFilesChanged(dir, dir));
        assertTrue(e.getMessage().contains("ZooKeeper ran on this data directory after Paddock did"), e.getMessage());
    }

    @Test
    void ourFilesGoneAfterAnImportAreNotReplacedByZooKeepersOldOnes() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        files.close();
        importInto(dir, dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("(snapshot|log)\\..*")).toList()) {
                Files.delete(p);
            }
        }
        StartupException e = assertThrows(StartupException.class, () -> importInto(dir, dir));
        assertTrue(e.getMessage().contains("imported once already"), e.getMessage());
        assertNull(ZooKeeperImport.importIfPresent(dir, dir, 1L << 30, 1 << 20, true),
                "an ensemble member starts empty and takes the data from its leader");
    }

    @Test
    void aMarkerLeftWhenZooKeepersFilesAreGoneTakesTheUnfinishedImportAway() throws Exception {
        Files.writeString(dir.resolve(ZooKeeperImport.MARKER), "");
        Snapshots.write(dir, LogFixture.snapshotOf("n", 5)); // what the unfinished import wrote
        assertNull(importInto(dir, dir));
        assertFalse(Files.exists(dir.resolve(ZooKeeperImport.MARKER)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("snapshot.")).toList());
        }
    }

    @Test
    void logsWithoutASnapshotAreRefusedAsZooKeeperRefusesThem() throws Exception {
        base();
        files.commit();
        files.close();
        StartupException e = assertThrows(StartupException.class, () -> importInto(dir, dir));
        assertTrue(e.getMessage().contains("no snapshot"), e.getMessage());
    }

    /**
     * A follower synced by SNAP took a snapshot of what the leader sent, which none of its logs
     * holds; when that snapshot cannot be used, falling back to an older one would lose that data.
     */
    @Test
    void aNewerSnapshotThatCannotBeUsedIsNotSkippedWhenTheLogsDoNotHoldItsZxid() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        files.close();
        // what the leader's SNAP brought: applied, never logged here; then the snapshot of it
        for (int i = 0; i < 5; i++) {
            zk.processTxn(header(OpCode.create, S1), new CreateTxn("/snap" + i, null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    false, 6 + i));
        }
        Path newer = fuzzySnapshot(zxid, List.of());
        byte[] bytes = Files.readAllBytes(newer);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(newer, bytes);
        StartupException e = assertThrows(StartupException.class, () -> importInto(dir, dir));
        assertTrue(e.getMessage().contains(newer.toString()) && e.getMessage().contains("do not hold its zxid"),
                e.getMessage());
    }

    @Test
    void aCutGzippedSnapshotGivesWayToAnOlderOne() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        after();
        Path newest = fuzzySnapshot(zxid, List.of());
        files.close();
        Path gz = newest.resolveSibling(newest.getFileName() + ".gz");
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(zipped)) {
            out.write(Files.readAllBytes(newest));
        }
        Files.delete(newest);
        Files.write(gz, Arrays.copyOf(zipped.toByteArray(), zipped.size() / 2)); // ZooKeeper does not sync it
        assertEquals(zxid - 3, importInto(dir, dir).snapshotZxid());
        assertSameAsZooKeeper(recover());
    }

    /** A standalone ZooKeeper that was once an ensemble member: its log moves to a later epoch. */
    @Test
    void aStandaloneImportOfALogThatMovesToALaterEpochRecovers() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        zxid = 2L << 32; // the next is the first zxid of epoch 2
        log(OpCode.create, S1, new CreateTxn("/e2", bytes("e2"), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 6));
        log(OpCode.setData, S1, new SetDataTxn("/e2", bytes("e2b"), 1));
        files.commit();
        files.close();
        assertEquals(zxid, importInto(dir, dir).lastZxid());
        assertSameAsZooKeeper(recover());
    }

    @Test
    void theDoneRecordIsReadWhateverNumberOfZooKeeperFilesItLists() throws Exception {
        StringBuilder done = new StringBuilder("importedFrom=x\nlastZxid=0x5000000a\n");
        for (int i = 0; i < 3000; i++) {
            done.append("zookeeperFile=log:log.").append(Integer.toHexString(i)).append(" 67108880\n");
        }
        Files.writeString(dir.resolve(ZooKeeperImport.DONE), done);
        assertEquals(0x5000000aL, ZooKeeperImport.tolerantReplayUpTo(dir));
    }

    @Test
    void aDataDirectoryMovedElsewhereIsTheSame() throws Exception {
        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        files.close();
        importInto(dir, dir);
        Path moved = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-moved"));
        try {
            copyTree(dir, moved);
            ZooKeeperImport.refuseIfZooKeeperFilesChanged(moved, moved); // the same files, by name: fine
        } finally {
            deleteTree(moved);
        }
    }

    /**
     * Our log rolls at each snapshot, so the file that ends with the snapshot's zxid is exported
     * too: ZooKeeper's truncation to that zxid (a new leader's TRUNC) keeps the first record at or
     * after it, which must be the snapshot's own, not the next (an uncommitted one kept).
     */
    @Test
    void exportedLogsHoldTheSnapshotsOwnRecordSoZooKeeperTruncatesToItExactly() throws Exception {
        Path paddock = Files.createDirectories(dir.resolve("paddock"));
        LogFixture.writeLog(paddock, LogFixture.range(0, 1, 5), 0);
        Snapshots.write(paddock, LogFixture.snapshotOf("n", 5));
        LogFixture.writeLog(paddock, LogFixture.range(0, 6, 8), 0);
        ZooKeeperExport.Result exported = ZooKeeperExport.export(paddock, paddock, false);
        assertEquals(5, exported.snapshotZxid());
        assertEquals(3, exported.transactions());
        FileTxnSnapLog back = new FileTxnSnapLog(paddock.toFile(), paddock.toFile());
        assertTrue(back.truncateLog(5));
        assertEquals(5, back.restore(new DataTree(), new ConcurrentHashMap<>(), (h, r, d) -> { }));
        back.close();
    }

    @Test
    void exportRefusesAHistoryWithAGapAnUnfinishedImportAndNoData() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("nothing"));
        StartupException e = assertThrows(StartupException.class, () -> ZooKeeperExport.export(empty, empty, false));
        assertTrue(e.getMessage().contains("nothing to export"), e.getMessage());

        base();
        files.commit();
        fuzzySnapshot(zxid, List.of());
        after();
        files.close();
        importInto(dir, dir);
        Files.writeString(dir.resolve(ZooKeeperImport.MARKER), "");
        e = assertThrows(StartupException.class, () -> ZooKeeperExport.export(dir, dir, false));
        assertTrue(e.getMessage().contains("did not finish"), e.getMessage());
        Files.delete(dir.resolve(ZooKeeperImport.MARKER));

        // our log after the snapshot loses its middle: zxid 11 of 10..12
        Path ourLog;
        try (Stream<Path> s = Files.list(dir)) {
            ourLog = s.filter(p -> p.getFileName().toString().startsWith("log.")).findFirst().orElseThrow();
        }
        io.paddock.core.storage.ScanResult scan = io.paddock.core.storage.LogScanner.scan(Files.readAllBytes(ourLog),
                ourLog.toString());
        io.paddock.core.wire.JuteWriter gap = new io.paddock.core.wire.JuteWriter(4096);
        byte[] header = io.paddock.core.storage.LogFormat.header(scan.txns().get(0).zxid());
        gap.writeRaw(header, 0, header.length);
        for (io.paddock.core.request.TxnEnvelope t : scan.txns()) {
            if (t.zxid() != zxid - 1) {
                io.paddock.core.storage.LogFormat.writeRecord(gap, t);
            }
        }
        Files.write(ourLog, gap.toByteArray());
        e = assertThrows(StartupException.class, () -> ZooKeeperExport.export(dir, dir, false));
        assertTrue(e.getMessage().contains("missing zxids"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("version-2").resolve("snapshot." + Long.toHexString(zxid - 3))),
                "ZooKeeper's files were not touched");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                if (p.startsWith(to)) {
                    continue;
                }
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A standalone server's import into {@code dataDir}, with jute.maxbuffer 1 MiB. */
    private static ZooKeeperImport.Result importInto(Path dataDir, Path dataLogDir) throws Exception {
        return ZooKeeperImport.importIfPresent(dataDir, dataLogDir, 1L << 30, 1 << 20, false);
    }

    /** A standalone server's recovery, as PaddockServer runs it after an import. */
    private Replica recover() throws Exception {
        long tolerant = ZooKeeperImport.tolerantReplayUpTo(dir);
        return Recovery.recover(dir, dir, () -> {
            Replica fresh = LogFixture.NEW_REPLICA.get();
            fresh.tolerateReplayUpTo(tolerant);
            return fresh;
        }, 1000, false, tolerant).replica();
    }

    // ------------------------------------------------------------------ ZooKeeper's side

    /** Applies a transaction to ZooKeeper's tree and logs it, with the tree digest after it. */
    private void log(int type, long session, Record txn) throws IOException {
        TxnHeader header = header(type, session);
        apply(header, txn);
        files.append(new Request(header, txn, new TxnDigest(2, zk.getTreeDigest())));
    }

    /** Logs a transaction now; {@code apply} gets what applies it later. */
    private void logOnly(List<Runnable> apply, int type, long session, Record txn) throws IOException {
        TxnHeader header = header(type, session);
        files.append(new Request(header, txn, null));
        apply.add(() -> apply(header, txn));
    }

    private TxnHeader header(int type, long session) {
        zxid++;
        return new TxnHeader(session, (int) zxid, zxid, TIME + zxid, type);
    }

    private void apply(TxnHeader header, Record txn) {
        if (header.getType() == OpCode.createSession) {
            sessions.put(header.getClientId(), ((CreateSessionTxn) txn).getTimeOut());
        } else if (header.getType() == OpCode.closeSession) {
            sessions.remove(header.getClientId());
        }
        zk.processTxn(header, txn);
    }

    /**
     * ZooKeeper's snapshot named by {@code nameZxid} (the last zxid applied when it starts),
     * written by {@code FileSnap} with one of {@code between} applied after each node it writes
     * (the rest after the last node), sealed, with the digest trailer 3.9 writes.
     */
    private Path fuzzySnapshot(long nameZxid, List<Runnable> between) throws IOException {
        File file = dir.resolve("version-2").resolve("snapshot." + Long.toHexString(nameZxid)).toFile();
        int[] next = {0};
        Runnable step = () -> {
            if (next[0] < between.size()) {
                between.get(next[0]++).run();
            }
        };
        new FileSnap(file.getParentFile()) {
            void write() throws IOException {
                try (CheckedOutputStream out = new CheckedOutputStream(new BufferedOutputStream(
                        new FileOutputStream(file)), new Adler32())) {
                    BinaryOutputArchive real = BinaryOutputArchive.getArchive(out);
                    serialize(zk, sessions, new Interleaving(real, step), new FileHeader(SNAP_MAGIC, 2, -1));
                    SnapStream.sealStream(out, real);
                    zk.serializeZxidDigest(real);
                    SnapStream.sealStream(out, real);
                }
            }
        }.write();
        while (next[0] < between.size()) {
            step.run();
        }
        return file.toPath();
    }

    /** An archive that runs {@code afterNode} after each node record it writes. */
    private record Interleaving(OutputArchive out, Runnable afterNode) implements OutputArchive {
        @Override
        public void writeRecord(Record r, String tag) throws IOException {
            out.writeRecord(r, tag);
            if (r instanceof DataNode) {
                afterNode.run();
            }
        }

        @Override
        public void writeByte(byte b, String tag) throws IOException {
            out.writeByte(b, tag);
        }

        @Override
        public void writeBool(boolean b, String tag) throws IOException {
            out.writeBool(b, tag);
        }

        @Override
        public void writeInt(int i, String tag) throws IOException {
            out.writeInt(i, tag);
        }

        @Override
        public void writeLong(long l, String tag) throws IOException {
            out.writeLong(l, tag);
        }

        @Override
        public void writeFloat(float f, String tag) throws IOException {
            out.writeFloat(f, tag);
        }

        @Override
        public void writeDouble(double d, String tag) throws IOException {
            out.writeDouble(d, tag);
        }

        @Override
        public void writeString(String s, String tag) throws IOException {
            out.writeString(s, tag);
        }

        @Override
        public void writeBuffer(byte[] buf, String tag) throws IOException {
            out.writeBuffer(buf, tag);
        }

        @Override
        public void startRecord(Record r, String tag) throws IOException {
            out.startRecord(r, tag);
        }

        @Override
        public void endRecord(Record r, String tag) throws IOException {
            out.endRecord(r, tag);
        }

        @Override
        public void startVector(List<?> v, String tag) throws IOException {
            out.startVector(v, tag);
        }

        @Override
        public void endVector(List<?> v, String tag) throws IOException {
            out.endVector(v, tag);
        }

        @Override
        public void startMap(TreeMap<?, ?> m, String tag) throws IOException {
            out.startMap(m, tag);
        }

        @Override
        public void endMap(TreeMap<?, ?> m, String tag) throws IOException {
            out.endMap(m, tag);
        }

        @Override
        public long getDataSize() {
            return out.getDataSize();
        }
    }

    // ------------------------------------------------------------------ comparing

    private void assertSameAsZooKeeper(Replica replica) {
        Map<String, String> theirs = new TreeMap<>();
        describe(zk, "/", theirs);
        Map<String, String> ours = new TreeMap<>();
        replica.tree().forEach((path, node) -> {
            if (!path.equals("/zookeeper/config")) {
                ours.put(path, describe(node, replica.tree().children(path)));
            }
        });
        assertEquals(theirs, ours, "every node, field for field");
        assertEquals(zk.getTreeDigest(), replica.tree().treeDigest(), "ZooKeeper's tree digest");
        Map<Long, Integer> ourSessions = new TreeMap<>();
        for (Session s : replica.sessions().all()) {
            ourSessions.put(s.id(), s.timeoutMs());
        }
        assertEquals(new TreeMap<>(sessions), ourSessions, "the sessions and their timeouts");
    }

    private static void describe(DataTree t, String path, Map<String, String> out) {
        if (path.equals("/zookeeper/config")) {
            return; // a server keeps its own
        }
        DataNode n = t.getNode(path);
        StatPersisted s = n.stat;
        List<String> acl = new ArrayList<>();
        for (ACL a : t.getACL(n)) {
            acl.add(a.getPerms() + ":" + a.getId().getScheme() + ":" + a.getId().getId());
        }
        out.put(path, Arrays.toString(n.getData()) + " " + acl + " " + s.getCzxid() + " " + s.getMzxid() + " "
                + s.getCtime() + " " + s.getMtime() + " " + s.getVersion() + " " + s.getCversion() + " "
                + s.getAversion() + " " + s.getEphemeralOwner() + " " + s.getPzxid() + " "
                + new TreeSet<>(n.getChildren()));
        for (String child : n.getChildren()) {
            describe(t, (path.equals("/") ? "" : path) + "/" + child, out);
        }
    }

    private static String describe(Znode n, List<String> children) {
        List<String> acl = new ArrayList<>();
        for (Acl a : n.acl()) {
            acl.add(a.perms() + ":" + a.id().scheme() + ":" + a.id().id());
        }
        return Arrays.toString(n.data()) + " " + acl + " " + n.czxid() + " " + n.mzxid() + " " + n.ctime() + " "
                + n.mtime() + " " + n.version() + " " + n.childCreations() + " " + n.aversion() + " "
                + n.encodedEphemeralOwner() + " " + n.pzxid() + " " + new TreeSet<>(children);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
