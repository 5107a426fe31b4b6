package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.core.wire.Acl;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the container manager's rule: an empty container goes only if it once had a child, an
 * empty TTL node goes once unmodified for longer than its TTL, and a sweep stops at its budget.
 */
class ContainerSweepTest {
    @Test
    void choosesEmptiedContainersAndExpiredTtlNodesUpToTheBudget() {
        DataTree t = new DataTree();
        t.create("/never", null, Acl.OPEN, NodeKind.CONTAINER, 0, 0, -1, 1, 0);
        t.create("/emptied", null, Acl.OPEN, NodeKind.CONTAINER, 0, 0, -1, 2, 0);
        t.create("/emptied/x", null, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 3, 0);
        t.delete("/emptied/x", 4);
        t.create("/full", null, Acl.OPEN, NodeKind.CONTAINER, 0, 0, -1, 5, 0);
        t.create("/full/x", null, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 6, 0);
        t.create("/ttl-old", null, Acl.OPEN, NodeKind.TTL, 0, 100, -1, 7, 1000);
        t.create("/ttl-new", null, Acl.OPEN, NodeKind.TTL, 0, 100, -1, 8, 1050);
        assertEquals(List.of("/emptied", "/ttl-old"), ContainerSweep.due(t, 1120, 10));
        assertEquals(List.of("/emptied"), ContainerSweep.due(t, 1120, 1), "the budget bounds a sweep");
        assertEquals(List.of("/emptied", "/ttl-new", "/ttl-old"), ContainerSweep.due(t, 5000, 10));
    }
}
