package io.paddock.server.storage;

import java.util.concurrent.atomic.AtomicLong;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.TxnLog;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.DataFileNames;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.wire.JuteWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction log on disk, with group commit: the loop hands over batches; one writer
 * thread takes every batch that is waiting, writes them with one call and syncs once
 * ({@code forceSync}), then reports the last zxid durable. While it syncs, new batches queue up
 * and share the next sync, so throughput grows with the number of writers.
 *
 * <p>Files are named {@code log.<first zxid in hex>} and start with {@link LogFormat}'s header.
 * Space is preallocated with real zeros, kept ahead of the records (about half of {@code
 * preAllocBytes}, counting at most {@link #PREALLOC_AHEAD_BYTES_MAX}) a 256 KiB chunk at a time, at most one
 * chunk per group beyond what the group needs: a sync rarely has to persist a size change, a full
 * disk shows up before a record is half written, and no sync waits for a bulk step of zeros. A write that
 * fails (disk full) cuts the file back to its last durable byte, reports the failure and drops
 * everything until the loop calls {@link #resume()}; the next write tries the disk again, so
 * the server recovers as soon as space is freed.
 *
 * <p>Any other failure of the log (an I/O error such as EIO from a write or an fsync, a log
 * directory that vanished, a bug on the writer thread) ends the process through {@link
 * FailStop}: after a failed fsync the kernel may have dropped the written pages, so what is on
 * disk is unknown, and recovery from disk at the next start is the only safe way on. Out of space
 * is recognised by the operating system's message or, where that message is translated, by the
 * file system having less usable space than the write needed ({@link #isOutOfSpace}).
 *
 * <p>Truncation (an ensemble learner's TRUNC, and the first half of installing its leader's
 * snapshot) goes through the writer's queue like a batch, so it comes after every batch flushed
 * before it and before any flushed after it; the loop waits for it. The writer first writes and
 * syncs every batch queued ahead (and what was appended but not flushed yet), then cuts the files
 * ({@link LogTruncation}) and closes its file, so the next write starts a new one. Batches that
 * rode ahead of a truncation report nothing once it is done: their durability is the truncation's
 * (everything appended before it up to its zxid is durable when it returns), so no report for a
 * dropped zxid can follow it. Reports made before it may already be on their way to the loop,
 * which must discard them (ReplicaLoop counts truncations for that).
 */
public final class FileTxnLog implements TxnLog {
    private static final Logger LOG = LoggerFactory.getLogger(FileTxnLog.class);
    private static final int ZERO_CHUNK_BYTES = 256 * 1024;
    /** The group encode buffer is kept between groups up to this size (a huge group's is dropped). */
    private static final int ENCODE_KEEP_BYTES_MAX = 1 << 20;
    /** The most space kept zeroed ahead of the records, whatever preAllocSize says (see ensureSpace). */
    public static final long PREALLOC_AHEAD_BYTES_MAX = 8L << 20;
    /** How often a loop waiting for a truncation checks that the writer still runs. */
    private static final long TRUNCATION_POLL_MS = 100;

    private final Path dir;
    /** Where snapshots live (dataDir): truncation drops newer ones, a leader's snapshot is written here. */
    private final Path snapDir;
    private final boolean forceSync;
    private final long preAllocBytes;
    private final FailStop failStop;
    /** Batches and truncations, in the order the loop handed them over. */
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;
    private volatile int generation;
    private volatile boolean rollRequested;

    // loop thread only
    private List<TxnEnvelope> current = new ArrayList<>();

    // writer thread only
    private FileChannel channel;
    private Path currentFile;
    private long position;
    private long allocated;
    private boolean failed;
    private int failedGeneration = -1;
    /** Every group is encoded here: one buffer, reused. */
    private final JuteWriter encoded = new JuteWriter(64 * 1024);
    /** Direct buffers for the channel: written bytes and preallocation zeros, allocated once. */
    private final ByteBuffer direct = ChannelSink.newDirectBuffer();
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES);
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong recordsWritten = new AtomicLong();
    private final AtomicLong syncNanos = new AtomicLong();

    private record Batch(List<TxnEnvelope> txns, Listener listener, int generation) {}

    /** Drop every logged transaction after zxid; done tells how many were dropped, or why it failed. */
    /** {@code snapshotsLast}: cut the log files before deleting the snapshots above zxid (see installSnapshot). */
    private record Truncation(long zxid, boolean snapshotsLast, int generation, CompletableFuture<Integer> done) {}

    /** The listener of the batch a truncation writes ahead of itself: its reports are the truncation's. */
    private static final Listener SILENT = new Listener() {
        @Override
        public void durable(long zxid) {
        }

        @Override
        public void failed(long fromZxid, String reason) {
        }
    };

    /** A log whose snapshots share its directory (dataDir and dataLogDir the same). */
    public FileTxnLog(Path dir, boolean forceSync, long preAllocBytes, FailStop failStop) throws IOException {
        this(dir, dir, forceSync, preAllocBytes, failStop);
    }

    /** @param snapDir the snapshot directory (dataDir), touched only by truncation and {@link #installSnapshot} */
    public FileTxnLog(Path dir, Path snapDir, boolean forceSync, long preAllocBytes, FailStop failStop)
            throws IOException {
        this.dir = dir;
        this.snapDir = snapDir;
        this.failStop = failStop;
        this.forceSync = forceSync;
        this.preAllocBytes = Math.max(4096, preAllocBytes);
        Files.createDirectories(dir);
        this.writer = new Thread(this::run, "paddock-log-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** The file name of a log whose first record has {@code baseZxid}. */
    public static String fileName(long baseZxid) {
        return DataFileNames.logName(baseZxid);
    }

    @Override
    public void append(TxnEnvelope txn) {
        current.add(txn);
    }

    @Override
    public void flush(Listener listener) {
        if (current.isEmpty()) {
            return;
        }
        queue.add(new Batch(current, listener, generation));
        current = new ArrayList<>();
    }

    /**
     * Called on the loop thread once the core has dropped everything from the failed zxid on.
     * Transactions appended in the same loop batch before the failure was handled are among
     * those dropped, so they are discarded here too, not flushed under the new generation.
     */
    @Override
    public void resume() {
        current = new ArrayList<>();
        generation++;
    }

    @Override
    public void roll() {
        rollRequested = true;
    }

    /**
     * Loop thread: hands what was appended but not flushed to the writer, then a truncation after
     * {@code zxid}, and waits until both are done (see the class comment for what is reported).
     */
    @Override
    public void truncateAfter(long zxid) throws IOException {
        truncateAfter(zxid, false);
    }

    private void truncateAfter(long zxid, boolean snapshotsLast) throws IOException {
        if (!current.isEmpty()) {
            queue.add(new Batch(current, SILENT, generation));
            current = new ArrayList<>();
        }
        Truncation truncation = new Truncation(zxid, snapshotsLast, generation, new CompletableFuture<>());
        queue.add(truncation);
        int dropped;
        try {
            dropped = awaitTruncation(truncation);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while truncating the transaction log in " + dir
                    + " after zxid 0x" + Long.toHexString(zxid), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("truncating the transaction log in " + dir + " failed: " + e.getCause(), e.getCause());
        }
        LOG.info("transaction log truncated after zxid 0x{}: {} transactions dropped", Long.toHexString(zxid), dropped);
    }

    /** Waits for the writer to carry out {@code t}; fails if the writer has stopped before it could. */
    private int awaitTruncation(Truncation t) throws InterruptedException, ExecutionException, IOException {
        while (true) {
            try {
                return t.done().get(TRUNCATION_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!writer.isAlive() && !t.done().isDone()) {
                    throw new IOException("the transaction log writer for " + dir + " has stopped; cannot truncate after zxid 0x"
                            + Long.toHexString(t.zxid()));
                }
            }
        }
    }

    /**
     * Loop thread: a leader's snapshot replaces this server's state. Truncate first, then write
     * the snapshot: a crash between leaves this server's own older history (a prefix of it, which
     * recovery reads and a leader syncs again), never the new snapshot under a log that goes on
     * with transactions of the dropped history (recovery would replay those on top of it: a mix).
     * A snapshot below one this server holds goes the other way round (see below).
     */
    @Override
    public void installSnapshot(SnapshotSource snapshot) throws IOException {
        long zxid = snapshot.lastZxid();
        Path file = snapDir.resolve(DataFiles.snapshotName(zxid));
        // A snapshot below one we hold (only below an epoch's start, e:0, installed from a ZooKeeper
        // leader: LearnerRole) is written first: cutting first would delete the e:0 snapshot and, after
        // a crash, leave recovery our older files, possibly with a tail no leader committed. Written
        // first, a crash leaves the e:0 snapshot in front (recovery takes the newest), a state the new
        // one holds; the cut then drops everything logged past the new point, and only then the
        // snapshots above it, so that until the log is cut the e:0 one is still in front.
        // Autopurge waits until both steps are done (SnapshotFolderLock).
        synchronized (SnapshotFolderLock.of(snapDir)) {
            boolean belowOneWeHold = DataFiles.list(snapDir, DataFiles.SNAPSHOT_PREFIX).stream().anyMatch(n -> n.zxid() > zxid);
            if (!belowOneWeHold) {
                truncateAfter(zxid);
            }
            try {
                Snapshots.write(snapDir, snapshot, ChannelSink.newDirectBuffer(), ".install.tmp");
            } catch (IOException e) {
                throw new IOException("cannot write the leader's snapshot " + file + ": " + e, e);
            }
            if (belowOneWeHold) {
                truncateAfter(zxid, true);
            }
        }
        LOG.info("installed the leader's snapshot {}", file);
    }

    private void run() {
        List<Batch> batches = new ArrayList<>();
        List<Object> items = new ArrayList<>();
        try {
            while (running) {
                items.add(queue.take());
                queue.drainTo(items);
                for (Object item : items) {
                    if (item instanceof Batch b) {
                        batches.add(b);
                    } else {
                        writeAll(batches); // everything handed over before the truncation comes first
                        batches.clear();
                        truncate((Truncation) item);
                    }
                }
                items.clear();
                writeAll(batches);
                batches.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            if (running) {
                failStop.stop("the transaction log writer failed: " + e, e);
            } else {
                LOG.error("the transaction log writer failed while closing", e);
            }
        } finally {
            closeChannel();
            // A loop waiting for a truncation must not wait for a writer that is gone.
            items.addAll(queue);
            for (Object item : items) {
                if (item instanceof Truncation t && !t.done().isDone()) {
                    t.done().completeExceptionally(new IOException("the transaction log writer for " + dir + " stopped"));
                }
            }
        }
    }

    private void writeAll(List<Batch> batches) {
        List<Batch> live = new ArrayList<>();
        for (Batch b : batches) {
            if (failed && b.generation() > failedGeneration) {
                failed = false; // the loop has handled the failure: try the disk again
            }
            if (!failed) {
                live.add(b);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        JuteWriter bytes = encoded.reset(ENCODE_KEEP_BYTES_MAX);
        for (Batch b : live) {
            for (TxnEnvelope txn : b.txns()) {
                LogFormat.writeRecord(bytes, txn);
            }
        }
        long firstZxid = live.get(0).txns().get(0).zxid();
        List<TxnEnvelope> lastTxns = live.get(live.size() - 1).txns();
        long lastZxid = lastTxns.get(lastTxns.size() - 1).zxid();
        long goodPosition = position;
        try {
            ensureFile(firstZxid);
            goodPosition = position;
            ensureSpace(bytes.size());
            new ChannelSink(channel, direct, position).writeAt(bytes.array(), 0, bytes.size());
            if (forceSync) {
                long syncStarted = System.nanoTime();
                channel.force(false);
                syncNanos.addAndGet(System.nanoTime() - syncStarted);
                syncs.incrementAndGet();
            }
            position += bytes.size();
            for (Batch b : live) {
                recordsWritten.addAndGet(b.txns().size());
            }
        } catch (IOException e) {
            if (!running) {
                LOG.info("transaction log closed while writing zxid 0x{}: {}", Long.toHexString(firstZxid), e.toString());
            } else if (isOutOfSpace(e, usableBytes(), ZERO_CHUNK_BYTES + bytes.size())) {
                fail(live, firstZxid, goodPosition, e);
            } else {
                failStop.stop("cannot write the transaction log " + (currentFile == null ? dir : currentFile)
                        + " at zxid 0x" + Long.toHexString(firstZxid) + ", and not for want of space: " + e, e);
            }
            return;
        }
        live.get(live.size() - 1).listener().durable(lastZxid);
    }

    /**
     * True if the failure {@code e} is one that freeing space cures (so writes fail and are tried
     * again): its message (or a cause's) is the operating system's "no space left on device" or
     * "disk quota exceeded", or, since the JVM may give those messages in the user's language,
     * the file system had less than {@code neededBytes} usable ({@code usableBytes}, -1 if
     * unknown) when it failed.
     */
    public static boolean isOutOfSpace(IOException e, long usableBytes, long neededBytes) {
        if (usableBytes >= 0 && usableBytes < neededBytes) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("No space left on device")
                    || message.contains("Disk quota exceeded") || message.contains("Disc quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** The log directory's usable space in bytes, or -1 if it cannot be read. */
    private long usableBytes() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private void fail(List<Batch> live, long firstZxid, long goodPosition, IOException e) {
        failed = true;
        failedGeneration = live.get(live.size() - 1).generation();
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.error("cannot write the transaction log {} at zxid 0x{}: {}; failing these writes",
                currentFile, Long.toHexString(firstZxid), reason);
        try {
            if (channel != null) {
                channel.truncate(goodPosition);
                channel.force(true);
                position = goodPosition;
                allocated = goodPosition;
            }
        } catch (IOException again) {
            LOG.error("cannot cut {} back to {}: {}; closing it, the next write starts a new file",
                    currentFile, goodPosition, again.getMessage());
            closeChannel();
        }
        live.get(0).listener().failed(firstZxid, reason);
    }

    /**
     * Writer thread: cuts the files after the truncation's zxid and closes the current file, so
     * the next write opens a new one named by its first zxid (every name after zxid is free now).
     * A write that failed ahead of it (a full disk) fails the truncation too: what the loop took
     * for logged up to zxid may be missing, so the log cannot be said to end at zxid.
     */
    private void truncate(Truncation t) {
        closeChannel();
        currentFile = null;
        if (failed && t.generation() > failedGeneration) {
            failed = false; // the loop has handled the failure (as in writeAll)
        }
        if (failed) {
            t.done().completeExceptionally(new IOException("cannot truncate the transaction log in " + dir
                    + " after zxid 0x" + Long.toHexString(t.zxid()) + ": a write before it failed"));
            return;
        }
        try {
            t.done().complete(LogTruncation.truncateAfter(dir, snapDir, t.zxid(), t.snapshotsLast()));
        } catch (IOException | RuntimeException e) {
            t.done().completeExceptionally(e);
        }
    }

    /** Opens a new file (first write, after a roll, or after a file could not be repaired). */
    private void ensureFile(long firstZxid) throws IOException {
        if (channel != null && !rollRequested) {
            return;
        }
        rollRequested = false;
        closeChannel();
        Path file = dir.resolve(fileName(firstZxid));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            byte[] header = LogFormat.header(firstZxid);
            new ChannelSink(ch, direct, 0).writeAt(header, 0, header.length);
            ch.force(true);
            syncDirectory(dir);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
        channel = ch;
        currentFile = file;
        position = LogFormat.HEADER_BYTES;
        allocated = position;
    }

    /** Extends the file with real zeros so the write lands in allocated space. */
    private void ensureSpace(int bytes) throws IOException {
        long need = position + bytes;
        long ahead = Math.min(preAllocBytes, PREALLOC_AHEAD_BYTES_MAX);
        long target = Math.max(allocated, need);
        if (target - need < ahead / 2) {
            // Under half the space wanted ahead: one chunk more, no more, in this group. Zeros are
            // really written (so a full disk shows before a record is half written) and the sync
            // that follows waits for them: a chunk adds about 0.1-0.2 ms to it where a bulk step
            // (8 MiB took 1.8 ms to write and 4.5 ms to sync) stalled this server's writes and,
            // on a shared disk, every other server's syncs too.
            target = Math.min(target + ZERO_CHUNK_BYTES, need + ahead);
        }
        if (target <= allocated) {
            return;
        }
        long at = allocated;
        while (at < target) {
            zeros.clear();
            zeros.limit((int) Math.min(ZERO_CHUNK_BYTES, target - at));
            ChannelSink.writeFully(channel, zeros, at);
            at += zeros.limit();
        }
        allocated = target;
    }

    /** Makes a new or renamed file's directory entry durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("closing {}: {}", currentFile, e.getMessage());
            }
            channel = null;
        }
    }

    /** Syncs done so far: with group commit, far fewer than records under concurrent load. */
    public long syncCount() {
        return syncs.get();
    }

    public long recordsWritten() {
        return recordsWritten.get();
    }

    /** Time spent waiting for the disk to sync, in all. */
    public long syncTimeMs() {
        return syncNanos.get() / 1_000_000;
    }

    @Override
    public void close() {
        long n = syncs.get();
        if (n > 0) {
            LOG.info("transaction log: {} records in {} syncs ({} per sync), {} ms syncing ({} ms per sync)",
                    recordsWritten.get(), n, recordsWritten.get() / n, syncTimeMs(), String.format("%.2f", syncNanos.get() / 1e6 / n));
        }
        running = false;
        writer.interrupt();
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
