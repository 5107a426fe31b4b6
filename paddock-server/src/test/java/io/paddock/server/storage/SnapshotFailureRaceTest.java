package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.CoreConfig;
import io.paddock.core.Replica;
import io.paddock.server.log.InMemoryTxnLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves (review finding, fixed) that after a failed snapshot the next one can start safely
 * while the failed capture's end() is still queued on the loop: the loop ends the old capture
 * itself before it begins a new one, instead of dying on "a change guard is set already".
 * The fake loop here holds posted tasks until the test runs them, as a busy loop does.
 */
class SnapshotFailureRaceTest {
    /** A loop that queues calls; nothing runs until {@link #runPending}. */
    static final class HeldLoop implements Snapshots.LoopCalls {
        final List<Runnable> pending = new ArrayList<>();

        @Override
        public synchronized <T> CompletableFuture<T> call(Supplier<T> task) {
            CompletableFuture<T> f = new CompletableFuture<>();
            pending.add(() -> f.complete(task.get()));
            return f;
        }

        synchronized int size() {
            return pending.size();
        }
    }

    @Test
    void nextSnapshotAfterAFailedOneDoesNotCollideWithTheOldGuard(@TempDir Path tmp) throws Exception {
        Path missingDir = tmp.resolve("no-such-dir"); // every snapshot write fails at once
        Replica replica = new Replica(CoreConfig.defaults(), 1L << 32, new byte[32], 0);
        replica.replay(LogFixture.create("n", 1)); // the schedule counts applied transactions
        replica.recovered(1);
        HeldLoop loop = new HeldLoop();
        try (Snapshots snapshots = new Snapshots(missingDir, 1, 0); InMemoryTxnLog log = new InMemoryTxnLog()) {
            snapshots.maybeSnapshot(replica, log, loop); // due: starts capture #1, its write fails
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (loop.size() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the writer posts capture.end() once the write failed
            }
            assertTrue(loop.size() > 0, "the failed writer never posted capture.end()");
            replica.replay(LogFixture.create("n", 2)); // more transactions applied in the same batch:
            replica.recovered(2);                       // another snapshot is due
            // The loop reaches afterBatch before it has run the posted end(): the writer has
            // cleared 'writing' right after posting (give it a bounded moment to do so).
            assertDoesNotThrow(() -> {
                long until = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < until) {
                    snapshots.maybeSnapshot(replica, log, loop);
                }
            }, "maybeSnapshot threw while the failed capture's end() was still queued on the loop");
        }
    }
}
