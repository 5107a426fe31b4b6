package io.paddock.core;

import io.paddock.core.Event.ClientRequest;
import io.paddock.core.session.Session;
import io.paddock.core.wire.ConnectRequest;

/**
 * What a {@link Replica} lends the bookkeeping of its learner's client requests ({@link
 * LearnerForwards}, {@link InFlightRequests}): the state those read and the replica's own steps
 * they take, so that they own their state without reaching into the replica's. Every method
 * reads the replica's state as it is at the call, and puts its effects in the current step's list.
 */
interface ClientHost {
    /** Every transaction up to this is applied to the tree. */
    long appliedZxid();

    /** Every transaction up to this is committed. */
    long committedZxid();

    /** The last transaction logged here (a learner: the last proposal it took). */
    long lastLoggedZxid();

    /** Whether this replica prepares transactions itself: standalone, or an established leader. */
    boolean proposes();

    /** The leader of this learner, or -1. */
    long leaderSid();

    /** The session timeout a handshake gets, within the configured bounds. */
    int sessionTimeoutFor(ConnectRequest req);

    /** The live session with this id, or null. */
    Session session(long sessionId);

    /** Answers the reads queued behind a request that was just answered, up to the next write. */
    void answerReadsBehind(ClientConnection conn);

    /** The epoch of the leader this learner serves under now (where what it forwards goes). */
    long servingEpoch();

    /** Closes a connection and forgets it. */
    void dropConnection(long connId, String reason);

    /** Prepares a closeSession as this replica's own write. */
    void closeSession(Session s, long connId, int xid);

    /** Prepares a write as this replica's own. */
    void write(ClientConnection conn, ClientRequest r);

    /** The request boundary for a request that threw, with no reply of its own next. */
    void failRequest(ClientConnection conn, RuntimeException e);
}
