package io.paddock.core;

import io.paddock.core.Effect.Trace;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.session.Session;
import io.paddock.core.wire.OpCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client requests a leader change caught in flight: when a role ends, which connections are
 * closed and which a learner keeps because their forwards (or syncs) went to the lost leader;
 * once a leader of a later epoch is known, sending those again, preparing them as the new leader,
 * or closing their connections; and the counts of each, since start. The replica owns the
 * connections and their queues; this decides their fate at a leader change. Effects go to the
 * list it is given, the replica's current step's.
 */
final class InFlightRequests {
    private final ClientHost host;
    /** The replica's connections, by id (read only here). */
    private final Map<Long, ClientConnection> connections;
    private final LearnerForwards forwards;
    /** The epoch this member last served in (led or was synced with its leader); -1 before it first did. */
    private long servingEpoch = -1;
    /**
     * A learner's connections kept when its role ended with requests forwarded to the lost leader
     * (or syncs sent to it) unanswered: they are sent again once a leader of a later epoch synced
     * this server (see {@link #resendInFlight}).
     */
    private final Set<Long> resendOnSync = new LinkedHashSet<>();
    /** Whether the role that started last is in another epoch than the one served before it. */
    private boolean resendEpochDiffers;
    /** Requests (forwards and syncs) sent again to a new leader, or prepared as the new leader, since start. */
    private long requestsResent;
    /** Connections closed at a leader change because a request of theirs was in flight, since start. */
    private long closedInFlight;
    /** Of those, the ones closed only because a forward sat behind a sync the lost leader never answered. */
    private long closedBehindUnansweredSync;
    /** Of those, the ones a new leader closed because a handshake (or a closing session) was in flight. */
    private long closedHandshakesInFlight;

    InFlightRequests(ClientHost host, Map<Long, ClientConnection> connections, LearnerForwards forwards) {
        this.host = host;
        this.connections = connections;
        this.forwards = forwards;
    }

    /** The epoch this member last served in (its forwards went to that epoch's leader); -1 before it first did. */
    long servingEpoch() {
        return servingEpoch;
    }

    /** A role started serving in this epoch (led, or synced with its leader). */
    void startServing(long epoch) {
        resendEpochDiffers = epoch != servingEpoch;
        servingEpoch = epoch;
    }

    /**
     * The role ended. A write this server proposed as the old leader may or may not commit: its
     * connection is closed, as ZooKeeper closes every connection on a leader change. A learner keeps
     * the connections whose requests it forwarded to the lost leader, until the next leader is known
     * ({@link #resendInFlight}).
     */
    void roleEnded(boolean wasLeading, String reason) {
        List<Long> inFlight = new ArrayList<>();
        for (ClientConnection conn : connections.values()) {
            boolean forwarded = false;
            boolean proposed = false;
            for (ClientConnection.Queued q : conn.queue) {
                forwarded |= q instanceof ClientConnection.QueuedForward || q instanceof ClientConnection.PendingSync;
                proposed |= q instanceof ClientConnection.QueuedWrite;
            }
            if (proposed || (forwarded && wasLeading)) {
                inFlight.add(conn.connId);
            } else if (forwarded) {
                resendOnSync.add(conn.connId);
            }
        }
        for (long connId : inFlight) {
            resendOnSync.remove(connId);
            closedInFlight++;
            host.dropConnection(connId, "its request was in flight when the role ended (" + reason + ")");
        }
    }

    /** A connection is gone: nothing of it is sent again. */
    void forget(long connId) {
        resendOnSync.remove(connId);
    }

