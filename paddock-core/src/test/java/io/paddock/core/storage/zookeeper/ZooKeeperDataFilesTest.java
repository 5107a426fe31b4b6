package io.paddock.core.storage.zookeeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptLogException;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.quorum.QuorumPacketDecoder;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.Adler32;
import org.apache.jute.Record;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.OpCode;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.StatPersisted;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.Request;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.apache.zookeeper.txn.CloseSessionTxn;
import org.apache.zookeeper.txn.CreateContainerTxn;
import org.apache.zookeeper.txn.CreateSessionTxn;
import org.apache.zookeeper.txn.CreateTTLTxn;
import org.apache.zookeeper.txn.CreateTxn;
import org.apache.zookeeper.txn.DeleteTxn;
import org.apache.zookeeper.txn.SetDataTxn;
import org.apache.zookeeper.txn.TxnDigest;
import org.apache.zookeeper.txn.TxnHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ZooKeeper 3.9.5's own persistence code ({@code FileTxnSnapLog}, as a ZooKeeper server uses it)
 * writes a snapshot and a transaction log here; {@link ZooKeeperSnapshotFile} and {@link
 * ZooKeeperLogFile} must read back exactly what it wrote, and refuse or cut what a crash or damage
 * leaves, as the class comments say.
 */
class ZooKeeperDataFilesTest {
    private static final int MAX = ZooKeeperLogFile.recordBytesMax(0xfffff);
    private static final long SESSION = 0x1234L;
    private static final long TIME = 1_700_000_000_000L;
    private static final List<ACL> DIGEST_ACL = List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", "bob:x")));

    @TempDir
    Path dir;

    private final DataTree tree = new DataTree();
    private final ConcurrentHashMap<Long, Integer> sessions = new ConcurrentHashMap<>();
    private long zxid;
    /** The zxids logged after the snapshot, in order. */
    private final List<Long> loggedAfter = new ArrayList<>();
    private Map<String, String> treeAtSnapshot;
    private Path snapshot;
    private Path log;

    /** A session, nodes of every kind, then a snapshot, then more writes of every kind logged. */
    @BeforeEach
    void zooKeeperWritesItsFiles() throws Exception {
        System.setProperty("zookeeper.extendedTypesEnabled", "true"); // TTL nodes
        FileTxnSnapLog files = new FileTxnSnapLog(dir.toFile(), dir.toFile());
        write(files, OpCode.createSession, new CreateSessionTxn(30_000), false);
        write(files, OpCode.create, new CreateTxn("/a", bytes("a"), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 1), true);
        write(files, OpCode.create, new CreateTxn("/a/e", bytes("eph"), ZooDefs.Ids.OPEN_ACL_UNSAFE, true, 1), true);
        write(files, OpCode.create2, new CreateTxn("/b", null, DIGEST_ACL, false, 2), true);
        write(files, OpCode.createContainer, new CreateContainerTxn("/c", bytes("c"), ZooDefs.Ids.READ_ACL_UNSAFE, 3), true);
        write(files, OpCode.createTTL, new CreateTTLTxn("/t", bytes("t"), ZooDefs.Ids.OPEN_ACL_UNSAFE, 4, 5000), true);
        write(files, OpCode.setData, new SetDataTxn("/a", bytes("a2"), 1), true);
        files.commit();
        tree.lastProcessedZxid = zxid;
        snapshot = files.save(tree, sessions, false).toPath();
        treeAtSnapshot = describe(tree);
        write(files, OpCode.create, new CreateTxn("/a/s0000000001", new byte[1000], ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 2),
                true);
        write(files, OpCode.delete, new DeleteTxn("/c"), true);
        write(files, OpCode.setData, new SetDataTxn("/b", bytes("b"), 1), false);
        write(files, OpCode.closeSession, new CloseSessionTxn(List.of("/a/e")), true);
        files.commit();
        files.close();
        try (var listing = Files.list(dir.resolve(ZooKeeperFiles.VERSION_DIR))) {
            log = listing.filter(p -> p.getFileName().toString().startsWith("log.")).findFirst().orElseThrow();
        }
    }

