package io.paddock.server.log;

import io.paddock.core.request.TxnEnvelope;

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
