package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.session.SessionTable;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.TreeCapture;
import io.paddock.core.storage.TreeSnapshot;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A leader's SNAP stream read out of its live tree in pieces while writes go on (creates, deletes,
 * setData, setACL with ACL lists new to the tree, on nodes read out and not yet) is byte for byte
 * the stream of the state at the zxid it began at, as the writer makes it from an eager copy;
 * several streams and a snapshot to disk read the same tree at once; a stream abandoned or read
 * out leaves the tree unguarded.
 */
class ZooKeeperSnapStreamTest {
    private static final long TIME_MS = 1_700_000_000_000L;

    @Test
    void piecesInterleavedWithWritesGiveTheStreamOfTheStateAtTheStart() throws Exception {
        for (long seed = 1; seed <= 40; seed++) {
            Random random = new Random(seed);
            DataTree tree = new DataTree();
            SessionTable sessions = new SessionTable(2000);
            sessions.add(0x11L, 30_000, ZabTxnCodec.zooKeeperPassword(0x11L), 0);
            sessions.add(0x7L, 6_000, ZabTxnCodec.zooKeeperPassword(0x7L), 0);
            long[] zxid = {1};
            List<String> paths = new ArrayList<>(List.of("/"));
            for (int i = 0; i < 300; i++) {
                randomWrite(random, tree, paths, zxid);
            }
            long at = zxid[0] - 1;
            byte[] expected = writerStream(tree, sessions, at);
            List<SnapshotNode> nodesAtStart = new ArrayList<>();
            TreeSnapshot.capture(tree, sessions, at, TIME_MS).nodes().forEachRemaining(n -> {
                if (!n.path().equals("/zookeeper/config")) { // a learner keeps its own
                    nodesAtStart.add(n);
                }
            });

            ZooKeeperSnapStream first = ZooKeeperSnapStream.begin(tree, sessions, at, TIME_MS);
            ZooKeeperSnapStream second = ZooKeeperSnapStream.begin(tree, sessions, at, TIME_MS);
            TreeCapture toDisk = TreeCapture.begin(tree, sessions, at, TIME_MS);
            assertEquals(3, tree.guardCount());
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            boolean aDone = false;
            boolean bDone = false;
            for (int round = 0; round < 100_000 && !(aDone && bDone); round++) {
                for (int i = random.nextInt(6); i > 0; i--) {
                    randomWrite(random, tree, paths, zxid); // the loop goes on between pieces
                }
                if (!aDone) {
                    byte[] piece = first.next(1 + random.nextInt(300));
                    aDone = piece == null;
                    if (piece != null) {
                        a.writeBytes(piece);
                    }
                }
                if (!bDone && random.nextBoolean()) {
                    byte[] piece = second.next(1 + random.nextInt(2000));
                    bDone = piece == null;
                    if (piece != null) {
                        b.writeBytes(piece);
                    }
                }
            }
            assertTrue(aDone && bDone, "seed " + seed + ": both streams ended");
            assertArrayEquals(expected, a.toByteArray(), "seed " + seed);
            assertArrayEquals(expected, b.toByteArray(), "seed " + seed);
            assertFalse(first.holdsTree());
            assertEquals(1, tree.guardCount(), "only the capture for the disk is left");
            toDisk.end();
            assertEquals(0, tree.guardCount());
            tree.checkInvariants();

            SnapshotData read = ZooKeeperSnapReaderTest.readInPieces(a.toByteArray(), random, 500);
            assertEquals(nodesAtStart, read.nodes(), "seed " + seed);
        }
    }

    @Test
    void anAbandonedStreamLetsTheTreeGoAndHandsOutNothingMore() {
        DataTree tree = new DataTree();
        for (int i = 0; i < 1000; i++) {
            tree.create("/n" + i, new byte[100], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, i + 1, i + 1);
        }
        ZooKeeperSnapStream stream = ZooKeeperSnapStream.begin(tree, new SessionTable(2000), 1000, TIME_MS);
        byte[] piece = stream.next(1000);
        assertTrue(piece.length >= 1000 && piece.length < 1000 + 300, "a piece is its bound plus one node: " + piece.length);
        tree.setData("/n999", new byte[] {1}, 1, 1001, 1001); // not read out yet: kept for the stream
        stream.abandon();
        assertFalse(stream.holdsTree());
        assertEquals(0, tree.guardCount());
        assertNull(stream.next(1000));
        stream.abandon(); // idempotent
    }

    @Test
    void aPieceIsBoundedWhateverTheTreeSize() {
        DataTree tree = new DataTree();
        for (int i = 0; i < 5000; i++) {
            tree.create("/n" + i, new byte[1000], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, i + 1, i + 1);
        }
        ZooKeeperSnapStream stream = ZooKeeperSnapStream.begin(tree, new SessionTable(2000), 5000, TIME_MS);
        int pieces = 0;
        long total = 0;
        for (byte[] p = stream.next(64 * 1024); p != null; p = stream.next(64 * 1024)) {
            assertTrue(p.length < 64 * 1024 + 1200, "piece " + pieces + ": " + p.length);
            pieces++;
            total += p.length;
        }
        assertTrue(pieces >= 5_000_000 / (64 * 1024), pieces + " pieces");
        assertTrue(total > 5_000_000);
    }

    /** What the writer makes of an eager copy of the tree at {@code at} (the stream's reference). */
    private static byte[] writerStream(DataTree tree, SessionTable sessions, long at) throws Exception {
        byte[] ours = SnapshotFormat.encode(TreeSnapshot.capture(tree, sessions, at, TIME_MS));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ZooKeeperSnapWriter.write(ours, "reference", 1 << 16, out::writeBytes);
        return out.toByteArray();
    }

    private static final List<List<Acl>> ACLS = List.of(Acl.OPEN, Acl.READ_ONLY,
            List.of(new Acl(Acl.ALL, new Id("digest", "u:x"))),
            List.of(new Acl(Acl.READ, new Id("ip", "127.0.0.1")), new Acl(Acl.ALL, new Id("digest", "a:b"))));

    /** An ACL list: a shared one, or now and then one never seen before (a fresh object too). */
    private static List<Acl> acl(Random random) {
        if (random.nextInt(5) == 0) {
            return List.of(new Acl(Acl.ALL, new Id("digest", "new:" + random.nextInt(50))));
        }
        return new ArrayList<>(ACLS.get(random.nextInt(ACLS.size())));
    }

    private static void randomWrite(Random random, DataTree tree, List<String> paths, long[] zxid) {
        io.paddock.core.storage.RandomTreeWrites.randomWrite(random, tree, paths, zxid, ZooKeeperSnapStreamTest::acl);
    }
}
