package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.core.wire.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Proves that a node's children, kept as a sorted array of nodes whose names are read from
 * their paths, behave like a sorted set of names (String order, as Paddock always returned
 * them): names that are prefixes of others, non-ASCII names, creates and deletes in random
 * order, sequential appends, and the parent-first, name-ordered walk that snapshots rely on.
 */
class ChildOrderTest {
    private static final String[] NAMES = {
        "a", "ab", "a-", "a0", "b", "B", "\u00e9", "\u4e2d", "zz", "z", "lock-0000000001", "lock-0000000010",
        "x".repeat(40), "x".repeat(39) + "y", "1", "10", "9"};

    @Test
    void randomCreatesAndDeletesKeepStringOrder() {
        Random random = new Random(20261125L);
        DataTree tree = new DataTree();
        tree.create("/p", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 1, 0);
        TreeSet<String> expected = new TreeSet<>();
        long zxid = 2;
        for (int step = 0; step < 3_000; step++) {
            String name = NAMES[random.nextInt(NAMES.length)] + (random.nextBoolean() ? "" : random.nextInt(50));
            if (expected.contains(name)) {
                tree.delete("/p/" + name, zxid++);
                expected.remove(name);
            } else {
                tree.create("/p/" + name, new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
                expected.add(name);
            }
            if (step % 100 == 0) {
                assertEquals(new ArrayList<>(expected), tree.children("/p"), "after step " + step);
                tree.checkInvariants();
            }
        }
        assertEquals(new ArrayList<>(expected), tree.children("/p"));
        assertEquals(expected.size(), tree.get("/p").numChildren());
        tree.checkInvariants();
    }

    @Test
    void sequentialAppendsAndDeletesFromTheFront() {
        DataTree tree = new DataTree();
        tree.create("/q", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 1, 0);
        for (int i = 0; i < 1_000; i++) {
            tree.create(String.format("/q/item-%010d", i), new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1,
                    2 + i, 0);
        }
        for (int i = 0; i < 990; i++) {
            tree.delete(String.format("/q/item-%010d", i), 2_000 + i);
        }
        List<String> left = new ArrayList<>();
        for (int i = 990; i < 1_000; i++) {
            left.add(String.format("item-%010d", i));
        }
        assertEquals(left, tree.children("/q"));
        assertEquals(10, tree.allChildrenNumber("/q"));
        tree.checkInvariants();
    }

    @Test
    void aParentDeletedAndCreatedAgainGetsTheNewChildren() {
        DataTree tree = new DataTree();
        long zxid = 1;
        tree.create("/d", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        tree.create("/d/x", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        tree.delete("/d/x", zxid++);
        tree.delete("/d", zxid++);
        tree.create("/d", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        tree.create("/d/y", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        tree.create("/dd", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        tree.create("/dd/z", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        tree.create("/d/w", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        assertEquals(List.of("w", "y"), tree.children("/d"));
        assertEquals(List.of("z"), tree.children("/dd"));
        assertEquals(List.of("d", "dd", "zookeeper"), tree.children("/"));
        tree.checkInvariants();
    }

    @Test
    void walkIsParentFirstWithSiblingsInNameOrder() {
        DataTree tree = new DataTree();
        long zxid = 1;
        for (String path : List.of("/b", "/a", "/a/z", "/a/y", "/a/y/1", "/ab", "/a/y/0")) {
            tree.create(path, new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 0);
        }
        List<String> walk = new ArrayList<>();
        tree.forEach((path, node) -> {
            assertEquals(path, node.path());
            walk.add(path);
        });
        assertEquals(List.of("/", "/a", "/a/y", "/a/y/0", "/a/y/1", "/a/z", "/ab", "/b", "/zookeeper",
                "/zookeeper/config", "/zookeeper/quota"), walk);
        assertEquals(10, tree.allChildrenNumber("/"));
    }
}
