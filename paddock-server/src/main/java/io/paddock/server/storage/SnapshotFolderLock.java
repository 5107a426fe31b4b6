package io.paddock.server.storage;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One lock per snapshot folder, between autopurge (its own thread) and a learner's install of its
 * leader's snapshot below one it holds (the loop thread): that install writes the new, oldest
 * snapshot, then cuts the log and deletes the snapshots above it. A purge between the two steps
 * would delete the new snapshot as the oldest of too many, and the cut the rest: no snapshot left,
 * and the log before the old ones purged (a server that cannot start, or starts short).
 */
final class SnapshotFolderLock {
    private static final ConcurrentHashMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private SnapshotFolderLock() {}

    /** The lock of {@code snapDir} (the same object for every spelling of the same absolute path). */
    static Object of(Path snapDir) {
        return LOCKS.computeIfAbsent(snapDir.toAbsolutePath().normalize(), k -> new Object());
    }
}
