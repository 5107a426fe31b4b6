package io.paddock.core;

import io.paddock.core.Effect.Reply;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.Session;
import io.paddock.core.wire.CheckVersionRequest;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateFlags;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateTTLRequest;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetACLRequest;
import io.paddock.core.wire.SetDataRequest;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.core.zab.PeerEffect;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a learner's clients asked of its leader: the writes it forwarded (REQUEST), the
 * createSessions among them that wait for their session, and which connection a committed
 * transaction answers; and the syncs (SYNC) it sent, until each sync is answered to its client in
 * order with the connection's other requests. The replica owns the connections and their
 * queues; this owns only the bookkeeping of what went to the leader and what came back. Effects
 * go to the list it is given, the replica's current step's.
 */
final class LearnerForwards {
    private final ClientHost host;
    /** The replica's connections, by id (read only here). */
    private final Map<Long, ClientConnection> connections;
    /** A learner's forwarded createSessions: session id to the connection waiting for it. */
    private final Map<Long, Long> pendingCreates = new HashMap<>();
    /** A learner's connections whose syncs went to the leader, oldest first (its SYNCs come back in order). */
    private final ArrayDeque<Long> syncsSent = new ArrayDeque<>();
    /** Connections with a sync the leader answered, waiting for what was committed to be applied. */
    private final Set<Long> syncsReady = new LinkedHashSet<>();

    LearnerForwards(ClientHost host, Map<Long, ClientConnection> connections) {
        this.host = host;
        this.connections = connections;
    }

    /**
     * A learner's write (or createSession, closeSession) goes to its leader as ZooKeeper's REQUEST:
     * {@code long sessionId, int cxid, int type} then the request's own bytes, with the session's
     * identities as authinfo. It is answered when the committed transaction comes back.
     * {@code takenAtZxid}: what this learner had logged when the request came from its client
     * (earlier than now for one held while there was no leader).
     */
    void forward(ClientConnection conn, int xid, int opCode, JuteRecord body, ConnectRequest connect,
            long takenAtZxid, List<Effect> out) {
        if (opCode == OpCode.CREATE_SESSION) {
            pendingCreates.put(conn.sessionId, conn.connId);
        }
        conn.queue.add(new ClientConnection.QueuedForward(xid, opCode, body, connect, takenAtZxid,
                host.lastLoggedZxid(), host.servingEpoch()));
        sendRequest(conn, xid, opCode, body, connect, out);
    }

    /** Sends a forward still queued on its connection again, to this learner's new leader. */
    void resend(ClientConnection conn, ClientConnection.QueuedForward f, List<Effect> out) {
        if (f.opCode() == OpCode.CREATE_SESSION) {
            pendingCreates.put(conn.sessionId, conn.connId);
        }
        f.sentAgainAt(host.lastLoggedZxid(), host.servingEpoch()); // what the new leader proposed before it is not its transaction either
        sendRequest(conn, f.xid(), f.opCode(), f.body(), f.connect(), out);
    }

    /** Sends a forwarded request (REQUEST) to this learner's leader. */
    private void sendRequest(ClientConnection conn, int xid, int opCode, JuteRecord body, ConnectRequest connect,
            List<Effect> out) {
        JuteWriter data = new JuteWriter(64);
        data.writeLong(conn.sessionId).writeInt(xid).writeInt(opCode);
        if (opCode == OpCode.CREATE_SESSION) {
            data.writeInt(host.sessionTimeoutFor(connect));
        } else if (body != null) {
            body.write(data);
        }
        out.add(new Effect.Peer(new PeerEffect.SendQuorum(host.leaderSid(),
                new QuorumPacket(QuorumPacketType.REQUEST, -1, data.toByteArray(), new ArrayList<>(conn.authIds)))));
    }

    /** The connection of this learner that forwarded the request {@code env} answers, or null. */
    ClientConnection forwarderOf(TxnEnvelope env) {
        Long connId;
        boolean create = env.txn() instanceof Txn.CreateSession;
        if (create) {
            connId = pendingCreates.get(env.sessionId()); // taken off only if it matches, below
        } else {
            Session s = host.session(env.sessionId());
            connId = s == null ? null : s.connectionId();
        }
        ClientConnection conn = connId == null ? null : connections.get(connId);
        if (conn != null && conn.queue.peek() instanceof ClientConnection.QueuedForward f && f.xid() == env.cxid()
                && conn.sessionId == env.sessionId() && env.zxid() > f.sentAtZxid() && f.sentIn(env.zxid() >>> 32)
                && fits(env.txn(), f)) {
            if (create) {
                pendingCreates.remove(env.sessionId());
            }
            return conn;
        }
        return null;
    }

    /**
     * Whether transaction {@code txn} can be request {@code f}'s, by what both name (the kind of
     * write, its path, a setData's data): another connection's write of the same session and xid (a
     * client that restarts its xids, as kazoo does) is not. An error transaction names nothing, and
     * fits any request.
     */
    static boolean fits(Txn txn, ClientConnection.QueuedForward f) {
        return txn instanceof Txn.Error || fitsOne(txn, f.opCode(), f.body());
    }