    @Test
    void theSnapshotReadsAsZooKeeperWroteIt() throws Exception {
        ZooKeeperFiles.Name name = ZooKeeperFiles.snapshotName(snapshot.getFileName().toString());
        assertEquals(ZooKeeperFiles.Compression.NONE, name.compression());
        assertEquals(loggedAfter.get(0) - 1, name.zxid(), "named by the last zxid in it");
        SnapshotData data = readSnapshot(Files.readAllBytes(snapshot));
        assertEquals(List.of(new SnapshotSession(SESSION, 30_000, ZabTxnCodec.zooKeeperPassword(SESSION))),
                data.sessions());
        assertEquals(name.zxid(), data.header().lastZxid());
        Map<String, String> ours = new TreeMap<>();
        for (SnapshotNode n : data.nodes()) {
            ours.put(n.path(), describe(n));
        }
        assertEquals(treeAtSnapshot, ours);
        SnapshotNode ttl = data.nodes().stream().filter(n -> n.path().equals("/t")).findFirst().orElseThrow();
        assertEquals(NodeKind.TTL, ttl.kind());
        assertEquals(5000, ttl.ttlMs());
        SnapshotNode eph = data.nodes().stream().filter(n -> n.path().equals("/a/e")).findFirst().orElseThrow();
        assertEquals(NodeKind.EPHEMERAL, eph.kind());
        assertEquals(SESSION, eph.ephemeralOwner());
    }

    @Test
    void theLogReadsEveryTransactionInOrder() throws Exception {
        List<TxnEnvelope> txns = new ArrayList<>();
        ZooKeeperLogFile.Summary summary = ZooKeeperLogFile.read(ByteSource.of(Files.readAllBytes(log)), log.toString(),
                MAX, txns::add);
        assertEquals(ZooKeeperLogFile.End.CLEAN, summary.end(), "the preallocated zeros end the data");
        assertEquals(ZooKeeperFiles.logZxid(log.getFileName().toString()), txns.get(0).zxid());
        assertEquals(11, txns.size());
        assertEquals(txns.get(txns.size() - 1).zxid(), summary.lastZxid());
        assertEquals(loggedAfter, txns.subList(7, 11).stream().map(TxnEnvelope::zxid).toList());
        for (int i = 0; i < txns.size(); i++) {
            assertEquals(i + 1, txns.get(i).zxid());
            assertEquals(SESSION, txns.get(i).sessionId());
        }
        assertEquals("Create", txns.get(7).txn().getClass().getSimpleName());
        assertEquals("CloseSession", txns.get(10).txn().getClass().getSimpleName());
        assertTrue(Files.size(log) > 60_000, "ZooKeeper preallocated the file: " + Files.size(log));
    }

    @Test
    void aLogCutInsideItsLastRecordEndsBeforeIt() throws Exception {
        byte[] whole = Files.readAllBytes(log);
        long[] offsets = recordOffsets(whole);
        int last = (int) offsets[offsets.length - 1];
        for (int cut : new int[] {last + 8, last + 12, last + 40, dataEnd(whole) - 1}) {
            ZooKeeperLogFile.Summary s = ZooKeeperLogFile.read(ByteSource.of(Arrays.copyOf(whole, cut)), "log", MAX,
                    t -> { });
            assertEquals(ZooKeeperLogFile.End.TORN, s.end(), "cut at " + cut);
            assertEquals(10, s.records(), "cut at " + cut);
            assertEquals(last, s.endOffset());
        }
        // cut right after the last record: a clean end without the zeros
        ZooKeeperLogFile.Summary s = ZooKeeperLogFile.read(ByteSource.of(Arrays.copyOf(whole, dataEnd(whole))), "log",
                MAX, t -> { });
        assertEquals(ZooKeeperLogFile.End.CLEAN, s.end());
        assertEquals(11, s.records());
        // the last record's tail still zero (its last sector not written), the rest zeros
        byte[] zeroed = whole.clone();
        Arrays.fill(zeroed, dataEnd(whole) - 5, dataEnd(whole), (byte) 0);
        s = ZooKeeperLogFile.read(ByteSource.of(zeroed), "log", MAX, t -> { });
        assertEquals(ZooKeeperLogFile.End.TORN, s.end());
        assertEquals(10, s.records());
    }

