package io.paddock.server.log;

import io.paddock.core.request.TxnEnvelope;
import java.util.function.LongConsumer;

/**
 * Where transactions become durable. The loop thread appends a batch, then calls {@link
 * #flush}; once the batch is durable the log calls the {@code durable} callback with the last
 * zxid, from whatever thread it likes (the loop turns it into a {@code LogAppended} event).
 * Nothing is answered before that callback: this is the seam the group-commit file log fills.
 */
public interface TxnLog extends AutoCloseable {
    void append(TxnEnvelope txn);

    /** Makes everything appended so far durable, then reports the last zxid to {@code durable}. */
    void flush(LongConsumer durable);

    @Override
    void close();
}
