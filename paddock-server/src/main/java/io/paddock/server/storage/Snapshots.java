package io.paddock.server.storage;

import io.paddock.core.Replica;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.storage.TreeCapture;
import io.paddock.server.log.TxnLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a snapshot every {@code snapCount} transactions or so without stopping writes. As in
 * ZooKeeper, the next snapshot starts once more than snapCount/2 + r transactions were applied
 * since the last one, with r drawn anew each time from [0, snapCount/2), so that the servers of
 * an ensemble do not all snapshot at the same moment. On the loop
 * thread, a {@link TreeCapture} records the sessions and the nodes (as references) at one zxid
 * and the log rolls to a new file; a background thread then encodes the snapshot, asking the loop
 * for the next few thousand node records at a time, and writes it to a temporary file, syncs it
 * and renames it into place. Nodes that change before they are read out are copied first, so
 * the file is a consistent state (no fuzzy snapshot: recovery never replays over a
 * half-changed tree) without the loop copying the whole tree at once. A failed write (a full
 * disk) leaves no partial snapshot behind and is retried after the next {@code snapCount}
 * transactions.
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
    private final IntUnaryOperator roll;
    /** The replica's count of applied transactions when the schedule last looked (after each batch). */
    private long lastSeenCount;
    /** Transactions applied since the last snapshot (or the start, or a leader's snapshot installed). */
    private long sinceSnapshot;
    private long threshold;
    /** The capture of the last snapshot started; touched only on the loop thread. */
    private TreeCapture current;
    private volatile boolean closed;

    /** @param appliedAtStart the replica's {@link Replica#appliedTransactions()} when the server starts */
    public Snapshots(Path dir, int snapCount, long appliedAtStart) {
        this(dir, snapCount, appliedAtStart, bound -> ThreadLocalRandom.current().nextInt(bound));
    }

    /** @param roll given a bound, a number in [0, bound) (random in the server, fixed in tests) */
    Snapshots(Path dir, int snapCount, long appliedAtStart, IntUnaryOperator roll) {
        if (snapCount < 1) {
            throw new IllegalArgumentException("snapCount must be at least 1: " + snapCount);
        }
        this.dir = dir;
        this.snapCount = snapCount;
        this.roll = roll;
        this.lastSeenCount = appliedAtStart;
        this.threshold = nextThreshold();
    }

    /** Transactions after the last snapshot that must be exceeded before the next one. */
    private long nextThreshold() {
        int half = snapCount / 2;
        return half + (half > 0 ? roll.applyAsInt(half) : 0);
    }

    /**
     * Loop thread: a leader's snapshot at {@code zxid} was installed (SNAP), and counts as this
     * server's last snapshot. Without this, a learner that recovered far behind found its next
     * snapshot due at once and wrote the whole tree again at the same zxid, replacing the file it
     * had just installed (the simulator's member snapshots showed it: a crash tearing that rewrite
     * left nothing that reached the installed state).
     */
    public void installed(long zxid) {
        sinceSnapshot = 0; // the state is the snapshot's now (even below an epoch-start label: LearnerRole)
        threshold = nextThreshold();
    }

    /**
     * Counts the transactions applied since the last look ({@code appliedTransactions} is the
     * replica's running count) and says whether a snapshot is due (ZooKeeper's rule, see the class
     * comment). A count, not a difference of zxids: a new epoch's first zxid is 2^32 past the last
     * one, which made every server snapshot its whole tree just after every failover.
     */
    boolean isDue(long appliedTransactions) {
        sinceSnapshot += appliedTransactions - lastSeenCount;
        lastSeenCount = appliedTransactions;
        return sinceSnapshot > threshold;
    }

    /** Runs a task on the loop thread (where the core may be touched): ReplicaLoop#call. */
    public interface LoopCalls {
        <T> CompletableFuture<T> call(Supplier<T> task);
    }

    /** Called on the loop thread after each batch: starts a snapshot when one is due. */
    public void maybeSnapshot(Replica replica, TxnLog log, LoopCalls loop) {
        long applied = replica.lastAppliedZxid();
        if (!isDue(replica.appliedTransactions()) || closed || !writing.compareAndSet(false, true)) {
            return;
        }
        if (current != null) {
            // The last writer has given up, but its request to end the capture may still be
            // queued behind this batch: end it here, on the loop, before the tree takes a new one.
            current.end();
        }
        // An ensemble member applies a commit before its own log has synced it (standalone,
        // applied is always durable): then the file waits for the log, see awaitLogDurable.
        boolean logBehind = replica.durableZxid() < applied;
        long started = System.nanoTime();
        TreeCapture capture = TreeCapture.begin(replica.tree(), replica.sessions(), applied, System.currentTimeMillis());
        current = capture;
        long beginMicros = (System.nanoTime() - started) / 1_000;
        sinceSnapshot = 0;
        threshold = nextThreshold();
        log.roll();
        writer.execute(() -> {
            try {
                SnapshotSource view = capture.source(() -> onLoop(loop, () -> capture.next(PIECE_NODES)));
                if (logBehind) {
                    awaitLogDurable(() -> onLoop(loop, replica::durableZxid), applied);
                }
                write(dir, view, direct);
                LOG.info("snapshot at zxid 0x{} written in {} ms ({} us on the loop to begin it)",
                        Long.toHexString(applied), (System.nanoTime() - started) / 1_000_000, beginMicros);
            } catch (IOException | RuntimeException e) {
                LOG.error("snapshot at zxid 0x{} failed: {}", Long.toHexString(applied), e.toString());
            } finally {
                if (!capture.isEnded()) {
                    loop.call(() -> { // stop copying changed nodes for a snapshot nobody reads
                        capture.end();
                        return null;
                    });
                }
                writing.set(false);
            }
        });
    }

    /** Node records the writer asks the loop for at a time: a fraction of a millisecond of loop time. */
    static final int PIECE_NODES = 4096;
    /** How long the writer waits for one piece before it gives the snapshot up. */
    static final long PIECE_WAIT_MS_MAX = 60_000;
    private static final long PIECE_POLL_MS = 200;

    /**
     * Waits until the log is durable up to {@code zxid} ({@code durable} asks the loop). A
     * snapshot on disk past the log's durable end, then a crash that loses the log's unsynced
     * tail, would leave a hole in the logged history behind the snapshot; so the snapshot is
     * written only once the log holds everything it covers. A log sync takes about a millisecond.
     */
    void awaitLogDurable(Supplier<Long> durable, long zxid) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PIECE_WAIT_MS_MAX);
        while (durable.get() < zxid) {
            if (closed || System.nanoTime() > deadline) {
                throw new IOException("the log did not become durable up to the snapshot's zxid 0x"
                        + Long.toHexString(zxid) + (closed ? " before the server closed" : " within "
                        + PIECE_WAIT_MS_MAX + " ms"));
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the log to sync", e);
            }
        }
    }

    /** Runs task on the loop and waits for it, giving up when the server closes or the loop does not answer. */
    private <T> T onLoop(LoopCalls loop, Supplier<T> task) {
        CompletableFuture<T> result = loop.call(task);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PIECE_WAIT_MS_MAX);
        while (!closed && System.nanoTime() < deadline) {
            try {
                return result.get(PIECE_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // check closed and the deadline, then wait again
            } catch (ExecutionException e) {
                throw new IllegalStateException("reading the tree for the snapshot failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the tree for the snapshot", e);
            }
        }
        throw new IllegalStateException(closed ? "server closing" : "the loop did not answer the snapshot writer within "
                + PIECE_WAIT_MS_MAX + " ms");
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
        return write(dir, view, direct, ".tmp");
    }

    /**
     * As {@link #write(Path, SnapshotSource, ByteBuffer)} through the temporary file {@code
     * <name><tmpSuffix>}: a leader's snapshot installed on the loop thread uses its own, so it
     * never shares a temporary file with this server's own snapshot of the same zxid being
     * written meanwhile (each rename then puts a whole file in place).
     */
    static Path write(Path dir, SnapshotSource view, ByteBuffer direct, String tmpSuffix) throws IOException {
        Path target = dir.resolve(DataFiles.snapshotName(view.lastZxid()));
        Path tmp = dir.resolve(target.getFileName() + tmpSuffix);
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
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp); // e.g. the server closing while the tree is read out
            throw e;
        }
        return target;
    }

    @Override
    public void close() {
        closed = true;
        writer.shutdown();
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
