package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotHeader;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Stat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * /zookeeper/config on an ensemble member shows the membership, as on a ZooKeeper quorum peer
 * (its Stat as ZooKeeper's: version -1, mzxid the configuration's version 0), outside the tree
 * digest, and it stays there when the replica loads another tree (a leader's snapshot, which
 * carries the leader's own or none).
 */
class MembershipNodeTest {
    private static final long T0 = 1_000_000;
    private static final byte[] TEXT = ("server.1=127.0.0.1:2888:3888:participant\n"
            + "server.2=127.0.0.1:2889:3889:participant\nversion=0").getBytes(StandardCharsets.UTF_8);

    @Test
    void theMembershipIsShownKeptAcrossALoadedSnapshotAndLeftOutOfTheDigest() {
        Replica replica = new Replica(CoreConfig.defaults(), 0x100, new byte[] {7}, T0);
        replica.expectEnsemble();
        long digest = replica.tree().treeDigest();
        long size = replica.tree().approximateDataSize();

        replica.showMembership(TEXT);

        assertShown(replica);
        assertEquals(digest, replica.tree().treeDigest(), "/zookeeper/ is outside the digest");
        assertEquals(size + TEXT.length, replica.tree().approximateDataSize(), "counted in the data size, as ZooKeeper does");
        replica.tree().checkInvariants();

        // A snapshot whose config node is empty (a learner's SNAP leaves the leader's out, our files keep an old one).
        SnapshotNode root = new SnapshotNode("/", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 1, 0, 7);
        SnapshotNode app = new SnapshotNode("/app", new byte[] {1}, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 7, 7, 0, 0, 0, 0, 0, 7);
        SnapshotNode config = new SnapshotNode(DataTree.CONFIG, new byte[0], Acl.READ_ONLY, NodeKind.PERSISTENT, 0, 0,
                0, 0, 0, 0, 0, 0, -1, 0);
        replica.restoredSnapshot(new SnapshotData("t", new SnapshotHeader(SnapshotFormat.VERSION, 7, 0), List.of(),
                List.of(root, app, config)));

        assertShown(replica);
        assertArrayEquals(new byte[] {1}, replica.tree().get("/app").data());
        replica.tree().checkInvariants();
    }

    private static void assertShown(Replica replica) {
        var node = replica.tree().get(DataTree.CONFIG);
        assertArrayEquals(TEXT, node.data());
        Stat stat = node.stat();
        assertEquals(new Stat(0, 0, 0, T0, -1, 0, -1, 0, TEXT.length, 0, 0), stat);
    }
}
