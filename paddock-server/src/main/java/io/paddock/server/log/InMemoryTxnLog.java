package io.paddock.server.log;

import io.paddock.core.request.TxnEnvelope;
import java.util.function.LongConsumer;

/**
 * A log that keeps nothing: every transaction counts as durable at once. It serves while the
 * data lives in memory only; a restart starts from an empty tree.
 */
public final class InMemoryTxnLog implements TxnLog {
    private long lastZxid = -1;

    @Override
    public void append(TxnEnvelope txn) {
        lastZxid = txn.zxid();
    }

    @Override
    public void flush(LongConsumer durable) {
        if (lastZxid >= 0) {
            durable.accept(lastZxid);
            lastZxid = -1;
        }
    }

    @Override
    public void close() {
    }
}
