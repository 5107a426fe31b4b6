package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotEncoder;
import io.paddock.core.wire.JuteWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.jute.BinaryInputArchive;
import org.apache.zookeeper.data.StatPersisted;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.util.SerializeUtils;
import org.junit.jupiter.api.Test;

/**
 * What a Paddock leader streams after SNAP, read by ZooKeeper 3.9.5's own learner code
 * ({@code SerializeUtils.deserializeSnapshot}, then the signature): the same tree as the one it
 * came from, node for node and by ZooKeeper's own tree digest, and the same sessions.
 */
class ZooKeeperSnapWriterTest {
    private static final long ZXID = 0x3_0000_0042L;

    /** A ZooKeeper tree taken into our format the way a learner takes it, and that format's bytes. */
    private static byte[] ourSnapshot(DataTree zk, Map<Long, Integer> sessions) throws Exception {
        byte[] zkStream = ZooKeeperSnapReaderTest.zkStream(zk, sessions);
        SnapshotData data = ZooKeeperSnapReaderTest.readInPieces(zkStream, new Random(5), zkStream.length);
        SnapshotEncoder encoder = new SnapshotEncoder(data.asSource());
        JuteWriter out = new JuteWriter(4096);
        while (!encoder.writeNext(out, 16)) {
            // bounded frames
        }
        return out.toByteArray();
    }

    private static byte[] stream(byte[] ours, int pieceBytes, List<Integer> pieceSizes) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ZooKeeperSnapWriter.write(ours, "test snapshot", pieceBytes, piece -> {
            pieceSizes.add(piece.length);
            all.writeBytes(piece);
        });
        return all.toByteArray();
    }

    @Test
    void zooKeepersLearnerReadsTheSameTreeAndSessions() throws Exception {
        DataTree original = ZooKeeperSnapReaderTest.zkTree();
        Map<Long, Integer> sessions = ZooKeeperSnapReaderTest.sessions();
        byte[] stream = stream(ourSnapshot(original, sessions), 1 << 20, new ArrayList<>());

        DataTree learned = new DataTree();
        Map<Long, Integer> learnedSessions = new HashMap<>();
        BinaryInputArchive ia = BinaryInputArchive.getArchive(new ByteArrayInputStream(stream));
        SerializeUtils.deserializeSnapshot(learned, ia, learnedSessions);
        assertEquals(ZooKeeperSnapReader.SIGNATURE, ia.readString("signature"));

        assertEquals(sessions, learnedSessions);
        // Our learner keeps its own /zookeeper/config, so ours has none to send; ZooKeeper's learner
        // puts its own back after reading (ZOOKEEPER-2819). Every other node is as it was.
        int compared = 0;
        for (String path : paths(original, "/")) {
            if (path.equals("/zookeeper/config")) {
                continue;
            }
            DataNode a = original.getNode(path);
            DataNode b = learned.getNode(path);
            assertArrayEquals(a.getData(), b.getData(), path);
            assertEquals(original.getACL(a), learned.getACL(b), path);
            assertEquals(stat(a.stat), stat(b.stat), path);
            java.util.Set<String> children = new java.util.HashSet<>(a.getChildren());
            if (path.equals("/zookeeper")) {
                children.remove("config");
            }
            assertEquals(children, b.getChildren(), path);
            compared++;
        }
        assertEquals(original.getNodeCount() - 2, compared, "every node but config (the root is in ZooKeeper's map twice)");
        assertEquals(original.getTreeDigest(), learned.getTreeDigest(), "ZooKeeper's digest of both trees");
        assertEquals(original.getEphemerals(0x55L), learned.getEphemerals(0x55L));
        assertEquals(original.getContainers(), learned.getContainers());
    }

    @Test
    void itReadsBackAsItWasAndItsPiecesAreBounded() throws Exception {
        byte[] ours = ourSnapshot(ZooKeeperSnapReaderTest.zkTree(), ZooKeeperSnapReaderTest.sessions());
        List<Integer> bigPieces = new ArrayList<>();
        byte[] whole = stream(ours, 1 << 20, bigPieces);
        assertEquals(1, bigPieces.size());
        List<Integer> smallPieces = new ArrayList<>();
        byte[] pieced = stream(ours, 200, smallPieces);
        assertArrayEquals(whole, pieced, "the pieces make the same stream");
        assertTrue(smallPieces.size() > 5, smallPieces.toString());
        for (int size : smallPieces.subList(0, smallPieces.size() - 1)) {
            assertTrue(size >= 200 && size < 200 + 1200, "a piece is its bound plus one item: " + size);
        }
        SnapshotData original = SnapshotData.decode(ours, "ours");
        SnapshotData again = ZooKeeperSnapReaderTest.readInPieces(pieced, new Random(9), 300);
        assertEquals(original.nodes(), again.nodes());
        assertEquals(original.sessions(), again.sessions());
    }

    @Test
    void aStreamIsToldFromOurOwnFormat() throws Exception {
        byte[] ours = ourSnapshot(ZooKeeperSnapReaderTest.zkTree(), ZooKeeperSnapReaderTest.sessions());
        assertTrue(ZooKeeperSnapWriter.isStream(stream(ours, 300, new ArrayList<>())));
        assertTrue(!ZooKeeperSnapWriter.isStream(ours), "our own format opens with its magic");
    }

    private static List<String> paths(DataTree dt, String path) {
        List<String> all = new ArrayList<>();
        all.add(path);
        for (String child : dt.getNode(path).getChildren()) {
            all.addAll(paths(dt, (path.equals("/") ? "" : path) + "/" + child));
        }
        return all;
    }

    private static String stat(StatPersisted s) {
        return s.toString();
    }
}
