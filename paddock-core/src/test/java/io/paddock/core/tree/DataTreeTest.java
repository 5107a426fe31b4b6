package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.Stat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves each apply operation's effect on Stats as ZooKeeper 3.9.5 has it (values below were
 * checked against its DataTree, see DataTreeOracleTest), the starting nodes, the indexes the
 * session and clean-up code read, and that impossible transactions fail loudly.
 */
class DataTreeTest {
    private static final byte[] DATA = {1, 2, 3};
    private final DataTree tree = new DataTree();

    @Test
    void startsWithZooKeepersSystemNodes() {
        assertEquals(new Stat(0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0), tree.get("/").stat());
        assertEquals(new Stat(0, 0, 0, 0, 0, -2, 0, 0, 0, 2, 0), tree.get("/zookeeper").stat());
        assertEquals(Stat.EMPTY, tree.get("/zookeeper/quota").stat());
        assertEquals(new Stat(0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0), tree.get("/zookeeper/config").stat());
        assertEquals(Acl.READ_ONLY, tree.get("/zookeeper/config").acl());
        assertEquals(Acl.OPEN, tree.get("/zookeeper").acl());
        assertEquals(List.of("config", "quota"), tree.children("/zookeeper"));
        assertEquals(4, tree.nodeCount());
        assertEquals(5, tree.reportedNodeCount());
        assertEquals(3, tree.allChildrenNumber("/"));
        assertEquals(1 + 10 + 16 + 17, tree.approximateDataSize());
        tree.checkInvariants();
    }

    @Test
    void createSetsTheNodeAndParentStats() {
        Stat stat = tree.create("/a", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x10, 1000).stat();
        assertEquals(new Stat(0x10, 0x10, 1000, 1000, 0, 0, 0, 0, 3, 0, 0x10), stat);
        Stat root = tree.get("/").stat();
        assertEquals(0x10, root.pzxid());
        assertEquals(2, root.numChildren());
        assertEquals(1 * 2 - 2, root.cversion());
        assertEquals(1, tree.get("/").childCreations());
    }

    @Test
    void deleteMovesParentPzxidAndClientCversion() {
        tree.create("/a", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x10, 1000);
        tree.create("/a/x", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x11, 1001);
        assertEquals(1, tree.get("/a").stat().cversion());
        tree.delete("/a/x", 0x12);
        Stat parent = tree.get("/a").stat();
        assertEquals(2, parent.cversion());
        assertEquals(0x12, parent.pzxid());
        assertEquals(0, parent.numChildren());
        assertEquals(1, tree.get("/a").childCreations());
        // The next sequential name counts creations only (0000000001), while clients see cversion 2.
        tree.create("/a/x", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 2, 0x13, 1002);
        assertEquals(3, tree.get("/a").stat().cversion());
        assertNull(tree.get("/a/y"));
        tree.checkInvariants();
    }

    @Test
    void parentCversionFromTheTxnOnlyMovesForward() {
        tree.create("/a", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 0x10, 1000);
        assertEquals(1, tree.get("/").childCreations());
        tree.create("/b", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 5, 0x11, 1000);
        assertEquals(5, tree.get("/").childCreations());
        tree.create("/c", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 3, 0x12, 1000);
        assertEquals(5, tree.get("/").childCreations());
        assertEquals(0x11, tree.get("/").pzxid());
    }

    @Test
    void setDataAndSetAclChangeTheirVersions() {
        tree.create("/a", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x10, 1000);
        Stat stat = tree.setData("/a", new byte[] {9}, 1, 0x11, 2000).stat();
        assertEquals(new Stat(0x10, 0x11, 1000, 2000, 1, 0, 0, 0, 1, 0, 0x10), stat);
        List<Acl> acl = List.of(new Acl(Acl.READ, new Id("ip", "10.0.0.0/8")));
        Stat afterAcl = tree.setAcl("/a", acl, 1);
        assertEquals(new Stat(0x10, 0x11, 1000, 2000, 1, 0, 1, 0, 1, 0, 0x10), afterAcl);
        assertEquals(acl, tree.get("/a").acl());
        assertArrayEquals(new byte[] {9}, tree.get("/a").data());
        assertEquals(1 + 10 + 16 + 17 + 2 + 1, tree.approximateDataSize());
    }

