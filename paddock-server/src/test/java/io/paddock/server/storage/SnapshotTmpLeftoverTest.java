package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.storage.TreeSnapshot;
import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves (review finding, fixed) that a snapshot whose source fails part-way with a
 * RuntimeException (what TreeCapture's piece source throws when the server closes or the loop
 * does not answer within PIECE_WAIT_MS_MAX) leaves no partial "snapshot.X.tmp" file behind.
 */
class SnapshotTmpLeftoverTest {
    @Test
    void aSourceFailingMidwayLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        SnapshotSource real = TreeSnapshot.capture(new DataTree(), new SessionTable(2000), 5, 0);
        SnapshotSource failing = new SnapshotSource() {
            @Override public long lastZxid() { return 5; }
            @Override public long timeMs() { return 0; }
            @Override public Iterator<SnapshotSession> sessions() { return real.sessions(); }
            @Override public Iterator<SnapshotNode> nodes() {
                Iterator<SnapshotNode> inner = real.nodes();
                return new Iterator<>() {
                    int given;
                    @Override public boolean hasNext() {
                        if (given == 2) {
                            throw new IllegalStateException("server closing"); // as Snapshots#onLoop throws
                        }
                        return inner.hasNext();
                    }
                    @Override public SnapshotNode next() {
                        given++;
                        return inner.next();
                    }
                };
            }
        };
        assertThrows(IllegalStateException.class, () -> Snapshots.write(dir, failing));
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of(), left, "a failed snapshot left files behind");
        }
    }
}