    @Test
    void damageBeforeTheEndRefusesTheFileNamingTheOffset() throws Exception {
        byte[] whole = Files.readAllBytes(log);
        long[] offsets = recordOffsets(whole);
        // a flipped byte inside the data of a middle record: its checksum fails
        byte[] flipped = whole.clone();
        flipped[(int) offsets[4] + 12 + 20] ^= 0x10;
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> ZooKeeperLogFile.read(ByteSource.of(flipped), "log.1", MAX, t -> { }));
        assertEquals(offsets[4], e.offset());
        assertTrue(e.getMessage().contains("log.1") && e.getMessage().contains("checksum"), e.getMessage());
        // the same in the last record: ZooKeeper refuses that file too
        byte[] lastFlipped = whole.clone();
        lastFlipped[(int) offsets[10] + 12 + 20] ^= 0x10;
        e = assertThrows(CorruptLogException.class,
                () -> ZooKeeperLogFile.read(ByteSource.of(lastFlipped), "log.1", MAX, t -> { }));
        assertEquals(offsets[10], e.offset());
        // a length field damaged in a middle record, with records after it
        byte[] length = whole.clone();
        length[(int) offsets[3] + 8] = (byte) 0x7f;
        e = assertThrows(CorruptLogException.class,
                () -> ZooKeeperLogFile.read(ByteSource.of(length), "log.1", MAX, t -> { }));
        assertEquals(offsets[3], e.offset());
        // an end mark missing with records after it
        byte[] mark = whole.clone();
        mark[(int) offsets[6] - 1] = 0;
        e = assertThrows(CorruptLogException.class,
                () -> ZooKeeperLogFile.read(ByteSource.of(mark), "log.1", MAX, t -> { }));
        assertEquals(offsets[5], e.offset());
        // not a ZooKeeper log at all
        byte[] magic = whole.clone();
        magic[0] = 'P';
        e = assertThrows(CorruptLogException.class,
                () -> ZooKeeperLogFile.read(ByteSource.of(magic), "log.1", MAX, t -> { }));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    /**
     * Damage a crash cannot make is never taken for the end of the data, where ZooKeeper's reader
     * would drop the records after it without a word: a length made longer (a crash never writes a
     * longer length than was written), a zero length with records after it.
     */
    @Test
    void damageThatLooksLikeAnEndIsRefused() throws Exception {
        byte[] whole = Files.readAllBytes(log);
        long[] offsets = recordOffsets(whole);
        int last = (int) offsets[10];
        // the last record's length made 5 longer: it runs into the zeros, its end mark inside it
        byte[] longer = whole.clone();
        longer[last + 11] += 5;
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> ZooKeeperLogFile.read(ByteSource.of(longer), "log.1", MAX, t -> { }));
        assertEquals(last, e.offset());
        assertTrue(e.getMessage().contains("length field damaged"), e.getMessage());
        // the same in a file without the zeros after it (cut right after its data)
        byte[] cut = Arrays.copyOf(longer, dataEnd(whole));
        e = assertThrows(CorruptLogException.class, () -> ZooKeeperLogFile.read(ByteSource.of(cut), "log.1", MAX, t -> { }));
        assertEquals(last, e.offset());
        // a middle record's checksum and length zeroed: ZooKeeper would end the file there
        byte[] zeroed = whole.clone();
        Arrays.fill(zeroed, (int) offsets[3], (int) offsets[3] + 12, (byte) 0);
        e = assertThrows(CorruptLogException.class, () -> ZooKeeperLogFile.read(ByteSource.of(zeroed), "log.1", MAX,
                t -> { }));
        assertEquals(offsets[3], e.offset());
        // a length past ZooKeeper's bound
        byte[] huge = whole.clone();
        huge[last + 9] = 0x40;
        e = assertThrows(CorruptLogException.class, () -> ZooKeeperLogFile.read(ByteSource.of(huge), "log.1", MAX,
                t -> { }));
        assertTrue(e.getMessage().contains("Unreasonable length"), e.getMessage());
    }

    @Test
    void aLogWithNothingInItHoldsNothing() throws Exception {
        for (byte[] bytes : List.of(new byte[0], new byte[10], new byte[4096])) {
            ZooKeeperLogFile.Summary s = ZooKeeperLogFile.read(ByteSource.of(bytes), "log", MAX, t -> { });
            assertEquals(ZooKeeperLogFile.End.NO_HEADER, s.end());
            assertEquals(0, s.records());
        }
        byte[] headerOnly = Arrays.copyOf(Files.readAllBytes(log), 16 + 4096);
        Arrays.fill(headerOnly, 16, headerOnly.length, (byte) 0);
        ZooKeeperLogFile.Summary s = ZooKeeperLogFile.read(ByteSource.of(headerOnly), "log", MAX, t -> { });
        assertEquals(ZooKeeperLogFile.End.CLEAN, s.end());
        assertEquals(0, s.records());
    }

    @Test
    void aDamagedOrCutSnapshotIsRefusedNamingTheFile() throws Exception {
        byte[] whole = Files.readAllBytes(snapshot);
        // a flipped byte in a node's data: only the seal can tell
        byte[] flipped = whole.clone();
        int at = indexOf(whole, bytes("a2"));
        flipped[at] ^= 0x01;
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> readSnapshot(flipped));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        for (int cut : new int[] {5, 16, 40, at, whole.length - 60}) {
            assertThrows(CorruptSnapshotException.class, () -> readSnapshot(Arrays.copyOf(whole, cut)), "cut at " + cut);
        }
        byte[] magic = whole.clone();
        magic[1] = 0;
        e = assertThrows(CorruptSnapshotException.class, () -> readSnapshot(magic));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        // the trailer (digest, last processed zxid) may be gone: ZooKeeper reads such a file too
        int firstSealEnd = firstSealEnd(whole);
        SnapshotData without = readSnapshot(Arrays.copyOf(whole, firstSealEnd));
        assertEquals(readSnapshot(whole).nodes().size(), without.nodes().size());
    }

    /** The fuzz seeds are in ZooKeeper's format as ZooKeeper's own reader sees it, and ours reads them the same. */
    @Test
    void theFuzzSeedLogIsOneZooKeeperReads() throws Exception {
        byte[] seed = ZooKeeperFileSeeds.logFiles().get("every-variant");
        Path other = Files.createDirectories(dir.resolve("seed").resolve(ZooKeeperFiles.VERSION_DIR));
        Files.write(other.resolve("log.1"), seed);
        List<Long> theirs = new ArrayList<>();
        org.apache.zookeeper.server.persistence.FileTxnLog zkLog =
                new org.apache.zookeeper.server.persistence.FileTxnLog(other.toFile());
        try (org.apache.zookeeper.server.persistence.TxnLog.TxnIterator it = zkLog.read(1)) {
            while (it.getHeader() != null) {
                theirs.add(it.getHeader().getZxid());
                if (!it.next()) {
                    break;
                }
            }
        }
        List<Long> ours = new ArrayList<>();
        ZooKeeperLogFile.read(ByteSource.of(seed), "seed", MAX, t -> ours.add(t.zxid()));
        assertTrue(ours.size() >= 10, "every variant ZooKeeper carries: " + ours.size());
        assertEquals(theirs, ours);
    }

    @Test
    void fileNames() {
        assertEquals(new ZooKeeperFiles.Name(0x100000002L, ZooKeeperFiles.Compression.GZIP),
                ZooKeeperFiles.snapshotName("snapshot.100000002.gz"));
        assertEquals(ZooKeeperFiles.Compression.SNAPPY, ZooKeeperFiles.snapshotName("snapshot.0.snappy").compression());
        assertEquals(null, ZooKeeperFiles.snapshotName("snapshot.1.tmp"));
        assertEquals(null, ZooKeeperFiles.snapshotName("snapshot."));
        assertEquals(0x2aL, ZooKeeperFiles.logZxid("log.2a"));
        assertEquals(-1, ZooKeeperFiles.logZxid("log.2a.bak"));
        assertEquals(-1, ZooKeeperFiles.logZxid("log.ffffffffffffffff"));
    }

    // ---------------------------------------------------------------- helpers

    private SnapshotData readSnapshot(byte[] bytes) throws CorruptSnapshotException {
        ZooKeeperFiles.Name name = ZooKeeperFiles.snapshotName(snapshot.getFileName().toString());
        return ZooKeeperSnapshotFile.read(ByteSource.of(bytes), snapshot.toString(), name.zxid(), TIME, 1L << 30,
                QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT);
    }

    /** Applies a txn to ZooKeeper's tree and logs it (with the tree digest after it, as a 3.9 leader does). */
    private void write(FileTxnSnapLog files, int type, Record txn, boolean withDigest) throws IOException {
        zxid++;
        TxnHeader header = new TxnHeader(SESSION, (int) zxid, zxid, TIME + zxid, type);
        if (type == OpCode.createSession) {
            sessions.put(SESSION, ((CreateSessionTxn) txn).getTimeOut());
        } else if (type == OpCode.closeSession) {
            sessions.remove(SESSION);
        }
        tree.processTxn(header, txn);
        TxnDigest digest = withDigest ? new TxnDigest(2, tree.getTreeDigest()) : null;
        files.append(new Request(header, txn, digest));
        if (treeAtSnapshot != null) {
            loggedAfter.add(zxid);
        }
    }

    private static Map<String, String> describe(DataTree t) {
        Map<String, String> out = new TreeMap<>();
        describe(t, "/", out);
        return out;
    }

    private static void describe(DataTree t, String path, Map<String, String> out) {
        if (path.equals("/zookeeper/config")) {
            return; // left out: a server keeps its own
        }
        DataNode n = t.getNode(path);
        StatPersisted s = n.stat;
        List<String> acl = new ArrayList<>();
        for (ACL a : t.getACL(n)) {
            acl.add(a.getPerms() + ":" + a.getId().getScheme() + ":" + a.getId().getId());
        }
        out.put(path, Arrays.toString(n.getData()) + " " + acl + " " + s.getCzxid() + " " + s.getMzxid() + " "
                + s.getCtime() + " " + s.getMtime() + " " + s.getVersion() + " " + s.getCversion() + " "
                + s.getAversion() + " " + s.getEphemeralOwner() + " " + s.getPzxid());
        for (String child : n.getChildren()) {
            describe(t, (path.equals("/") ? "" : path) + "/" + child, out);
        }
    }

    private static String describe(SnapshotNode n) {
        List<String> acl = new ArrayList<>();
        for (io.paddock.core.wire.Acl a : n.acl()) {
            acl.add(a.perms() + ":" + a.id().scheme() + ":" + a.id().id());
        }
        return Arrays.toString(n.data()) + " " + acl + " " + n.czxid() + " " + n.mzxid() + " " + n.ctime() + " "
                + n.mtime() + " " + n.version() + " " + n.cversion() + " " + n.aversion() + " "
                + n.kind().encodeOwner(n.ephemeralOwner(), n.ttlMs()) + " " + n.pzxid();
    }

    /** Where each record of a ZooKeeper log starts. */
    private static long[] recordOffsets(byte[] file) {
        List<Long> out = new ArrayList<>();
        int p = 16;
        while (p + 12 <= file.length) {
            int len = ((file[p + 8] & 0xff) << 24) | ((file[p + 9] & 0xff) << 16) | ((file[p + 10] & 0xff) << 8)
                    | (file[p + 11] & 0xff);
            if (len == 0) {
                break;
            }
            out.add((long) p);
            p += 12 + len + 1;
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static int dataEnd(byte[] file) {
        long[] offsets = recordOffsets(file);
        int last = (int) offsets[offsets.length - 1];
        int len = ((file[last + 8] & 0xff) << 24) | ((file[last + 9] & 0xff) << 16) | ((file[last + 10] & 0xff) << 8)
                | (file[last + 11] & 0xff);
        return last + 12 + len + 1;
    }

    /** The end of the first seal: the first place where the Adler32 of what precedes matches the long there. */
    private static int firstSealEnd(byte[] file) {
        for (int p = 16; p + 13 <= file.length; p++) {
            Adler32 a = new Adler32();
            a.update(file, 0, p);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (file[p + i] & 0xff);
            }
            if (v == a.getValue() && file[p + 12] == '/') {
                return p + 13;
            }
        }
        throw new AssertionError("no seal");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
