package io.paddock.server.storage;

import io.paddock.core.Replica;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.storage.TreeSnapshot;
import io.paddock.server.log.TxnLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a snapshot every {@code snapCount} transactions without stopping writes: the loop
 * thread captures a consistent view (a list of references to the tree's immutable data and
 * ACLs, at one zxid: no fuzzy snapshot, so recovery never replays over a half-changed tree), the
 * log rolls to a new file, and a background thread encodes the view and writes it to a
 * temporary file, syncs it and renames it into place. Writes go on meanwhile; only the capture
 * (a walk over the tree) runs on the loop. A failed write (a full disk) leaves no partial
 * snapshot behind and is retried after the next {@code snapCount} transactions.
 */
public final class Snapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    private final Path dir;
    private final int snapCount;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "paddock-snapshot-writer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean writing = new AtomicBoolean();
    /** The writer thread's buffer for every snapshot it writes. */
    private final ByteBuffer direct = ChannelSink.newDirectBuffer();
    private long lastSnapshotZxid;

    public Snapshots(Path dir, int snapCount, long recoveredZxid) {
        this.dir = dir;
        this.snapCount = snapCount;
        this.lastSnapshotZxid = recoveredZxid;
    }

    /** Called on the loop thread after each batch: starts a snapshot when one is due. */
    public void maybeSnapshot(Replica replica, TxnLog log) {
        long applied = replica.lastAppliedZxid();
        if (applied - lastSnapshotZxid < snapCount || !writing.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        SnapshotSource view = TreeSnapshot.capture(replica.tree(), replica.sessions(), applied,
                System.currentTimeMillis());
        long captureMs = (System.nanoTime() - started) / 1_000_000;
        lastSnapshotZxid = applied;
        log.roll();
        writer.execute(() -> {
            try {
                write(dir, view, direct);
                LOG.info("snapshot at zxid 0x{} written ({} ms on the loop to capture it)",
                        Long.toHexString(view.lastZxid()), captureMs);
            } catch (IOException | RuntimeException e) {
                LOG.error("snapshot at zxid 0x{} failed: {}", Long.toHexString(view.lastZxid()), e.toString());
            } finally {
                writing.set(false);
            }
        });
    }

    /** Writes one snapshot file atomically: temporary file, sync, rename, sync the directory. */
    public static Path write(Path dir, SnapshotSource view) throws IOException {
        return write(dir, view, ChannelSink.newDirectBuffer());
    }

    /**
     * As {@link #write(Path, SnapshotSource)}, streaming the encoded snapshot to the file through
     * {@code direct} (a direct buffer the caller reuses): memory stays bounded by about one
     * frame, whatever the size of the tree.
     */
    static Path write(Path dir, SnapshotSource view, ByteBuffer direct) throws IOException {
        Path target = dir.resolve(DataFiles.snapshotName(view.lastZxid()));
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                SnapshotFormat.encode(view, new ChannelSink(ch, direct, 0));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileTxnLog.syncDirectory(dir);
        } catch (IOException | UncheckedIOException e) {
            Files.deleteIfExists(tmp);
            throw e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
        }
        return target;
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
