package io.paddock.core.tree;

import io.paddock.core.wire.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Every watch set on one tree, keyed by a watcher id (the server uses its connection id).
 * Like ZooKeeper it keeps two tables: the data table holds getData/exists one-shots, PERSISTENT
 * and PERSISTENT_RECURSIVE watches; the child table holds getChildren one-shots and PERSISTENT
 * watches. So a recursive watch never sees NodeChildrenChanged, and a persistent one sees every
 * event on its exact path. One trigger reaches each watcher at most once.
 */
public final class WatchRegistry {
    /** Watcher types of checkWatches/removeWatches, numbered as ZooKeeper's Watcher.WatcherType. */
    public static final int TYPE_CHILDREN = 1;
    public static final int TYPE_DATA = 2;
    public static final int TYPE_ANY = 3;
    public static final int TYPE_PERSISTENT = 4;
    public static final int TYPE_PERSISTENT_RECURSIVE = 5;
    /** addWatch modes, numbered as ZooKeeper's AddWatchMode. */
    public static final int ADD_PERSISTENT = 0;
    public static final int ADD_PERSISTENT_RECURSIVE = 1;

    private final WatchTable data = new WatchTable();
    private final WatchTable child = new WatchTable();

    /** One-shot watch set by getData, or by exists on an existing node. */
    public void addDataWatch(String path, long watcherId) {
        data.add(path, watcherId, WatchMode.STANDARD);
    }

    /** One-shot watch set by exists on a missing node; ZooKeeper keeps it with the data watches. */
    public void addExistWatch(String path, long watcherId) {
        data.add(path, watcherId, WatchMode.STANDARD);
    }

    /** One-shot watch set by getChildren. */
    public void addChildWatch(String path, long watcherId) {
        child.add(path, watcherId, WatchMode.STANDARD);
    }

    public void addPersistentWatch(String path, long watcherId) {
        data.add(path, watcherId, WatchMode.PERSISTENT);
        child.add(path, watcherId, WatchMode.PERSISTENT);
    }

    public void addPersistentRecursiveWatch(String path, long watcherId) {
        data.add(path, watcherId, WatchMode.PERSISTENT_RECURSIVE);
    }

    /** addWatch with ZooKeeper's AddWatchMode number (0 persistent, 1 persistent recursive). */
    public void addWatch(String path, int addWatchMode, long watcherId) {
        switch (addWatchMode) {
            case ADD_PERSISTENT -> addPersistentWatch(path, watcherId);
            case ADD_PERSISTENT_RECURSIVE -> addPersistentRecursiveWatch(path, watcherId);
            default -> throw new IllegalArgumentException("unknown addWatch mode " + addWatchMode);
        }
    }

    /** Drops all watches of a watcher (its connection closed). */
    public void removeWatcher(long watcherId) {
        data.removeWatcher(watcherId);
        child.removeWatcher(watcherId);
    }

    /** removeWatches with a watcher type number (TYPE_*); returns whether any watch was removed. */
    public boolean removeWatches(String path, int watcherType, long watcherId) {
        return switch (watcherType) {
            case TYPE_CHILDREN -> child.remove(path, watcherId, WatchMode.STANDARD);
            case TYPE_DATA -> data.remove(path, watcherId, WatchMode.STANDARD);
            case TYPE_PERSISTENT -> child.remove(path, watcherId, WatchMode.PERSISTENT)
                    | data.remove(path, watcherId, WatchMode.PERSISTENT);
            case TYPE_PERSISTENT_RECURSIVE ->
                    data.remove(path, watcherId, WatchMode.PERSISTENT_RECURSIVE);
            case TYPE_ANY -> child.remove(path, watcherId, null) | data.remove(path, watcherId, null);
            default -> throw new IllegalArgumentException("unknown watcher type " + watcherType);
        };
    }

