package io.paddock.core.tree;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One of ZooKeeper's two watch tables (data or child): for each (path, watcher) the set of
 * {@link WatchMode}s held, as a bit set. Sorted maps keep every report and trigger deterministic.
 *
 * <p>A path may be null: ZooKeeper's addWatch and setWatches2 accept a null path (a jute null
 * string) and keep the watch (it never fires; checkWatches and removeWatches find it), so paths
 * sort with null first rather than throw.
 */
final class WatchTable {
    /** Natural order with null first: a null path is a key like any other. */
    static final Comparator<String> PATH_ORDER = Comparator.nullsFirst(Comparator.naturalOrder());

    /** path -> watcher id -> mode bits (never 0). */
    private final TreeMap<String, TreeMap<Long, Integer>> byPath = new TreeMap<>(PATH_ORDER);
    /**
     * watcher id -> paths it watches here. As in ZooKeeper's WatchManager, a watcher whose last
     * watch here was consumed by a trigger keeps an empty entry (it still counts as a watching
     * connection in `wchs` and is listed by `wchc`) until a removal or its connection closes.
     */
    private final TreeMap<Long, TreeSet<String>> byWatcher = new TreeMap<>();
    /** Number of (path, watcher) pairs holding PERSISTENT_RECURSIVE: triggers walk ancestors only when > 0. */
    private int recursiveCount;

    /** Adds a mode; returns false if the watcher already held it on this path. */
    boolean add(String path, long watcherId, WatchMode mode) {
        TreeMap<Long, Integer> watchers = byPath.computeIfAbsent(path, p -> new TreeMap<>());
        int bits = watchers.getOrDefault(watcherId, 0);
        if ((bits & mode.bit) != 0) {
            return false;
        }
        watchers.put(watcherId, bits | mode.bit);
        byWatcher.computeIfAbsent(watcherId, w -> new TreeSet<>(PATH_ORDER)).add(path);
        if (mode == WatchMode.PERSISTENT_RECURSIVE) {
            recursiveCount++;
        }
        return true;
    }

    /** Whether the watcher holds {@code mode} on path; a null mode asks for any mode. */
    boolean contains(String path, long watcherId, WatchMode mode) {
        int bits = bitsOf(path, watcherId);
        return mode == null ? bits != 0 : (bits & mode.bit) != 0;
    }

    /** Removes one mode (or all modes when null); returns whether anything was removed. */
    boolean remove(String path, long watcherId, WatchMode mode) {
        int bits = bitsOf(path, watcherId);
        int removed = mode == null ? bits : bits & mode.bit;
        if (removed == 0) {
            return false;
        }
        setBits(path, watcherId, bits & ~removed, false);
        return true;
    }

    /** Drops every watch of a watcher (its connection closed). */
    void removeWatcher(long watcherId) {
        TreeSet<String> paths = byWatcher.get(watcherId);
        if (paths == null) {
            return;
        }
        for (String path : new ArrayList<>(paths)) {
            setBits(path, watcherId, 0, false);
        }
        byWatcher.remove(watcherId);
    }

    /**
     * The watchers an event on {@code path} reaches, in id order: every watcher on the exact
     * path (its one-shot mode is consumed) plus PERSISTENT_RECURSIVE watchers on any ancestor.
     */
    /** No watch of any kind is registered. */
    boolean isEmpty() {
        return byPath.isEmpty();
    }

    SortedSet<Long> trigger(String path) {
        TreeMap<Long, Integer> exact = byPath.get(path);
        if (exact == null && recursiveCount == 0) {
            return java.util.Collections.emptySortedSet(); // the common case: nobody watches
        }
        TreeSet<Long> hit = new TreeSet<>();
        if (exact != null) {
            for (Map.Entry<Long, Integer> e : new TreeMap<>(exact).entrySet()) {
                hit.add(e.getKey());
                setBits(path, e.getKey(), e.getValue() & ~WatchMode.STANDARD.bit, true);
            }
        }
        if (recursiveCount > 0) {
            for (String ancestor = path; !ancestor.equals("/"); ) {
                ancestor = PathValidation.parentOf(ancestor);
                addRecursiveWatchers(ancestor, hit);
            }
        }
        return hit;
    }

