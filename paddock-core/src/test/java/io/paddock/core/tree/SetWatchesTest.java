package io.paddock.core.tree;

import static io.paddock.core.tree.NodeEvent.NODE_CHILDREN_CHANGED;
import static io.paddock.core.tree.NodeEvent.NODE_CREATED;
import static io.paddock.core.tree.NodeEvent.NODE_DATA_CHANGED;
import static io.paddock.core.tree.NodeEvent.NODE_DELETED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.Acl;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves setWatches (a client reconnecting with its watches) fires at once for what the client
 * missed after relativeZxid, with ZooKeeper's rules per list, and registers the rest.
 */
class SetWatchesTest {
    private static final long W = 7;
    private final DataTree tree = new DataTree();

    @Test
    void firesForMissedChangesAndRegistersTheRest() {
        create("/old", 0x10);
        create("/changed", 0x11);
        create("/parent", 0x12);
        create("/parent/kid", 0x30);
        tree.setData("/changed", new byte[] {1}, 1, 0x31, 0);
        List<Fired> fired = tree.setWatches(0x20,
                List.of("/old", "/changed", "/gone"),
                List.of("/old", "/absent"),
                List.of("/parent", "/old", "/gone"),
                List.of("/p"), List.of("/r"), W);
        assertEquals(List.of(
                catchUp(NODE_DATA_CHANGED, "/changed"), catchUp(NODE_DELETED, "/gone"),
                catchUp(NODE_CREATED, "/old"),
                catchUp(NODE_CHILDREN_CHANGED, "/parent"), catchUp(NODE_DELETED, "/gone")), fired);
        WatchRegistry watches = tree.watches();
        assertTrue(watches.checkWatches("/old", WatchRegistry.TYPE_DATA, W));
        assertTrue(watches.checkWatches("/absent", WatchRegistry.TYPE_DATA, W));
        assertTrue(watches.checkWatches("/old", WatchRegistry.TYPE_CHILDREN, W));
        assertTrue(watches.checkWatches("/p", WatchRegistry.TYPE_PERSISTENT, W));
        assertTrue(watches.checkWatches("/r", WatchRegistry.TYPE_PERSISTENT_RECURSIVE, W));
        assertEquals(2 + 1 + 2 + 1, watches.watchCount());
    }

    @Test
    void registeredWatchesFireOnLaterChanges() {
        create("/a", 0x10);
        assertEquals(List.of(), tree.setWatches(0x10, List.of("/a"), List.of("/b"), List.of("/a"), List.of(), List.of(), W));
        assertEquals(List.of(new Fired(W, NODE_CREATED, "/b", 0x11, Acl.OPEN)), create("/b", 0x11));
        assertEquals(List.of(new Fired(W, NODE_DELETED, "/a", 0x12, Acl.OPEN)), tree.delete("/a", 0x12));
    }

    private List<Fired> create(String path, long zxid) {
        return tree.create(path, new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid, 0).fired();
    }

    private static Fired catchUp(int eventType, String path) {
        return new Fired(W, eventType, path, Fired.NO_ZXID, List.of());
    }
}
