package io.paddock.core;

import io.paddock.core.request.Caller;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.quorum.TxnDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The core's view of one client connection: its session, the identities it has authenticated
 * as, and the requests it has sent that are not answered yet, in the order they came. A read
 * is answered at once unless a write of the same connection is still on its way to the disk;
 * then it waits behind that write, so a client always sees its own writes.
 */
final class ClientConnection {
    final long connId;
    final String remoteIp;
    long sessionId;
    /**
     * Read freely; an unmodifiable list, replaced (never changed) by {@link #addAuthId}, so that a
     * request can keep the ids it came with (a read queued behind a write is judged by those, as
     * ZooKeeper judges each request by the ids it had when it arrived); {@link #caller()} follows.
     */
    List<Id> authIds;
    final Deque<Queued> queue = new ArrayDeque<>();
    /** Who this connection's writes come from; built once, not per write. Null when stale. */
    private Caller caller;

    ClientConnection(long connId, String remoteIp) {
        this(connId, remoteIp, List.of());
    }

    /** {@code transportIds}: what the connection proved before its handshake (a TLS client certificate's x509 ids). */
    ClientConnection(long connId, String remoteIp, List<Id> transportIds) {
        this.connId = connId;
        this.remoteIp = remoteIp;
        List<Id> ids = new ArrayList<>();
        if (remoteIp != null) {
            ids.add(new Id("ip", remoteIp));
        }
        for (Id id : transportIds) {
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        this.authIds = List.copyOf(ids);
    }

    boolean isSuper() {
        return isSuper(authIds);
    }

    /** Whether {@code ids} hold a super id. */
    static boolean isSuper(List<Id> ids) {
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i).scheme().equals("super")) {
                return true;
            }
        }
        return false;
    }

    /** Adds an identity the connection has proved, unless it has it already. */
    void addAuthId(Id id) {
        if (!authIds.contains(id)) {
            List<Id> more = new ArrayList<>(authIds);
            more.add(id);
            authIds = List.copyOf(more);
            caller = null;
        }
    }

    /** The session and identities, as request preparation takes them. */
    Caller caller() {
        if (caller == null || caller.sessionId() != sessionId) {
            caller = new Caller(sessionId, authIds, isSuper());
        }
        return caller;
    }

    /** A request waiting for its turn. */
    sealed interface Queued permits QueuedWrite, QueuedRead, QueuedForward, PendingSync {}

    /**
     * A prepared transaction on its way to the disk and the request that asked for it (connId
     * -1: the server itself; {@code connect} only for createSession). The replica's queue of
     * transactions awaiting the disk holds the very same object. {@code digest} is the TxnDigest
     * its proposal carried (the tree digest once it is applied), or null for none.
     */
    record QueuedWrite(TxnEnvelope txn, long connId, int opCode, ConnectRequest connect, TxnDigest digest)
            implements Queued {
        long zxid() {
            return txn.zxid();
        }
    }

    /** {@code authIds}: the connection's ids when the read came, which it is judged by. */
    record QueuedRead(int xid, int opCode, JuteRecord body, List<Id> authIds) implements Queued {}

    /**
     * A write (or createSession, closeSession) an ensemble learner forwarded to its leader: it is
     * answered when the committed transaction with this session and cxid ({@code xid}) is applied
     * here. {@code connect} only for createSession; {@code body} is kept so that the request can
     * be sent again to the next leader when the one it went to was lost before committing it.
     * {@code sentAtZxid}: the last proposal this learner had logged when it first sent it; the
     * leader proposed everything up to there before it had the request, so a transaction at or
     * below it is not this request's, whatever its xid (a client that restarts its xids on every
     * connection, as kazoo does, reuses them, and another connection's older write may still be on
     * its way, here or through another server). {@code takenAtZxid}: the last proposal this learner
     * had logged when it took the request from its client, which is earlier than when it sent it
     * for a request held while there was no leader: a write of the session prepared after that,
     * through another server, may have been sent after this request (see Replica's
     * dropIfMovedAway), whenever this one was sent. And the epochs of the leaders it was sent
     * to: only those propose it, in their epochs, so a transaction of another epoch is not its
     * answer. Within one epoch, sentAtZxid does not exclude what the leader proposed before the
     * request reached it and this learner had not yet seen (an observer sees transactions only at
     * commit): there {@link LearnerForwards#fits} tells an earlier send of the same session and xid
     * apart by what it names, path and data (simulator seeds 2370565, 2380039: a kazoo-like client's
     * two sequential creates of one prefix). Only a byte-identical request (a kazoo retry after a
     * lost connection) can still be taken for it, and is answered with the earlier send's result,
     * as ZooKeeper's learners, which match by session and cxid alone, answer it.
     */
    static final class QueuedForward implements Queued {
        private final int xid;
        private final int opCode;
        private final JuteRecord body;
        private final ConnectRequest connect;
        private final long takenAtZxid;
        private long sentAtZxid;
        /** The epochs of the leaders it was sent to: only such a leader proposes it, in its epoch. */
        private final long firstSentEpoch;
        private long[] resentEpochs;

        QueuedForward(int xid, int opCode, JuteRecord body, ConnectRequest connect, long takenAtZxid,
                long sentAtZxid, long sentEpoch) {
            this.xid = xid;
            this.opCode = opCode;
            this.body = body;
            this.connect = connect;
            this.takenAtZxid = Math.min(takenAtZxid, sentAtZxid);
            this.sentAtZxid = sentAtZxid;
            this.firstSentEpoch = sentEpoch;
        }

        /**
         * Whether it went to the leader of {@code epoch}: a transaction of another epoch is not its
         * answer, whatever it names (a kazoo client's later write of the same xid and kind,
         * through another server and a later leader).
         */
        boolean sentIn(long epoch) {
            if (epoch == firstSentEpoch) {
                return true;
            }
            if (resentEpochs != null) {
                for (long e : resentEpochs) {
                    if (e == epoch) {
                        return true;
                    }
                }
            }
            return false;
        }

        int xid() {
            return xid;
        }

        int opCode() {
            return opCode;
        }

        JuteRecord body() {
            return body;
        }

        ConnectRequest connect() {
            return connect;
        }

        long sentAtZxid() {
            return sentAtZxid;
        }

        long takenAtZxid() {
            return takenAtZxid;
        }

        /** The epoch of the last leader it was sent to. */
        long lastSentEpoch() {
            return resentEpochs == null ? firstSentEpoch : resentEpochs[resentEpochs.length - 1];
        }

        /** Sent again, to the new leader of {@code epoch}, when this learner had logged up to {@code zxid}. */
        void sentAgainAt(long zxid, long epoch) {
            sentAtZxid = Math.max(sentAtZxid, zxid);
            if (!sentIn(epoch)) {
                resentEpochs = resentEpochs == null ? new long[] {epoch} : java.util.Arrays.copyOf(resentEpochs, resentEpochs.length + 1);
                resentEpochs[resentEpochs.length - 1] = epoch;
            }
        }
    }

    /**
     * A learner's client sync sent to the leader: answered, in order, once the leader's SYNC came
     * ({@code readyAtZxid} is then what this server had been told was committed) and that is applied.
     */
    static final class PendingSync implements Queued {
        final int xid;
        final JuteRecord body;
        long readyAtZxid = -1;

        PendingSync(int xid, JuteRecord body) {
            this.xid = xid;
            this.body = body;
        }
    }
}