    private void addRecursiveWatchers(String path, TreeSet<Long> hit) {
        TreeMap<Long, Integer> watchers = byPath.get(path);
        if (watchers == null) {
            return;
        }
        for (Map.Entry<Long, Integer> e : watchers.entrySet()) {
            if ((e.getValue() & WatchMode.PERSISTENT_RECURSIVE.bit) != 0) {
                hit.add(e.getKey());
            }
        }
    }

    /** Number of (path, watcher) pairs, as ZooKeeper's WatchManager.size(). */
    int size() {
        int total = 0;
        for (TreeMap<Long, Integer> watchers : byPath.values()) {
            total += watchers.size();
        }
        return total;
    }

    int pathCount() {
        return byPath.size();
    }

    int watcherCount() {
        return byWatcher.size();
    }

    SortedMap<Long, SortedSet<String>> pathsByWatcher() {
        TreeMap<Long, SortedSet<String>> copy = new TreeMap<>();
        byWatcher.forEach((id, paths) -> {
            TreeSet<String> pathsCopy = new TreeSet<>(PATH_ORDER);
            pathsCopy.addAll(paths);
            copy.put(id, pathsCopy);
        });
        return copy;
    }

    SortedMap<String, SortedSet<Long>> watchersByPath() {
        TreeMap<String, SortedSet<Long>> copy = new TreeMap<>(PATH_ORDER);
        byPath.forEach((path, watchers) -> copy.put(path, new TreeSet<>(watchers.keySet())));
        return copy;
    }

    private int bitsOf(String path, long watcherId) {
        TreeMap<Long, Integer> watchers = byPath.get(path);
        return watchers == null ? 0 : watchers.getOrDefault(watcherId, 0);
    }

    /** Sets the mode bits of one pair, keeping both indexes and the recursive count in step. */
    private void setBits(String path, long watcherId, int newBits, boolean keepEmptyWatcherEntry) {
        int oldBits = bitsOf(path, watcherId);
        if ((oldBits & WatchMode.PERSISTENT_RECURSIVE.bit) != 0
                && (newBits & WatchMode.PERSISTENT_RECURSIVE.bit) == 0) {
            recursiveCount--;
        }
        if (newBits != 0) {
            byPath.get(path).put(watcherId, newBits);
            return;
        }
        TreeMap<Long, Integer> watchers = byPath.get(path);
        if (watchers == null) {
            return;
        }
        watchers.remove(watcherId);
        if (watchers.isEmpty()) {
            byPath.remove(path);
        }
        TreeSet<String> paths = byWatcher.get(watcherId);
        paths.remove(path);
        if (paths.isEmpty() && !keepEmptyWatcherEntry) {
            byWatcher.remove(watcherId);
        }
    }

    /** Cross-checks the two indexes and the recursive count; throws IllegalStateException on drift. */
    void checkInvariants() {
        int pairs = 0;
        int recursive = 0;
        for (Map.Entry<String, TreeMap<Long, Integer>> e : byPath.entrySet()) {
            check(!e.getValue().isEmpty(), "empty watcher set kept for " + e.getKey());
            for (Map.Entry<Long, Integer> w : e.getValue().entrySet()) {
                check(w.getValue() != 0, "zero mode bits kept");
                TreeSet<String> paths = byWatcher.get(w.getKey());
                check(paths != null && paths.contains(e.getKey()), "byWatcher misses " + e.getKey());
                pairs++;
                if ((w.getValue() & WatchMode.PERSISTENT_RECURSIVE.bit) != 0) {
                    recursive++;
                }
            }
        }
        int pathsListed = 0;
        for (TreeSet<String> paths : byWatcher.values()) {
            pathsListed += paths.size();
        }
        check(pairs == pathsListed, "indexes disagree: " + pairs + " vs " + pathsListed);
        check(recursive == recursiveCount, "recursive count " + recursiveCount + " != " + recursive);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("watch table: " + what);
        }
    }
}