    @Test
    void ephemeralsContainersAndTtlNodesAreIndexedAndShowOwnerAsClientsSeeIt() {
        tree.create("/e1", DATA, Acl.OPEN, NodeKind.EPHEMERAL, 0x55, 0, 1, 0x10, 1000);
        tree.create("/c", DATA, Acl.OPEN, NodeKind.CONTAINER, 0, 0, 2, 0x11, 1000);
        tree.create("/c/e2", DATA, Acl.OPEN, NodeKind.EPHEMERAL, 0x55, 0, 1, 0x12, 1000);
        tree.create("/t", DATA, Acl.OPEN, NodeKind.TTL, 0, 5000, 3, 0x13, 1000);
        assertEquals(0x55, tree.get("/e1").stat().ephemeralOwner());
        assertEquals(0, tree.get("/c").stat().ephemeralOwner());
        assertEquals(0, tree.get("/t").stat().ephemeralOwner());
        assertEquals(Long.MIN_VALUE, tree.get("/c").encodedEphemeralOwner());
        assertEquals(0xFF00000000001388L, tree.get("/t").encodedEphemeralOwner());
        assertEquals(NodeKind.TTL, NodeKind.ofEncodedOwner(0xFF00000000001388L));
        assertEquals(5000, NodeKind.ttlOfEncodedOwner(0xFF00000000001388L));
        assertEquals(List.of("/c/e2", "/e1"), List.copyOf(tree.ephemerals(0x55)));
        assertEquals(List.of("/c/e2"), tree.ephemeralsUnder(0x55, "/c"));
        assertEquals(List.of("/c/e2", "/e1"), tree.ephemeralsUnder(0x55, "/"));
        assertEquals(List.of("/c/e2", "/e1"), tree.ephemeralsUnder(0x55, " "));
        assertEquals(List.of("/c"), List.copyOf(tree.containers()));
        assertEquals(List.of("/t"), List.copyOf(tree.ttlNodes()));
        assertEquals(2, tree.ephemeralCount());
        tree.closeSession(0x55, 0x14);
        assertEquals(List.of(), List.copyOf(tree.ephemerals(0x55)));
        assertEquals(0x14, tree.get("/c").pzxid());
        assertEquals(0, tree.ephemeralCount());
        tree.delete("/c", 0x15);
        tree.delete("/t", 0x16);
        assertEquals(List.of(), List.copyOf(tree.containers()));
        assertEquals(List.of(), List.copyOf(tree.ttlNodes()));
        tree.checkInvariants();
    }

    @Test
    void countsAllDescendants() {
        tree.create("/a", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x10, 1000);
        tree.create("/a/b", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x11, 1000);
        tree.create("/a/b/c", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x12, 1000);
        tree.create("/ab", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 2, 0x13, 1000);
        assertEquals(2, tree.allChildrenNumber("/a"));
        assertEquals(0, tree.allChildrenNumber("/a/b/c"));
        assertEquals(0, tree.allChildrenNumber("/missing"));
        assertEquals(7, tree.allChildrenNumber("/"));
        List<String> visited = new ArrayList<>();
        tree.forEach((path, node) -> visited.add(path));
        assertEquals(List.of("/", "/a", "/a/b", "/a/b/c", "/ab", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"), visited);
        assertNull(tree.children("/missing"));
    }

    @Test
    void impossibleTransactionsThrow() {
        tree.create("/e", DATA, Acl.OPEN, NodeKind.EPHEMERAL, 0x55, 0, 1, 0x10, 1000);
        tree.create("/p", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 2, 0x11, 1000);
        tree.create("/p/c", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0x12, 1000);
        assertThrows(IllegalStateException.class, () -> create("/missing/x", NodeKind.PERSISTENT, 0, 0));
        assertThrows(IllegalStateException.class, () -> create("/p", NodeKind.PERSISTENT, 0, 0));
        assertThrows(IllegalStateException.class, () -> create("/e/x", NodeKind.PERSISTENT, 0, 0));
        assertThrows(IllegalStateException.class, () -> create("/x", NodeKind.EPHEMERAL, 0, 0));
        assertThrows(IllegalStateException.class, () -> create("/x", NodeKind.PERSISTENT, 0x55, 0));
        assertThrows(IllegalStateException.class, () -> create("/x", NodeKind.TTL, 0, 0));
        assertThrows(IllegalStateException.class, () -> create("/x", NodeKind.TTL, 0, NodeKind.TTL_MS_MAX + 1));
        assertThrows(InvalidPathException.class, () -> create("/x/", NodeKind.PERSISTENT, 0, 0));
        assertThrows(IllegalStateException.class, () -> tree.delete("/p", 0x13));
        assertThrows(IllegalStateException.class, () -> tree.delete("/missing", 0x13));
        assertThrows(IllegalStateException.class, () -> tree.delete("/", 0x13));
        assertThrows(IllegalStateException.class, () -> tree.setData("/missing", DATA, 1, 0x13, 1));
        assertThrows(IllegalStateException.class, () -> tree.setAcl("/missing", Acl.OPEN, 1));
        tree.checkInvariants();
    }

    private void create(String path, NodeKind kind, long session, long ttlMs) {
        tree.create(path, DATA, Acl.OPEN, kind, session, ttlMs, -1, 0x20, 1000);
    }
}
