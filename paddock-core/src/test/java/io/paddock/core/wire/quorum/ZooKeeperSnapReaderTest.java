package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotEncoder;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.StatPersisted;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.util.SerializeUtils;
import org.junit.jupiter.api.Test;

/**
 * The snapshot a ZooKeeper leader streams after SNAP, as ZooKeeper 3.9.5's own DataTree and
 * SerializeUtils write it, read back by {@link ZooKeeperSnapReader}: every node and session as
 * ZooKeeper holds it, in any split of the stream, and every kind of damage refused.
 */
class ZooKeeperSnapReaderTest {
    private static final long ZXID = 0x3_0000_0042L;
    private static final long BUDGET = 64L << 20;
    private static final List<ACL> DIGEST_ACL = List.of(
            new ACL(ZooDefs.Perms.ALL, new Id("digest", "bob:7rGGjxDRgNoQnG2cpWhj2h7FiF8=")),
            new ACL(ZooDefs.Perms.READ, new Id("world", "anyone")));
    private static final List<ACL> IP_ACL = List.of(new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.WRITE,
            new Id("ip", "127.0.0.1")));

    /** A ZooKeeper tree with a node of every kind, several ACLs, null and empty data, changed versions. */
    static DataTree zkTree() throws Exception {
        DataTree dt = new DataTree();
        long z = 0x1_0000_0001L;
        dt.createNode("/app", "config".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, 0, 0, z++, 1000);
        dt.createNode("/app/locks", null, DIGEST_ACL, 0, 1, z++, 1001);
        dt.createNode("/app/locks/lock-0000000000", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0x55L, 1, z++, 1002);
        dt.createNode("/app/locks/lock-0000000001", new byte[] {1, 2, 3}, IP_ACL, 0x56L, 2, z++, 1003);
        dt.createNode("/app/container", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, NodeKind.CONTAINER_OWNER, 3, z++, 1004);
        dt.createNode("/app/ttl", new byte[] {9}, ZooDefs.Ids.READ_ACL_UNSAFE,
                NodeKind.TTL_OWNER_MASK | 60_000L, 4, z++, 1005);
        dt.createNode("/app-b", new byte[1024], DIGEST_ACL, 0, 2, z++, 1006);
        dt.createNode("/app/zz", new byte[] {7}, ZooDefs.Ids.OPEN_ACL_UNSAFE, 0, 5, z++, 1007);
        dt.createNode("/app/a.b", new byte[] {8}, ZooDefs.Ids.OPEN_ACL_UNSAFE, 0, 6, z++, 1008);
        dt.setData("/app", "config-2".getBytes(StandardCharsets.UTF_8), 1, z++, 1009);
        dt.setACL("/app/zz", IP_ACL, 1);
        dt.deleteNode("/app/a.b", z++);
        for (int i = 0; i < 40; i++) {
            dt.createNode("/many-" + i, new byte[i], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0, 3 + i, z++, 2000 + i);
        }
        return dt;
    }

    static byte[] zkStream(DataTree dt, Map<Long, Integer> sessions) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryOutputArchive oa = BinaryOutputArchive.getArchive(bytes);
        SerializeUtils.serializeSnapshot(dt, oa, sessions);
        oa.writeString(ZooKeeperSnapReader.SIGNATURE, "signature");
        return bytes.toByteArray();
    }

    static Map<Long, Integer> sessions() {
        Map<Long, Integer> sessions = new LinkedHashMap<>();
        sessions.put(0x55L, 30_000);
        sessions.put(0x56L, 4_000);
        sessions.put(0x1_0000_0000_0057L, 40_000);
        return sessions;
    }

    /** Feeds the stream in pieces of the given sizes, as a socket would deliver it. */
    static SnapshotData readInPieces(byte[] stream, Random random, int pieceMax) throws PeerProtocolException {
        ZooKeeperSnapReader reader = new ZooKeeperSnapReader(ZXID, 77, BUDGET, "SNAP from server 2");
        int pos = 0;
        int arrived = 0;
        for (int calls = 0; calls < 10 * stream.length + 10; calls++) {
            DecodeResult<Object> r = reader.decode(stream, pos, arrived - pos);
            if (r instanceof DecodeResult.NeedMore<Object> more) {
                assertTrue(arrived - pos < more.bytesNeeded(), "asked for more than it has");
                arrived = Math.min(stream.length, Math.max(arrived + 1 + random.nextInt(pieceMax), pos + more.bytesNeeded()));
                continue;
            }
            DecodeResult.Complete<Object> c = (DecodeResult.Complete<Object>) r;
            pos += c.length();
            if (c.value() instanceof SnapshotData data) {
                assertTrue(reader.done());
                assertEquals(stream.length, pos, "the snapshot ends with the signature's last byte");
                assertEquals(stream.length, reader.consumed());
                return data;
            }
            assertEquals(ZooKeeperSnapReader.PROGRESS, c.value());
            if (pos == arrived) {
                arrived = Math.min(stream.length, arrived + 1 + random.nextInt(pieceMax));
            }
        }
        throw new AssertionError("no snapshot after " + stream.length + " bytes");
    }

    @Test
    void everyNodeAndSessionComesBackAsZooKeeperHoldsIt() throws Exception {
        DataTree dt = zkTree();
        byte[] stream = zkStream(dt, sessions());
        SnapshotData data = readInPieces(stream, new Random(1), stream.length);

        assertEquals(ZXID, data.header().lastZxid());
        assertEquals(SnapshotFormat.VERSION, data.header().version());
        List<SnapshotSession> expectedSessions = new ArrayList<>();
        sessions().forEach((id, timeout) -> expectedSessions.add(
                new SnapshotSession(id, timeout, ZabTxnCodec.zooKeeperPassword(id))));
        assertEquals(expectedSessions.size(), data.sessions().size());
        assertTrue(data.sessions().containsAll(expectedSessions), data.sessions().toString());

        // Every ZooKeeper node but /zookeeper/config (the learner keeps its own), field for field.
        int compared = 0;
        for (SnapshotNode n : data.nodes()) {
            String zkPath = n.path().equals("/") ? "" : n.path();
            DataNode zk = dt.getNode(zkPath.isEmpty() ? "/" : zkPath);
            StatPersisted st = zk.stat;
            assertArrayEquals(zk.getData(), n.data(), n.path());
            assertEquals(acls(dt.getACL(zk)), n.acl(), n.path());
            assertEquals(st.getEphemeralOwner(), n.kind().encodeOwner(n.ephemeralOwner(), n.ttlMs()), n.path());
            assertEquals(st.getCzxid(), n.czxid());
            assertEquals(st.getMzxid(), n.mzxid());
            assertEquals(st.getCtime(), n.ctime());
            assertEquals(st.getMtime(), n.mtime());
            assertEquals(st.getVersion(), n.version());
            assertEquals(st.getCversion(), n.cversion(), n.path());
            assertEquals(st.getAversion(), n.aversion());
            assertEquals(st.getPzxid(), n.pzxid());
            compared++;
        }
        // ZooKeeper's node map holds its root twice, under "" and "/".
        assertEquals(dt.getNodeCount() - 2, compared, "all nodes but /zookeeper/config");
        assertFalse(data.nodes().stream().anyMatch(n -> n.path().equals("/zookeeper/config")));
        assertEquals(NodeKind.CONTAINER, node(data, "/app/container").kind());
        assertEquals(NodeKind.TTL, node(data, "/app/ttl").kind());
        assertEquals(60_000L, node(data, "/app/ttl").ttlMs());
        assertEquals(NodeKind.EPHEMERAL, node(data, "/app/locks/lock-0000000001").kind());
        assertEquals(0x56L, node(data, "/app/locks/lock-0000000001").ephemeralOwner());
        assertEquals(null, node(data, "/app/locks").data());
        assertEquals(Acl.OPEN, node(data, "/app").acl());

        // In our order: our own snapshot format takes it as it is and reads back the same.
        SnapshotEncoder encoder = new SnapshotEncoder(data.asSource());
        JuteWriter out = new JuteWriter(4096);
        while (!encoder.writeNext(out, 7)) {
            // bounded frames
        }
        SnapshotData again = SnapshotData.decode(out.toByteArray(), "again");
        assertEquals(data.nodes(), again.nodes());
        assertEquals("/", again.nodes().get(0).path());
    }

    @Test
    void anySplitOfTheStreamReadsTheSame() throws Exception {
        byte[] stream = zkStream(zkTree(), sessions());
        SnapshotData whole = readInPieces(stream, new Random(0), stream.length);
        for (int seed = 1; seed <= 30; seed++) {
            SnapshotData pieces = readInPieces(stream, new Random(seed), 1 + seed % 13);
            assertEquals(whole.nodes(), pieces.nodes(), "seed " + seed);
            assertEquals(whole.sessions(), pieces.sessions(), "seed " + seed);
        }
    }

    @Test
    void everyPrefixIsOnlyAPrefix() throws Exception {
        byte[] stream = zkStream(zkTree(), sessions());
        for (int cut = 0; cut < stream.length; cut++) {
            ZooKeeperSnapReader reader = new ZooKeeperSnapReader(ZXID, 0, BUDGET, "SNAP");
            int pos = 0;
            for (int i = 0; i <= cut; i++) {
                DecodeResult<Object> r = reader.decode(stream, pos, cut - pos);
                if (r instanceof DecodeResult.NeedMore<Object> more) {
                    assertTrue(pos + more.bytesNeeded() <= stream.length, "needs more than the stream at cut " + cut);
                    break;
                }
                pos += ((DecodeResult.Complete<Object>) r).length();
                assertEquals(ZooKeeperSnapReader.PROGRESS, ((DecodeResult.Complete<Object>) r).value());
            }
            assertFalse(reader.done(), "done at cut " + cut);
        }
    }

    @Test
    void anEmptyTreeWithoutSessions() throws Exception {
        SnapshotData data = readInPieces(zkStream(new DataTree(), Map.of()), new Random(3), 5);
        assertEquals(List.of("/", "/zookeeper", "/zookeeper/quota"), data.nodes().stream().map(SnapshotNode::path).toList());
        assertTrue(data.sessions().isEmpty());
    }

    @Test
    void damageIsRefusedWithWhatWasWrong() {
        // a session count no budget holds
        assertRefused(ints(Integer.MAX_VALUE), "session count");
        assertRefused(ints(-1), "session count");
        // an ACL table that does not fit either
        assertRefused(ints(0, 1 << 30), "ACL table size");
        // a child before its parent
        assertRefused(stream(out -> {
            out.writeInt(0).writeInt(0);
            node(out, "", -1L, 0);
            node(out, "/a/b", -1L, 0);
        }), "before its parent");
        // the same path twice
        assertRefused(stream(out -> {
            out.writeInt(0).writeInt(0);
            node(out, "", -1L, 0);
            node(out, "/a", -1L, 0);
            node(out, "/a", -1L, 0);
        }), "twice");
        // a malformed path
        assertRefused(stream(out -> {
            out.writeInt(0).writeInt(0);
            node(out, "", -1L, 0);
            node(out, "a", -1L, 0);
        }), "malformed node path");
        // a null path
        assertRefused(stream(out -> out.writeInt(0).writeInt(0).writeInt(-1)), "node path length -1");
        // an ephemeralOwner of an extended type ZooKeeper does not know
        assertRefused(stream(out -> {
            out.writeInt(0).writeInt(0);
            node(out, "", -1L, 0);
            node(out, "/x", -1L, 0xFF01_0000_0000_0000L);
        }), "unknown extended ephemeralOwner");
        // no root before the end of the nodes
        assertRefused(stream(out -> out.writeInt(0).writeInt(0).writeString("/")), "without a root");
        // a wrong signature
        assertRefused(stream(out -> {
            out.writeInt(0).writeInt(0);
            node(out, "", -1L, 0);
            out.writeString("/").writeString("BenWasNear");
        }), "not the signature");
        // a null ACL list in the table
        assertRefused(stream(out -> out.writeInt(0).writeInt(1).writeLong(1).writeInt(-1)), "ACL list");
    }

    /**
     * A node whose ACL ref is not in the table (created while a ZooKeeper leader serialized its
     * tree, after the table) is kept with an ACL that lets nobody in (world:anyone, no permission;
     * an empty ACL would let everyone in), which its replayed create replaces; the reader counts them.
     */
    @Test
    void aNodeWhoseAclRefIsNotInTheTableLetsNobodyIn() throws Exception {
        byte[] bytes = stream(out -> {
            out.writeInt(0).writeInt(0);
            node(out, "", -1L, 0);
            node(out, "/late", 5L, 0);
            out.writeString("/").writeString(ZooKeeperSnapReader.SIGNATURE);
        });
        ZooKeeperSnapReader reader = new ZooKeeperSnapReader(ZXID, 0, BUDGET, "SNAP");
        SnapshotData data = (SnapshotData) ((DecodeResult.Complete<Object>) reader.decode(bytes, 0, bytes.length)).value();
        assertEquals(List.of(new Acl(0, io.paddock.core.wire.Id.ANYONE)), node(data, "/late").acl());
        assertFalse(io.paddock.core.tree.AclCheck.permitted(node(data, "/late").acl(), Acl.READ, List.of(io.paddock.core.wire.Id.ANYONE), false));
        assertEquals(1, reader.unknownAclRefs());
    }

    @Test
    void aStreamLargerThanTheBudgetIsRefused() throws Exception {
        byte[] stream = zkStream(zkTree(), sessions());
        ZooKeeperSnapReader reader = new ZooKeeperSnapReader(ZXID, 0, stream.length / 2, "SNAP from server 2");
        PeerProtocolException e = assertThrows(PeerProtocolException.class, () -> reader.decode(stream, 0, stream.length));
        assertTrue(e.getMessage().contains("larger than the " + stream.length / 2), e.getMessage());
    }

    /**
     * The budget counts what the stream costs in memory, not its bytes: nodes naming one long ACL
     * list by its 8-byte ref (each holds the whole list once written in our format), or a stream of
     * tiny sessions, are refused once that cost passes the budget, long before their bytes would.
     */
    @Test
    void theBudgetCountsMemoryNotStreamBytes() {
        int budget = 1 << 20;
        JuteWriter out = new JuteWriter(1 << 16);
        out.writeInt(0).writeInt(1).writeLong(1).writeInt(1000);
        for (int i = 0; i < 1000; i++) {
            out.writeInt(1).writeString("ip").writeString("10.0.0." + (i % 250));
        }
        node(out, "", -1L, 0);
        for (int i = 0; i < 2000; i++) {
            node(out, "/n" + i, 1L, 0);
        }
        byte[] acls = out.toByteArray();
        assertTrue(acls.length < budget / 4, "the stream itself is small: " + acls.length);
        ZooKeeperSnapReader reader = new ZooKeeperSnapReader(ZXID, 0, budget, "SNAP from server 2");
        PeerProtocolException e = assertThrows(PeerProtocolException.class, () -> reader.decode(acls, 0, acls.length));
        assertTrue(e.getMessage().contains("larger than the " + budget + " bytes"), e.getMessage());
        assertTrue(reader.consumed() < budget / 4, "refused after " + reader.consumed() + " bytes");

        JuteWriter sessions = new JuteWriter(1 << 16);
        int count = budget / ZooKeeperSnapReader.SESSION_COST + 1;
        sessions.writeInt(count);
        assertRefused(sessions.toByteArray(), "session count " + count);
    }

    /**
     * As a learner's shell reads the stream while it arrives, in any split: the reader ends at the
     * signature with the whole snapshot, and holds the stream to its budget.
     */
    @Test
    void readAsItArrivesItEndsAtTheSignatureAndHoldsTheBudget() throws Exception {
        byte[] stream = zkStream(zkTree(), sessions());
        SnapshotData whole = readInPieces(stream, new Random(1), stream.length);
        for (int split = 1; split <= stream.length; split += 97) {
            ZooKeeperSnapReader reader = new ZooKeeperSnapReader(ZXID, 0, BUDGET, "arriving");
            int pos = 0;
            Object last = null;
            for (int i = 0; i < stream.length && !reader.done(); i++) {
                int arrived = Math.min(stream.length, pos + split);
                DecodeResult<Object> r = reader.decode(stream, pos, arrived - pos);
                if (r instanceof DecodeResult.Complete<Object> c) {
                    pos += c.length();
                    last = c.value();
                } else {
                    split = Math.max(split, ((DecodeResult.NeedMore<Object>) r).bytesNeeded());
                }
            }
            assertEquals(stream.length, pos, "split " + split);
            assertEquals(whole.nodes(), ((SnapshotData) last).nodes(), "split " + split);
        }
        ZooKeeperSnapReader small = new ZooKeeperSnapReader(ZXID, 0, stream.length / 2, "small");
        assertThrows(PeerProtocolException.class, () -> small.decode(stream, 0, stream.length));
    }

    @Test
    void pathsSortIntoOurSnapshotOrder() {
        List<String> sorted = new ArrayList<>(List.of("/a-c", "/a/b", "/", "/a", "/a.b", "/a/b/c", "/b", "/a/a"));
        sorted.sort(ZooKeeperSnapReader::comparePaths);
        assertEquals(List.of("/", "/a", "/a/a", "/a/b", "/a/b/c", "/a-c", "/a.b", "/b"), sorted);
    }

    private static SnapshotNode node(SnapshotData data, String path) {
        return data.nodes().stream().filter(n -> n.path().equals(path)).findFirst().orElseThrow();
    }

    private static List<Acl> acls(List<ACL> zk) {
        return zk.stream().map(a -> new Acl(a.getPerms(), new io.paddock.core.wire.Id(a.getId().getScheme(),
                a.getId().getId()))).toList();
    }

    private static void node(JuteWriter out, String path, long aclRef, long owner) {
        out.writeString(path).writeBuffer(new byte[] {1}).writeLong(aclRef);
        out.writeLong(1).writeLong(1).writeLong(0).writeLong(0).writeInt(0).writeInt(0).writeInt(0)
                .writeLong(owner).writeLong(1);
    }

    private static byte[] ints(int... values) {
        JuteWriter out = new JuteWriter(64);
        for (int v : values) {
            out.writeInt(v);
        }
        return out.toByteArray();
    }

    private static byte[] stream(java.util.function.Consumer<JuteWriter> body) {
        JuteWriter out = new JuteWriter(256);
        body.accept(out);
        return out.toByteArray();
    }

    private static void assertRefused(byte[] stream, String reason) {
        ZooKeeperSnapReader reader = new ZooKeeperSnapReader(ZXID, 0, 1 << 20, "SNAP from server 2");
        PeerProtocolException e = assertThrows(PeerProtocolException.class, () -> {
            int pos = 0;
            for (int i = 0; i < 100; i++) {
                DecodeResult<Object> r = reader.decode(stream, pos, stream.length - pos);
                assertInstanceOf(DecodeResult.Complete.class, r, "ran out of bytes instead of refusing: " + reason);
                pos += ((DecodeResult.Complete<Object>) r).length();
            }
        });
        assertTrue(e.getMessage().contains(reason), "expected \"" + reason + "\" in: " + e.getMessage());
    }
}
