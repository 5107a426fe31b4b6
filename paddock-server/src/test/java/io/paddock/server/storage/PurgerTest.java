package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves autopurge keeps what recovery needs: the newest snapshots and every log file holding
 * transactions after the oldest kept snapshot (never the newest log), and deletes the rest.
 */
class PurgerTest {
    @TempDir
    Path dir;

    private void touch(String name) throws Exception {
        Files.write(dir.resolve(name), new byte[] {1});
    }

    private List<String> names(String prefix) throws Exception {
        return DataFiles.list(dir, prefix).stream().map(n -> n.path().getFileName().toString()).toList();
    }

    @Test
    void keepsRetainedSnapshotsAndTheLogsAfterTheOldestOfThem() throws Exception {
        for (String s : List.of("snapshot.10", "snapshot.20", "snapshot.30", "snapshot.40",
                "log.1", "log.15", "log.25", "log.35", "snapshot.50.tmp")) {
            touch(s);
        }
        Purger.purge(dir, dir, 3);
        assertEquals(List.of("snapshot.20", "snapshot.30", "snapshot.40"), names(DataFiles.SNAPSHOT_PREFIX));
        // log.15 holds 0x15..0x24, and the snapshot at 0x20 needs 0x21 onwards.
        assertEquals(List.of("log.15", "log.25", "log.35"), names(DataFiles.LOG_PREFIX));
        assertTrue(Files.exists(dir.resolve("snapshot.50.tmp")), "a file that is not ours to judge stays");
    }

    @Test
    void withFewerSnapshotsThanRetainedNothingIsDeleted() throws Exception {
        for (String s : List.of("snapshot.10", "log.1", "log.15")) {
            touch(s);
        }
        assertTrue(Purger.purge(dir, dir, 3).isEmpty());
    }

    @Test
    void theNewestLogIsNeverDeleted() throws Exception {
        for (String s : List.of("snapshot.10", "snapshot.90", "log.1", "log.5")) {
            touch(s);
        }
        Purger.purge(dir, dir, 1);
        assertEquals(List.of("snapshot.90"), names(DataFiles.SNAPSHOT_PREFIX));
        assertEquals(List.of("log.5"), names(DataFiles.LOG_PREFIX));
    }
}
