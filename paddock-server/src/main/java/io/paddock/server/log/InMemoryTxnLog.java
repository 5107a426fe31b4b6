package io.paddock.server.log;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.SnapshotSource;

/**
 * A log that keeps nothing: every transaction counts as durable at once. For tests of the
 * shell and for a server started without a data directory; a restart starts empty.
 */
public final class InMemoryTxnLog implements TxnLog {
    private long lastZxid = -1;

    @Override
    public void append(TxnEnvelope txn) {
        lastZxid = txn.zxid();
    }

    @Override
    public void flush(Listener listener) {
        if (lastZxid >= 0) {
            listener.durable(lastZxid);
            lastZxid = -1;
        }
    }

    /** Nothing is kept, so nothing is cut; an unflushed append is covered by the truncation itself. */
    @Override
    public void truncateAfter(long zxid) {
        lastZxid = -1;
    }

    /** Nothing is kept: a restart starts empty, as it would without the snapshot. */
    @Override
    public void installSnapshot(SnapshotSource snapshot) {
        truncateAfter(snapshot.lastZxid());
    }

    @Override
    public void close() {
    }
}