    /**
     * Once this learner is synced with a leader of a later epoch than the one its unanswered
     * forwards (and syncs) went to, sends them again, in order, keeping the client's connection.
     * This is safe because of what sync guarantees: the new leader committed its whole history
     * before this epoch, and this server applied it at UPTODATE (its history was durable before
     * it acknowledged NEWLEADER), answering every forward that is in it. A forward still
     * unanswered now was never committed and never will be: the new epoch truncates whatever
     * of the old one its leader lacks, and no later leader can hold it (its history descends from
     * this one's). So it is sent again and answered exactly once; if this server is the new
     * leader, it prepares it itself ({@link #prepareAsNewLeader}). Where that cannot be shown (a
     * leader again in the same epoch, which may still commit the first copy; anything unapplied),
     * the connection is closed instead, as ZooKeeper closes every connection on a leader change,
     * and the client sees connection loss.
     */
    void resendInFlight(List<Effect> out) {
        if (resendOnSync.isEmpty()) {
            return;
        }
        List<Long> conns = new ArrayList<>(resendOnSync);
        resendOnSync.clear();
        boolean leading = host.proposes();
        boolean canResend = resendEpochDiffers && host.appliedZxid() >= host.committedZxid();
        for (long connId : conns) {
            ClientConnection conn = connections.get(connId);
            if (conn == null) {
                continue;
            }
            if (!canResend) {
                closedInFlight++;
                host.dropConnection(connId, "its request went to a leader that was lost and may still commit it");
                continue;
            }
            if (forwardBehindUnansweredSync(conn)) {
                // A forward behind a sync nobody answered may have been applied at UPTODATE with its
                // reply held back (replies go in order, and the sync could not be answered first).
                closedInFlight++;
                closedBehindUnansweredSync++;
                host.dropConnection(connId, "a request went to a lost leader behind a sync it did not answer");
                continue;
            }
            if (leading) {
                prepareAsNewLeader(conn, out);
                continue;
            }
            int resent = 0;
            for (ClientConnection.Queued q : conn.queue) {
                if (q instanceof ClientConnection.QueuedForward f) {
                    forwards.resend(conn, f, out);
                    resent++;
                } else if (q instanceof ClientConnection.PendingSync ps) {
                    if (ps.readyAtZxid < 0) {
                        forwards.sendSyncRequest(conn, ps.xid, ps.body, out);
                        resent++;
                    } else {
                        forwards.syncReady(conn.connId); // what the lost leader had committed is applied by now
                    }
                }
            }
            if (resent > 0) {
                requestsResent += resent;
                out.add(new Trace("resent " + resent + " request(s) of connection 0x" + Long.toHexString(connId)
                        + " (session 0x" + Long.toHexString(conn.sessionId) + ") to the new leader"));
            }
        }
        forwards.answerReadySyncs(out);
    }

    /**
     * This learner became the new leader with requests of a kept connection still forwarded to the
     * lost one: it prepares them itself, in place in the connection's order. The argument is the
     * learner's (see {@link #resendInFlight}) with this server as the leader: its whole history was
     * committed and applied when it was established (LeaderRole leads only with its history durable,
     * and commits all of it at once), and applying it answered every forward in it. A forward still
     * queued was never committed, and no later leader can hold it. A sync the lost leader did not
     * answer is answered now: everything committed before it is applied here. A createSession, or a
     * session that is gone or closing, closes the connection instead (the client reconnects).
     */
    private void prepareAsNewLeader(ClientConnection conn, List<Effect> out) {
        Session s = host.session(conn.sessionId);
        boolean canPrepare = s != null && !s.closing();
        for (ClientConnection.Queued q : conn.queue) {
            if (q instanceof ClientConnection.QueuedForward f && f.opCode() == OpCode.CREATE_SESSION) {
                canPrepare = false;
            }
        }
        if (!canPrepare) {
            closedInFlight++;
            closedHandshakesInFlight++;
            host.dropConnection(conn.connId, "its handshake or session was in flight to the lost leader");
            return;
        }
        List<ClientConnection.Queued> queued = new ArrayList<>(conn.queue);
        conn.queue.clear(); // rebuilt in order: each forward becomes this leader's own write
        int prepared = 0;
        try {
            for (ClientConnection.Queued q : queued) {
                if (q instanceof ClientConnection.QueuedForward f) {
                    if (f.opCode() == OpCode.CLOSE_SESSION) {
                        host.closeSession(s, conn.connId, f.xid());
                    } else {
                        host.write(conn, new ClientRequest(conn.connId, f.xid(), f.opCode(), f.body()));
                    }
                    prepared++;
                } else {
                    if (q instanceof ClientConnection.PendingSync ps) {
                        if (ps.readyAtZxid < 0) {
                            ps.readyAtZxid = host.appliedZxid();
                        }
                        forwards.syncReady(conn.connId);
                    }
                    conn.queue.add(q);
                }
            }
        } catch (RuntimeException e) {
            host.failRequest(conn, e);
            return;
        }
        if (prepared > 0) {
            requestsResent += prepared;
            out.add(new Trace("prepared " + prepared + " request(s) of connection 0x" + Long.toHexString(conn.connId)
                    + " (session 0x" + Long.toHexString(conn.sessionId) + ") that went to the lost leader"));
        }
    }

    private static boolean forwardBehindUnansweredSync(ClientConnection conn) {
        boolean unansweredSync = false;
        for (ClientConnection.Queued q : conn.queue) {
            if (q instanceof ClientConnection.PendingSync ps && ps.readyAtZxid < 0) {
                unansweredSync = true;
            } else if (q instanceof ClientConnection.QueuedForward && unansweredSync) {
                return true;
            }
        }
        return false;
    }

    long requestsResent() {
        return requestsResent;
    }

    long closedInFlight() {
        return closedInFlight;
    }

    long closedBehindUnansweredSync() {
        return closedBehindUnansweredSync;
    }

    long closedHandshakesInFlight() {
        return closedHandshakesInFlight;
    }
}
