package io.paddock.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper's autopurge: keeps the {@code snapRetainCount} newest snapshots and the log files
 * that hold transactions after the oldest of them; deletes the rest. A log file is deletable
 * when the next file starts at or before the oldest kept snapshot's zxid + 1 (so every record
 * in it is covered by that snapshot). The newest log file is never deleted.
 */
public final class Purger {
    private static final Logger LOG = LoggerFactory.getLogger(Purger.class);

    private Purger() {}

    /** Deletes what the retained snapshots no longer need; returns the deleted files. */
    public static List<Path> purge(Path snapDir, Path logDir, int snapRetainCount) throws IOException {
        if (snapRetainCount < 1) {
            throw new IllegalArgumentException("snapRetainCount must be at least 1: " + snapRetainCount);
        }
        synchronized (SnapshotFolderLock.of(snapDir)) { // not between the steps of a snapshot's install
            return purgeLocked(snapDir, logDir, snapRetainCount);
        }
    }

    private static List<Path> purgeLocked(Path snapDir, Path logDir, int snapRetainCount) throws IOException {
        List<Path> deleted = new ArrayList<>();
        List<DataFiles.Numbered> snaps = DataFiles.list(snapDir, DataFiles.SNAPSHOT_PREFIX);
        if (snaps.size() < snapRetainCount) {
            return deleted; // too few snapshots to lean on: keep every log
        }
        int firstKept = snaps.size() - snapRetainCount;
        long oldestKeptZxid = snaps.get(firstKept).zxid();
        for (int i = 0; i < firstKept; i++) {
            delete(snaps.get(i).path(), deleted);
        }
        List<DataFiles.Numbered> logs = DataFiles.list(logDir, DataFiles.LOG_PREFIX);
        for (int i = 0; i + 1 < logs.size(); i++) {
            if (logs.get(i + 1).zxid() <= oldestKeptZxid + 1) {
                delete(logs.get(i).path(), deleted);
            }
        }
        if (!deleted.isEmpty()) {
            LOG.info("autopurge deleted {} files; oldest snapshot kept is 0x{}", deleted.size(),
                    Long.toHexString(oldestKeptZxid));
        }
        return deleted;
    }

    private static void delete(Path file, List<Path> deleted) throws IOException {
        if (Files.deleteIfExists(file)) {
            deleted.add(file);
        }
    }
}