    /** {@link #fits} for one write (a multi's operations one by one, each against its transaction). */
    private static boolean fitsOne(Txn txn, int opCode, JuteRecord body) {
        return switch (opCode) {
            case OpCode.CREATE_SESSION -> txn instanceof Txn.CreateSession;
            case OpCode.CLOSE_SESSION -> txn instanceof Txn.CloseSession;
            case OpCode.MULTI -> body instanceof MultiRequest r && (txn instanceof Txn.Multi m
                    ? m.txns().size() == r.ops().size() && opsFit(m.txns(), r)
                    // A failed multi: one error per operation (their types ZooKeeper's error type once logged).
                    : txn instanceof Txn.MultiError me && me.errors().size() == r.ops().size());
            case OpCode.DELETE -> txn instanceof Txn.Delete d && body instanceof DeleteRequest r && d.path().equals(r.path());
            case OpCode.SET_DATA -> txn instanceof Txn.SetData sd && body instanceof SetDataRequest r
                    && sd.path().equals(r.path()) && sameData(sd.data(), r.data());
            case OpCode.SET_ACL -> txn instanceof Txn.SetAcl sa && body instanceof SetACLRequest r && sa.path().equals(r.path());
            case OpCode.CHECK -> txn instanceof Txn.Check c && body instanceof CheckVersionRequest r && c.path().equals(r.path());
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> txn instanceof Txn.Create c
                    && body instanceof CreateRequest r && createdAs(c.path(), r.path(), r.flags())
                    && sameData(c.data(), r.data());
            case OpCode.CREATE_TTL -> txn instanceof Txn.Create c
                    && body instanceof CreateTTLRequest r && createdAs(c.path(), r.path(), r.flags())
                    && sameData(c.data(), r.data());
            default -> true;
        };
    }

    /** Each operation of a successful multi against its transaction, in order. */
    private static boolean opsFit(List<Txn> txns, MultiRequest r) {
        for (int i = 0; i < txns.size(); i++) {
            if (!fitsOne(txns.get(i), r.ops().get(i).type(), r.ops().get(i).request())) {
                return false;
            }
        }
        return true;
    }

    /** A created path is the requested one, with a sequential suffix where the flags ask for one. */
    private static boolean createdAs(String created, String requested, int flags) {
        return requested != null && (CreateFlags.isSequential(flags) ? created.startsWith(requested) : created.equals(requested));
    }

    /** Data as a transaction carries it: a request's null data is empty data (ZooKeeper's). */
    private static boolean sameData(byte[] txnData, byte[] requested) {
        return Arrays.equals(txnData == null ? new byte[0] : txnData, requested == null ? new byte[0] : requested);
    }

    /** A connection is gone: no createSession waits for it any more. */
    void forget(long connId) {
        if (!pendingCreates.isEmpty()) {
            pendingCreates.values().removeIf(id -> id == connId);
        }
    }

    /** Every connection is gone (the leader's snapshot replaced this server's data). */
    void forgetAll() {
        pendingCreates.clear();
    }

    /**
     * The role ended. pendingCreates stays (closed connections left it in forget): a createSession
     * the lost leader committed is applied at UPTODATE and must find its waiting handshake; the new
     * leader drops a resent one as a duplicate, so only this answers it. The lost leader answers no
     * sync any more; syncsReady stays: a kept connection's sync the lost leader answered is answered
     * once applied.
     */
    void roleEnded() {
        syncsSent.clear();
    }

    /**
     * A learner's client sync: the leader answers SYNC once everything proposed before it has
     * committed; the client is answered, in order with its other requests, once that is applied here
     * (ZooKeeper's sync: the next read sees what the leader had committed). On a leader a sync waits
     * for what it had committed to be applied.
     */
    void sendSync(ClientConnection conn, ClientRequest r, List<Effect> out) {
        conn.queue.add(new ClientConnection.PendingSync(r.xid(), r.body()));
        sendSyncRequest(conn, r.xid(), r.body(), out);
    }

    void sendSyncRequest(ClientConnection conn, int xid, JuteRecord body, List<Effect> out) {
        syncsSent.addLast(conn.connId);
        sendRequest(conn, xid, OpCode.SYNC, body, null, out);
    }

    /** A sync of this connection has its committed point: it is answered once that is applied. */
    void syncReady(long connId) {
        syncsReady.add(connId);
    }

    void onSyncAnswered(List<Effect> out) {
        Long connId = syncsSent.pollFirst();
        ClientConnection conn = connId == null ? null : connections.get(connId);
        if (conn == null) {
            return; // its connection closed meanwhile
        }
        for (ClientConnection.Queued q : conn.queue) {
            if (q instanceof ClientConnection.PendingSync ps && ps.readyAtZxid < 0) {
                ps.readyAtZxid = host.committedZxid();
                syncsReady.add(conn.connId);
                break;
            }
        }
        answerReadySyncs(out);
    }

    /** Answers the syncs at the head of their connections whose committed point is applied. */
    void answerReadySyncs(List<Effect> out) {
        if (syncsReady.isEmpty()) {
            return;
        }
        for (long connId : new ArrayList<>(syncsReady)) {
            ClientConnection conn = connections.get(connId);
            if (conn == null) {
                syncsReady.remove(connId);
                continue;
            }
            while (conn.queue.peek() instanceof ClientConnection.PendingSync ps && ps.readyAtZxid >= 0
                    && host.appliedZxid() >= ps.readyAtZxid) {
                conn.queue.poll();
                out.add(new Reply(conn.connId, ps.xid, host.appliedZxid(), Code.OK,
                        new io.paddock.core.wire.SyncResponse(((io.paddock.core.wire.SyncRequest) ps.body).path())));
                host.answerReadsBehind(conn);
                if (!connections.containsKey(conn.connId)) {
                    break;
                }
            }
            boolean more = connections.containsKey(connId) && conn.queue.stream()
                    .anyMatch(q -> q instanceof ClientConnection.PendingSync p && p.readyAtZxid >= 0);
            if (!more) {
                syncsReady.remove(connId);
            }
        }
    }
}
