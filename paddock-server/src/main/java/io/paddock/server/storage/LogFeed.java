package io.paddock.server.storage;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ScanResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Scans log files on a second thread while the replaying thread is busy (loading the snapshot,
 * then replaying), and hands their records over in order through a bounded queue: decoded
 * transactions never pile up, the scan still overlaps the snapshot load, and each record is
 * decoded once. Each file's records are followed by its scan result (after a torn tail was
 * cut); a failure ends the feed and is rethrown to the consumer at that point in the stream.
 */
final class LogFeed implements AutoCloseable {
    /** Records per hand-over, and hand-overs that may wait: bounds what is held decoded. */
    static final int CHUNK_TXNS = 1024;
    static final int CHUNKS_QUEUED_MAX = 16;

    /** What the scanning thread hands over. */
    private sealed interface Item {}

    private record Chunk(List<TxnEnvelope> txns) implements Item {}

    private record FileDone(Path file, ScanResult scan) implements Item {}

    private record Failed(Throwable cause) implements Item {}

    /** Thrown inside the scan when the feed was closed, to unwind it. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("log feed closed", null, false, false);
        }
    }

    /** Receives one replayed record; may refuse the recovery. */
    interface Replayer {
        void replay(TxnEnvelope txn) throws StartupException;
    }

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(CHUNKS_QUEUED_MAX);
    private final List<Path> files;
    private final Thread thread;
    private int next;

    /** Starts scanning {@code files} in order; every one of them must then be taken with {@link #take}. */
    LogFeed(List<Path> files) {
        this.files = List.copyOf(files);
        this.thread = new Thread(this::run, "paddock-log-scan");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    boolean feeds(Path file) {
        return files.contains(file);
    }

    /**
     * Replays the records of the next file, which must be {@code file}, and returns its scan
     * result; rethrows what stopped the scan (damage, an I/O error).
     */
    ScanResult take(Path file, Replayer replayer) throws IOException, StartupException {
        if (next >= files.size() || !files.get(next).equals(file)) {
            throw new IllegalStateException("log feed asked for " + file + " out of order");
        }
        next++;
        while (true) {
            Item item = takeItem();
            if (item instanceof Chunk chunk) {
                for (TxnEnvelope txn : chunk.txns()) {
                    replayer.replay(txn);
                }
            } else if (item instanceof FileDone done) {
                return done.scan();
            } else {
                Throwable cause = ((Failed) item).cause();
                if (cause instanceof StartupException e) {
                    throw e;
                } else if (cause instanceof IOException e) {
                    throw e;
                } else if (cause instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) cause;
            }
        }
    }

    private Item takeItem() throws IOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while recovering the log", e);
        }
    }

    private void run() {
        try {
            for (Path file : files) {
                Chunker chunker = new Chunker();
                ScanResult scan = Recovery.scanAndRepair(file, chunker);
                chunker.flush();
                put(new FileDone(file, scan));
            }
        } catch (Cancelled e) {
            // closed by the consumer: nobody waits for the rest
        } catch (IOException | StartupException | RuntimeException | Error e) {
            // Anything that stops the scan must reach the consumer, or it would wait forever
            // (an OutOfMemoryError for a log too large to read, a bug in the decoder).
            offerFailure(e);
        }
    }

    /** Groups a file's records into chunks and hands each full one over. */
    private final class Chunker implements Consumer<TxnEnvelope> {
        private List<TxnEnvelope> chunk = new ArrayList<>(CHUNK_TXNS);

        @Override
        public void accept(TxnEnvelope txn) {
            chunk.add(txn);
            if (chunk.size() == CHUNK_TXNS) {
                flush();
            }
        }

        void flush() {
            if (!chunk.isEmpty()) {
                put(new Chunk(chunk));
                chunk = new ArrayList<>(CHUNK_TXNS);
            }
        }
    }

    private void offerFailure(Throwable e) {
        try {
            put(new Failed(e));
        } catch (Cancelled closed) {
            // nobody waits for it
        }
    }

    private void put(Item item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            throw new Cancelled();
        }
    }

    /** Stops the scanning thread if it still runs (recovery failed or is done) and waits for it. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
