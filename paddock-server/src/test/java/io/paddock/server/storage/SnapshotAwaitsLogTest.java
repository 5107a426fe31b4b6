package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ensemble member applies a commit before its own log has synced it, so a snapshot may cover
 * transactions its log does not hold durably yet; the snapshot is written only once the log has
 * caught up (else a crash could leave a hole in the logged history behind the snapshot).
 */
class SnapshotAwaitsLogTest {

    @Test
    void waitsUntilTheLogIsDurableUpToTheSnapshot(@TempDir Path tmp) throws Exception {
        AtomicLong durable = new AtomicLong(5);
        AtomicInteger looks = new AtomicInteger();
        try (Snapshots snapshots = new Snapshots(tmp, 100, 0)) {
            CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
                try {
                    snapshots.awaitLogDurable(() -> {
                        looks.incrementAndGet();
                        return durable.get();
                    }, 9);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (looks.get() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(looks.get() >= 3, "the wait never looked at the log again");
            assertTrue(!waited.isDone(), "returned with the log durable only up to 5 of 9");
            durable.set(8);
            int seen = looks.get();
            while (looks.get() < seen + 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(!waited.isDone(), "returned with the log durable only up to 8 of 9");
            durable.set(9);
            waited.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerClosingEndsTheWaitWithAnErrorNamingTheZxid(@TempDir Path tmp) {
        Snapshots snapshots = new Snapshots(tmp, 100, 0);
        snapshots.close();
        IOException e = assertThrows(IOException.class, () -> snapshots.awaitLogDurable(() -> 1L, 0x1_0000_0002L));
        assertTrue(e.getMessage().contains("0x100000002"), e.getMessage());
        assertEquals(0, tmp.toFile().list().length, "nothing written");
    }
}
