package io.paddock.core.request;

/**
 * A transaction with its place in history: its zxid, the session and request (cxid) it came
 * from, and the time the leader gave it. Applying it uses only these fields, never a clock.
 */
public record TxnEnvelope(long zxid, long sessionId, int cxid, long timeMs, Txn txn) {
    public TxnEnvelope {
        if (zxid <= 0) {
            throw new IllegalArgumentException("zxid must be positive: " + zxid);
        }
        if (txn == null) {
            throw new IllegalArgumentException("txn is null");
        }
    }
}
