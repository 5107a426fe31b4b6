package io.paddock.core;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.ConnectResponse;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.WatcherEvent;
import io.paddock.core.zab.PeerEffect;

/** What a core asks its shell to do, as plain data. The shell does them in the order given. */
public sealed interface Effect {

    /** Make the transaction durable, then feed back {@code LogAppended(txn.zxid())}. */
    record AppendLog(TxnEnvelope txn) implements Effect {}

    /**
     * An ensemble learner's TRUNC: durably drop every logged transaction after {@code zxid}, after
     * the appends asked before this effect and before any asked after it; done before the next
     * event. Durability reports ({@code LogAppended}) for dropped transactions must not follow.
     */
    record TruncateLog(long zxid) implements Effect {}

    /**
     * An ensemble learner's SNAP: the leader's state replaced this server's. Durably, before the
     * next event: drop every logged transaction after the snapshot's zxid, then write the snapshot
     * (that order: a crash between leaves an older state, never a mix).
     */
    record InstallSnapshot(SnapshotData snapshot) implements Effect {}

    /** Answer a ConnectRequest. */
    record ConnectReply(long connId, ConnectResponse response) implements Effect {}

    /** Answer a request: a ReplyHeader (xid, zxid, err) and an optional body. */
    record Reply(long connId, int xid, long zxid, int err, JuteRecord body) implements Effect {}

    /** Deliver a watch notification; {@code zxid} goes in its header (-1 for catch-up events). */
    record Watch(long connId, long zxid, WatcherEvent event) implements Effect {}

    /** Close the connection after everything sent before this effect has been flushed. */
    record CloseClient(long connId, String reason) implements Effect {}

    /**
     * Something worth a log line for an operator (a session expired, a client refused);
     * {@code warning} for what they should look at (a WARN line: a digest mismatch).
     */
    record Trace(String message, boolean warning) implements Effect {
        public Trace(String message) {
            this(message, false);
        }
    }

    /**
     * What this server's quorum peer asks of the shell (send a notification or a quorum packet, drop
     * a peer connection, persist epochs), or an observation of its election; see {@link PeerEffect}
     * for the contract. Only ensemble members make these.
     */
    record Peer(PeerEffect effect) implements Effect {}
}
