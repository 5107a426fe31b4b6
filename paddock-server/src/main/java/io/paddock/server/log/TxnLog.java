package io.paddock.server.log;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.SnapshotSource;
import java.io.IOException;

/**
 * Where transactions become durable. The loop thread appends a batch, then calls {@link
 * #flush}; once the batch is durable the log tells the {@link Listener}, from whatever thread it
 * likes (the loop turns it into an event). Nothing is answered before that: this is the seam
 * where group commit happens.
 */
public interface TxnLog extends AutoCloseable {

    /** Hears what became of appended transactions. */
    interface Listener {
        /** Every transaction up to and including {@code zxid} is durable. */
        void durable(long zxid);

        /**
         * Appending failed at {@code fromZxid} (a full disk): that transaction and
         * everything appended after it is not durable and never will be. The log takes nothing
         * more until {@link #resume()}.
         */
        void failed(long fromZxid, String reason);
    }

    void append(TxnEnvelope txn);

    /** Makes everything appended so far durable (now or later), then tells {@code listener}. */
    void flush(Listener listener);

    /**
     * An ensemble learner's TRUNC, on the loop thread, synchronously: every transaction appended
     * before this call (flushed or not) is handed to the disk, then every logged transaction after
     * {@code zxid} is dropped durably, with snapshots newer than {@code zxid}. On return, every
     * transaction appended before the call up to {@code zxid} is durable, nothing after it is
     * logged, and no listener hears anything more about what was flushed before the call
     * (reports already made may still be on their way: the caller must not trust those above
     * zxid). Appends after the call go on after {@code zxid}.
     *
     * @throws IOException naming the file, when the log cannot be cut (the caller fail-stops)
     */
    void truncateAfter(long zxid) throws IOException;

    /**
     * An ensemble learner's SNAP, on the loop thread, synchronously: {@link #truncateAfter} the
     * snapshot's zxid, then the snapshot is written durably where recovery finds it.
     *
     * @throws IOException naming the file, when either step fails (the caller fail-stops)
     */
    void installSnapshot(SnapshotSource snapshot) throws IOException;

    /**
     * After a failure has been handled: appends are taken again, starting at the zxid that
     * failed (the core hands those zxids out again).
     */
    default void resume() {
    }

    /** Starts a new file with the next append (called when a snapshot is taken). */
    default void roll() {
    }

    @Override
    void close();
}
