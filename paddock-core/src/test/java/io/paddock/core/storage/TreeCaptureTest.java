package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Proves that a snapshot read out of the live tree in pieces while writes go on (creates,
 * deletes, setData, setACL, on read and unread nodes, parents and new nodes) holds exactly the
 * state at its zxid, record for record and byte for byte, as one eager copy taken at that moment
 * would; that the tree stops reporting changes once the capture is read out or ended; and that
 * only nodes changed before they were read out are copied.
 */
class TreeCaptureTest {
    private static final long TIME_MS = 1_700_000_000_000L;

    @Test
    void piecesInterleavedWithRandomWritesGiveTheStateAtTheCaptureZxid() {
        for (long seed = 1; seed <= 30; seed++) {
            Random random = new Random(seed);
            DataTree tree = new DataTree();
            SessionTable sessions = new SessionTable(2000);
            sessions.add(0x11L, 30_000, new byte[16], 0);
            long[] zxid = {1};
            List<String> paths = new ArrayList<>(List.of("/"));
            for (int i = 0; i < 300; i++) {
                randomWrite(random, tree, paths, zxid);
            }
            long captureZxid = zxid[0] - 1;
            byte[] expected = SnapshotFormat.encode(TreeSnapshot.capture(tree, sessions, captureZxid, TIME_MS));

            TreeCapture capture = TreeCapture.begin(tree, sessions, captureZxid, TIME_MS);
            SnapshotSource pieces = capture.source(() -> {
                for (int i = random.nextInt(20); i > 0; i--) {
                    randomWrite(random, tree, paths, zxid); // the loop goes on between pieces
                }
                return capture.next(1 + random.nextInt(40));
            });
            byte[] actual = SnapshotFormat.encode(pieces);
            assertArrayEquals(expected, actual, "seed " + seed);
            assertTrue(capture.isEnded(), "reading out the last piece ends the capture");
            assertEquals(0, capture.preservedCount());
            assertEquals(0, tree.guardCount(), "the capture's guard is gone");
            tree.checkInvariants();
        }
    }

    @Test
    void copiesOnlyNodesChangedBeforeTheyWereReadOut() {
        DataTree tree = new DataTree();
        tree.create("/a", new byte[] {1}, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 1, 0);
        tree.create("/b", new byte[] {2}, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 2, 0);
        TreeCapture capture = TreeCapture.begin(tree, new SessionTable(2000), 2, TIME_MS);
        List<SnapshotNode> first = capture.next(2); // "/" and "/a"
        assertEquals(List.of("/", "/a"), first.stream().map(SnapshotNode::path).toList());
        tree.setData("/a", new byte[] {9}, 1, 3, 5);             // already read out: no copy needed
        tree.setData("/b", new byte[] {8}, 1, 4, 5);             // not read yet: must be copied
        tree.create("/c", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 5, 5); // new; "/" changes, read out already
        tree.setData("/c", new byte[] {7}, 1, 6, 6);             // new node: not in the capture
        assertEquals(1, capture.preservedCount(), "only /b: / and /a were read out, /c is new");
        List<SnapshotNode> rest = capture.next(100);
        SnapshotNode b = rest.get(0);
        assertEquals("/b", b.path());
        assertArrayEquals(new byte[] {2}, b.data());
        assertEquals(2, b.mzxid());
        assertTrue(rest.stream().noneMatch(n -> n.path().equals("/c")));
        assertEquals(List.of(), capture.next(100));
        assertTrue(capture.isEnded());
    }

    @Test
    void endedEarlyStopsGuardingAndRefusesMorePieces() {
        DataTree tree = new DataTree();
        TreeCapture capture = TreeCapture.begin(tree, new SessionTable(2000), 0, TIME_MS);
        assertThrows(IllegalStateException.class, () -> tree.restoreNode("/", new byte[0], Acl.OPEN,
                NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "no restore under a capture");
        TreeCapture another = TreeCapture.begin(tree, new SessionTable(2000), 0, TIME_MS); // a learner's SNAP too
        assertEquals(2, tree.guardCount());
        another.end();
        capture.next(1);
        capture.end();
        assertEquals(0, tree.guardCount());
        tree.create("/x", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 1, 0);
        assertEquals(0, capture.preservedCount());
        assertThrows(IllegalStateException.class, () -> capture.next(1));
        DataTree.ChangeGuard guard = node -> { };
        tree.guardChanges(guard);
        assertThrows(IllegalStateException.class, () -> tree.guardChanges(guard), "a guard is set once");
    }

    @Test
    void preorderComparisonMatchesTheTreeWalk() {
        DataTree tree = new DataTree();
        long zxid = 1;
        for (String path : List.of("/a", "/a!", "/a-", "/a/x", "/a/x!", "/a/x/y", "/a!/z", "/b", "/a0", "/\u00e9",
                "/a/x-", "/a/x-/q")) {
            tree.create(path, new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        }
        List<String> walk = new ArrayList<>();
        tree.forEach((path, node) -> walk.add(path));
        for (int i = 0; i < walk.size(); i++) {
            for (int j = 0; j < walk.size(); j++) {
                int expected = Integer.compare(i, j);
                assertEquals(expected, Integer.signum(TreeCapture.comparePreorder(walk.get(i), walk.get(j))),
                        walk.get(i) + " vs " + walk.get(j));
            }
        }
    }

    private static void randomWrite(Random random, DataTree tree, List<String> paths, long[] zxid) {
        RandomTreeWrites.randomWrite(random, tree, paths, zxid, r -> r.nextBoolean() ? Acl.OPEN : Acl.READ_ONLY);
    }
}