    /** checkWatches with a watcher type number (TYPE_*): whether such a watch exists. */
    public boolean checkWatches(String path, int watcherType, long watcherId) {
        return switch (watcherType) {
            case TYPE_CHILDREN -> child.contains(path, watcherId, WatchMode.STANDARD);
            case TYPE_DATA -> data.contains(path, watcherId, WatchMode.STANDARD);
            case TYPE_PERSISTENT -> data.contains(path, watcherId, WatchMode.PERSISTENT);
            case TYPE_PERSISTENT_RECURSIVE ->
                    data.contains(path, watcherId, WatchMode.PERSISTENT_RECURSIVE);
            case TYPE_ANY -> child.contains(path, watcherId, null) || data.contains(path, watcherId, null);
            default -> throw new IllegalArgumentException("unknown watcher type " + watcherType);
        };
    }

    /** Data plus child (path, watcher) pairs: mntr's zk_watch_count. */
    public int watchCount() {
        return data.size() + child.size();
    }

    /** What `wchs` prints. Like ZooKeeper, it reports the data table only. */
    public WatchSummary summary() {
        return new WatchSummary(data.watcherCount(), data.pathCount(), data.size());
    }

    /** `wchc`: watched paths per watcher id (data table only, as ZooKeeper). */
    public SortedMap<Long, SortedSet<String>> pathsByWatcher() {
        return data.pathsByWatcher();
    }

    /** `wchp`: watcher ids per path (data table only, as ZooKeeper). */
    public SortedMap<String, SortedSet<Long>> watchersByPath() {
        return data.watchersByPath();
    }

    List<Fired> fireCreated(String path, long zxid, List<Acl> acl, List<Acl> parentAcl) {
        if (data.isEmpty() && child.isEmpty()) {
            return List.of(); // no watches at all: skip the lookups on the write path
        }
        List<Fired> fired = new ArrayList<>();
        collect(fired, data.trigger(path), NodeEvent.NODE_CREATED, path, zxid, acl, null);
        fireChildrenChanged(fired, path, zxid, parentAcl);
        return fired;
    }

    List<Fired> fireDeleted(String path, long zxid, List<Acl> acl, List<Acl> parentAcl) {
        if (data.isEmpty() && child.isEmpty()) {
            return List.of();
        }
        List<Fired> fired = new ArrayList<>();
        SortedSet<Long> dataHit = data.trigger(path);
        collect(fired, dataHit, NodeEvent.NODE_DELETED, path, zxid, acl, null);
        // The child table's one-shots are consumed too, but a watcher already told is not told twice.
        collect(fired, child.trigger(path), NodeEvent.NODE_DELETED, path, zxid, acl, dataHit);
        fireChildrenChanged(fired, path, zxid, parentAcl);
        return fired;
    }

    List<Fired> fireDataChanged(String path, long zxid, List<Acl> acl) {
        if (data.isEmpty()) {
            return List.of();
        }
        List<Fired> fired = new ArrayList<>();
        collect(fired, data.trigger(path), NodeEvent.NODE_DATA_CHANGED, path, zxid, acl, null);
        return fired;
    }

    private void fireChildrenChanged(List<Fired> fired, String path, long zxid, List<Acl> parentAcl) {
        String parent = PathValidation.parentOf(path);
        collect(fired, child.trigger(parent), NodeEvent.NODE_CHILDREN_CHANGED, parent, zxid, parentAcl, null);
    }

    private static void collect(List<Fired> out, SortedSet<Long> watchers, int eventType, String path,
                                long zxid, List<Acl> acl, SortedSet<Long> alreadyTold) {
        for (long watcherId : watchers) {
            if (alreadyTold == null || !alreadyTold.contains(watcherId)) {
                out.add(new Fired(watcherId, eventType, path, zxid, acl));
            }
        }
    }

    /** Cross-checks both tables; throws IllegalStateException on drift. */
    public void checkInvariants() {
        data.checkInvariants();
        child.checkInvariants();
    }
}
