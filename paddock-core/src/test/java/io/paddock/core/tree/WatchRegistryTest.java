package io.paddock.core.tree;

import static io.paddock.core.tree.NodeEvent.NODE_CHILDREN_CHANGED;
import static io.paddock.core.tree.NodeEvent.NODE_CREATED;
import static io.paddock.core.tree.NodeEvent.NODE_DATA_CHANGED;
import static io.paddock.core.tree.NodeEvent.NODE_DELETED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Proves which watches each change fires, as ZooKeeper's WatchManager does: one-shot data,
 * exist and child watches (removed when fired), persistent watches (every event on their path,
 * children changes included), persistent-recursive ones (the subtree, never children changes),
 * one notification per watcher per event, removal/check by watcher type, and the counts.
 */
class WatchRegistryTest {
    private static final long W1 = 1;
    private static final long W2 = 2;
    private static final List<Acl> SECRET = List.of(new Acl(Acl.ALL, new Id("digest", "u:h")));
    private final DataTree tree = new DataTree();
    private final WatchRegistry watches = tree.watches();
    private long zxid = 0x100;

    @Test
    void createFiresExistAndParentChildWatchesOnce() {
        watches.addExistWatch("/a", W1);
        watches.addChildWatch("/", W2);
        List<Fired> fired = create("/a");
        assertEquals(List.of(new Fired(W1, NODE_CREATED, "/a", zxid, Acl.OPEN),
                new Fired(W2, NODE_CHILDREN_CHANGED, "/", zxid, Acl.OPEN)), fired);
        assertEquals(List.of(), create("/b"));
        assertEquals(0, watches.watchCount());
    }

    @Test
    void notificationsCarryTheAclToCheckForRead() {
        tree.create("/s", new byte[0], SECRET, NodeKind.PERSISTENT, 0, 0, -1, ++zxid, 0);
        watches.addDataWatch("/s", W1);
        watches.addChildWatch("/s", W1);
        create("/s/child");
        List<Fired> fired = tree.setData("/s", new byte[] {1}, 1, ++zxid, 0).fired();
        assertEquals(List.of(new Fired(W1, NODE_DATA_CHANGED, "/s", zxid, SECRET)), fired);
    }

    @Test
    void setDataFiresDataWatchesOnly() {
        create("/a");
        watches.addDataWatch("/a", W1);
        watches.addChildWatch("/a", W2);
        assertEquals(List.of(new Fired(W1, NODE_DATA_CHANGED, "/a", zxid + 1, Acl.OPEN)), setData("/a"));
        assertEquals(List.of(), setData("/a"));
        assertTrue(watches.checkWatches("/a", WatchRegistry.TYPE_CHILDREN, W2));
    }

    @Test
    void deleteTellsEachWatcherOncePerEvent() {
        create("/a");
        create("/a/b");
        watches.addDataWatch("/a/b", W1);
        watches.addChildWatch("/a/b", W1);
        watches.addChildWatch("/a/b", W2);
        watches.addChildWatch("/a", W1);
        List<Fired> fired = tree.delete("/a/b", ++zxid);
        assertEquals(List.of(new Fired(W1, NODE_DELETED, "/a/b", zxid, Acl.OPEN),
                new Fired(W2, NODE_DELETED, "/a/b", zxid, Acl.OPEN),
                new Fired(W1, NODE_CHILDREN_CHANGED, "/a", zxid, Acl.OPEN)), fired);
        assertEquals(0, watches.watchCount(), "the suppressed child watch is consumed too");
    }

    @Test
    void persistentWatchSeesEverythingOnItsPathAndStays() {
        watches.addWatch("/a", WatchRegistry.ADD_PERSISTENT, W1);
        assertEquals(List.of(new Fired(W1, NODE_CREATED, "/a", zxid + 1, Acl.OPEN)), create("/a"));
        assertEquals(List.of(new Fired(W1, NODE_CHILDREN_CHANGED, "/a", zxid + 1, Acl.OPEN)), create("/a/b"));
        assertEquals(List.of(), setData("/a/b"));
        assertEquals(List.of(new Fired(W1, NODE_DATA_CHANGED, "/a", zxid + 1, Acl.OPEN)), setData("/a"));
        tree.delete("/a/b", ++zxid);
        assertEquals(List.of(new Fired(W1, NODE_DELETED, "/a", zxid + 1, Acl.OPEN)), tree.delete("/a", ++zxid));
        assertTrue(watches.checkWatches("/a", WatchRegistry.TYPE_PERSISTENT, W1));
    }

    @Test
    void recursiveWatchSeesTheSubtreeButNeverChildrenChanged() {
        watches.addWatch("/a", WatchRegistry.ADD_PERSISTENT_RECURSIVE, W1);
        watches.addDataWatch("/a", W1);
        assertEquals(List.of(new Fired(W1, NODE_CREATED, "/a", zxid + 1, Acl.OPEN)), create("/a"));
        assertEquals(List.of(new Fired(W1, NODE_CREATED, "/a/b", zxid + 1, Acl.OPEN)), create("/a/b"));
        assertEquals(List.of(new Fired(W1, NODE_CREATED, "/a/b/c", zxid + 1, Acl.OPEN)), create("/a/b/c"));
        assertEquals(List.of(new Fired(W1, NODE_DATA_CHANGED, "/a/b/c", zxid + 1, Acl.OPEN)), setData("/a/b/c"));
        assertEquals(List.of(new Fired(W1, NODE_DELETED, "/a/b/c", zxid + 1, Acl.OPEN)), tree.delete("/a/b/c", ++zxid));
        assertEquals(List.of(), create("/ab"));
        assertEquals(1, watches.watchCount());
    }

    @Test
    void oneWatcherWithOverlappingWatchesHearsOnce() {
        create("/a");
        watches.addWatch("/", WatchRegistry.ADD_PERSISTENT_RECURSIVE, W1);
        watches.addWatch("/a", WatchRegistry.ADD_PERSISTENT_RECURSIVE, W1);
        watches.addWatch("/a", WatchRegistry.ADD_PERSISTENT, W1);
        watches.addDataWatch("/a", W1);
        watches.addDataWatch("/a", W2);
        assertEquals(List.of(new Fired(W1, NODE_DATA_CHANGED, "/a", zxid + 1, Acl.OPEN),
                new Fired(W2, NODE_DATA_CHANGED, "/a", zxid + 1, Acl.OPEN)), setData("/a"));
        assertFalse(watches.checkWatches("/a", WatchRegistry.TYPE_DATA, W1));
        assertTrue(watches.checkWatches("/a", WatchRegistry.TYPE_PERSISTENT, W1));
    }

    @Test
    void removesAndChecksByWatcherType() {
        create("/a");
        watches.addDataWatch("/a", W1);
        watches.addChildWatch("/a", W1);
        watches.addWatch("/a", WatchRegistry.ADD_PERSISTENT, W1);
        watches.addWatch("/a", WatchRegistry.ADD_PERSISTENT_RECURSIVE, W1);
        assertEquals(2, watches.watchCount(), "counts (path, watcher) pairs per table, not modes");
        assertFalse(watches.removeWatches("/a", WatchRegistry.TYPE_DATA, W2));
        assertTrue(watches.removeWatches("/a", WatchRegistry.TYPE_DATA, W1));
        assertFalse(watches.removeWatches("/a", WatchRegistry.TYPE_DATA, W1));
        assertTrue(watches.checkWatches("/a", WatchRegistry.TYPE_CHILDREN, W1));
        assertTrue(watches.removeWatches("/a", WatchRegistry.TYPE_PERSISTENT, W1));
        assertFalse(watches.checkWatches("/a", WatchRegistry.TYPE_PERSISTENT, W1));
        assertTrue(watches.checkWatches("/a", WatchRegistry.TYPE_PERSISTENT_RECURSIVE, W1));
        assertTrue(watches.checkWatches("/a", WatchRegistry.TYPE_ANY, W1));
        assertTrue(watches.removeWatches("/a", WatchRegistry.TYPE_ANY, W1));
        assertFalse(watches.checkWatches("/a", WatchRegistry.TYPE_ANY, W1));
        assertEquals(0, watches.watchCount());
        watches.checkInvariants();
    }

    @Test
    void closingAConnectionDropsAllItsWatches() {
        watches.addDataWatch("/x", W1);
        watches.addChildWatch("/", W1);
        watches.addWatch("/", WatchRegistry.ADD_PERSISTENT_RECURSIVE, W1);
        watches.addDataWatch("/x", W2);
        watches.removeWatcher(W1);
        assertEquals(List.of(new Fired(W2, NODE_CREATED, "/x", zxid + 1, Acl.OPEN)), create("/x"));
        assertEquals(0, watches.watchCount());
        watches.checkInvariants();
    }

    @Test
    void reportsCountsLikeZooKeeper() {
        create("/a");
        watches.addDataWatch("/a", W1);
        watches.addDataWatch("/b", W1);
        watches.addDataWatch("/a", W2);
        watches.addChildWatch("/a", W2);
        assertEquals(4, watches.watchCount());
        assertEquals(new WatchSummary(2, 2, 3), watches.summary());
        Map<Long, Set<String>> byWatcher = new TreeMap<>(Map.of(W1, new TreeSet<>(Set.of("/a", "/b")), W2, new TreeSet<>(Set.of("/a"))));
        assertEquals(byWatcher, watches.pathsByWatcher());
        assertEquals(Map.of("/a", new TreeSet<>(Set.of(W1, W2)), "/b", new TreeSet<>(Set.of(W1))), watches.watchersByPath());
        setData("/a");
        // ZooKeeper keeps a watcher whose watches a trigger used up in its connection count.
        assertEquals(new WatchSummary(2, 1, 1), watches.summary());
        assertEquals(new TreeSet<>(), watches.pathsByWatcher().get(W2));
        watches.checkInvariants();
    }

    private List<Fired> create(String path) {
        return tree.create(path, new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, ++zxid, 0).fired();
    }

    private List<Fired> setData(String path) {
        return tree.setData(path, new byte[] {1}, tree.get(path).version() + 1, ++zxid, 0).fired();
    }
}
