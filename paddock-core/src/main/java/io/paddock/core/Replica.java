package io.paddock.core;

import io.paddock.core.ClientConnection.QueuedWrite;
import io.paddock.core.Effect.AppendLog;
import io.paddock.core.Effect.CloseClient;
import io.paddock.core.Effect.ConnectReply;
import io.paddock.core.Effect.Reply;
import io.paddock.core.Effect.Trace;
import io.paddock.core.Event.ClientClosed;
import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.Event.LogAppended;
import io.paddock.core.Event.Tick;
import io.paddock.core.request.PendingChanges;
import io.paddock.core.request.RequestPrep;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.Session;
import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.AclCheck;
import io.paddock.core.tree.ContainerSweep;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.Fired;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.AuthPacket;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.ConnectResponse;
import io.paddock.core.wire.GetSASLRequest;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.KeeperState;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetWatches;
import io.paddock.core.wire.SetWatches2;
import io.paddock.core.wire.WatcherEvent;
import io.paddock.core.zab.PeerConfig;
import io.paddock.core.zab.PeerEffect;
import io.paddock.core.zab.PeerEvent;
import io.paddock.core.zab.QuorumPeerCore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Paddock server's core: a pure state machine that is fed {@link Event}s and answers with
 * {@link Effect}s. It owns the data tree, the sessions and the client connections' ordering;
 * it owns no thread, socket, file, clock or random source.
 *
 * <p>Today it runs standalone: a write is prepared (validated, given the next zxid), handed to
 * the shell as {@link AppendLog}, and applied only when the shell reports it durable with
 * {@link LogAppended}; only then are watches fired and the client answered. Replication will
 * put the quorum between those two steps without changing the rest.
 */
public final class Replica {
    private static final int PROTOCOL_VERSION = 0;
    private static final int PASSWORD_BYTES = 16;

    private final CoreConfig config;
    private final DataTree tree = new DataTree();
    private final SessionTable sessions;
    private final PendingChanges pending = new PendingChanges();
    private final RequestPrep prep;
    private final TxnApplier applier;
    private final ReadHandler reads;
    private final byte[] passwordSecret;
    private final Map<Long, ClientConnection> connections = new HashMap<>();
    /**
     * Prepared transactions waiting for the disk, with who asked for them, oldest first: zxids
     * are handed out in increasing order, so this is a queue (checked in {@link #submit}). The
     * same objects wait in their connections' queues.
     */
    private final ArrayDeque<QueuedWrite> awaiting = new ArrayDeque<>();

    private long nextSessionId;
    private long lastZxid;
    private long lastAppliedZxid;
    private long nowMs;
    private long nextSweepMs;
    private boolean freshTimeoutsOnNextTick;
    /** Where the current step puts its effects. */
    private List<Effect> out = new ArrayList<>();
    /** This server's part in the ensemble; null when standalone. */
    private QuorumPeerCore peer;
    private long peerTickMs;
    private long peerStartMs;
    /** The last tick given to the peer; -1 before its first (which starts its first election). */
    private long peerTick = -1;
    /** The peer's effects of the current step, before they are wrapped into {@link #out}. */
    private final List<PeerEffect> peerOut = new ArrayList<>();

    /**
     * @param sessionIdBase the first session id to hand out (the shell derives it from the
     *     clock, as ZooKeeper does, so ids do not repeat across restarts)
     * @param passwordSecret a secret from the shell's random source; passwords are derived from
     *     it and the session id, so a restarted server recognises old sessions' passwords only if
     *     it gets the same secret back (sessions carry their password in the log, so it does)
     */
    public Replica(CoreConfig config, long sessionIdBase, byte[] passwordSecret, long nowMs) {
        this.config = config;
        this.sessions = new SessionTable(config.tickMs());
        this.prep = new RequestPrep(new TreeLookup(tree), pending, config.extendedTypesEnabled());
        this.applier = new TxnApplier(tree, sessions);
        this.reads = new ReadHandler(tree);
        this.passwordSecret = passwordSecret.clone();
        this.nextSessionId = sessionIdBase;
        this.nowMs = nowMs;
        this.nextSweepMs = nowMs + config.containerCheckIntervalMs();
    }

    /** Feeds one event; returns the effects, in the order the shell must carry them out. */
    public List<Effect> step(Event event) {
        List<Effect> effects = new ArrayList<>();
        step(event, effects);
        return effects;
    }

    /**
     * Feeds one event and appends its effects to {@code effects}, in the order the shell must
     * carry them out; a shell that reuses one list allocates nothing for the effects.
     */
    public void step(Event event, List<Effect> effects) {
        out = effects;
        if (event instanceof ClientRequest r) {
            onRequest(r);
        } else if (event instanceof LogAppended l) {
            onLogAppended(l.zxid());
        } else if (event instanceof Event.LogFailed f) {
            onLogFailed(f.fromZxid(), f.reason());
        } else if (event instanceof Tick t) {
            onTick(t.nowMs());
        } else if (event instanceof ClientConnected c) {
            onConnect(c);
        } else if (event instanceof ClientClosed c) {
            onClosed(c.connId());
        } else if (event instanceof Event.Peer p) {
            onPeerEvent(p.event());
        } else {
            throw new IllegalArgumentException("unknown event " + event);
        }
    }

    // ------------------------------------------------------------------ time

    private void onTick(long tickNowMs) {
        nowMs = Math.max(nowMs, tickNowMs);
        if (peer != null) {
            long tick = (nowMs - peerStartMs) / peerTickMs;
            if (tick > peerTick) {
                peerTick = tick;
                stepPeer(new PeerEvent.Tick(tick));
            }
        }
        if (freshTimeoutsOnNextTick) {
            // Recovery may have taken longer than a session timeout: recovered sessions count
            // their timeout from the first tick of the serving server, not from before recovery.
            freshTimeoutsOnNextTick = false;
            for (Session s : new ArrayList<>(sessions.all())) {
                sessions.touch(s, nowMs);
            }
        }
        for (Session s : sessions.expired(nowMs)) {
            out.add(new Trace("session 0x" + Long.toHexString(s.id()) + " expired after "
                    + s.timeoutMs() + " ms without a ping"));
            closeSession(s, -1, 0);
        }
        if (nowMs >= nextSweepMs) {
            nextSweepMs = nowMs + config.containerCheckIntervalMs();
            sweepContainersAndTtls();
        }
    }

    /** Deletes empty containers that once had children and expired TTL nodes, at a bounded rate. */
    private void sweepContainersAndTtls() {
        long budget = Math.max(1, config.containerMaxPerMinute() * config.containerCheckIntervalMs() / 60_000);
        for (String path : ContainerSweep.due(tree, nowMs, (int) Math.min(Integer.MAX_VALUE, budget))) {
            long zxid = lastZxid + 1;
            Txn txn = prep.prepareSweepDelete(zxid, path);
            if (txn != null) {
                lastZxid = zxid;
                submit(new TxnEnvelope(zxid, 0, 0, nowMs, txn), null, -1, OpCode.DELETE, null);
            }
        }
    }

    // ------------------------------------------------------------------ the ensemble

    /**
     * Makes this replica a member of an ensemble, after recovery and before its first event: its
     * quorum peer starts its first election on the next {@link Tick}, with the epochs the shell read
     * from disk and the last zxid recovery found. The peer counts time in ticks of {@code
     * peerTickMs}, from {@code nowMs} of the first tick on.
     */
    public void joinEnsemble(PeerConfig config, long acceptedEpoch, long currentEpoch, long peerTickMs) {
        if (peer != null) {
            throw new IllegalStateException("already in an ensemble as server " + peer.sid());
        }
        if (peerTickMs <= 0) {
            throw new IllegalArgumentException("peerTickMs must be positive: " + peerTickMs);
        }
        this.peer = new QuorumPeerCore(config, acceptedEpoch, currentEpoch, lastZxid);
        this.peerTickMs = peerTickMs;
        this.peerStartMs = nowMs;
    }

    private void onPeerEvent(PeerEvent event) {
        if (peer == null) {
            throw new IllegalStateException("a peer event for a standalone replica: " + event);
        }
        if (event instanceof PeerEvent.Tick) {
            throw new IllegalArgumentException("peer time comes from Tick events, not " + event);
        }
        stepPeer(event);
    }

    private void stepPeer(PeerEvent event) {
        peerOut.clear();
        peer.step(event, peerOut);
        for (int i = 0; i < peerOut.size(); i++) {
            out.add(new Effect.Peer(peerOut.get(i)));
        }
    }

    /** This server's quorum peer, or null when standalone. Read it on the thread that steps the replica. */
    public QuorumPeerCore peer() {
        return peer;
    }

    // ------------------------------------------------------------------ connections

    private void onConnect(ClientConnected c) {
        ConnectRequest req = c.request();
        ClientConnection conn = new ClientConnection(c.connId(), c.remoteIp());
        connections.put(c.connId(), conn);
        if (req.lastZxidSeen() > lastAppliedZxid) {
            // No answer, as ZooKeeper: a "session expired" reply would make the client give up
            // its session, when it should just try a server that is not behind.
            dropConnection(conn.connId, "client has seen zxid 0x" + Long.toHexString(req.lastZxidSeen())
                    + " but this server's last zxid is 0x" + Long.toHexString(lastAppliedZxid));
            return;
        }
        int timeoutMs = Math.max(config.minSessionTimeoutMs(), Math.min(config.maxSessionTimeoutMs(), req.timeOut()));
        if (req.sessionId() == 0) {
            long sessionId = nextSessionId++;
            conn.sessionId = sessionId;
            long zxid = ++lastZxid;
            Txn txn = new Txn.CreateSession(sessionId, timeoutMs, passwordFor(sessionId));
            TxnEnvelope env = new TxnEnvelope(zxid, sessionId, 0, nowMs, txn);
            submit(env, conn, conn.connId, OpCode.CREATE_SESSION, req);
            return;
        }
        Session s = sessions.get(req.sessionId());
        if (s == null || s.closing() || !MessageDigest.isEqual(s.passwd(), req.passwd())) {
            refuse(conn, s == null || s.closing()
                    ? "session 0x" + Long.toHexString(req.sessionId()) + " has expired"
                    : "wrong password for session 0x" + Long.toHexString(req.sessionId()), req);
            return;
        }
        long previous = s.connectionId();
        if (previous != Session.NO_CONNECTION && previous != conn.connId && connections.containsKey(previous)) {
            dropConnection(previous, "session 0x" + Long.toHexString(s.id()) + " moved to another connection");
        }
        conn.sessionId = s.id();
        sessions.attach(s, conn.connId);
        sessions.touch(s, nowMs);
        out.add(new ConnectReply(conn.connId, ConnectResponse.answering(req, PROTOCOL_VERSION,
                s.timeoutMs(), s.id(), s.passwd(), false)));
    }

    /** Answers an invalid handshake the way clients recognise as "session expired", then closes. */
    private void refuse(ClientConnection conn, String reason, ConnectRequest req) {
        out.add(new ConnectReply(conn.connId, ConnectResponse.answering(req, PROTOCOL_VERSION, 0, 0,
                new byte[PASSWORD_BYTES], false)));
        dropConnection(conn.connId, reason);
    }

    private void dropConnection(long connId, String reason) {
        out.add(new CloseClient(connId, reason));
        forget(connId);
    }

    private void onClosed(long connId) {
        forget(connId);
    }

    private void forget(long connId) {
        ClientConnection conn = connections.remove(connId);
        if (conn == null) {
            return;
        }
        tree.watches().removeWatcher(connId);
        Session s = sessions.get(conn.sessionId);
        if (s != null && s.connectionId() == connId) {
            sessions.attach(s, Session.NO_CONNECTION);
        }
    }

    // ------------------------------------------------------------------ requests

    private void onRequest(ClientRequest r) {
        ClientConnection conn = connections.get(r.connId());
        if (conn == null) {
            return;
        }
        Session s = sessions.get(conn.sessionId);
        if (s != null) {
            if (s.closing()) {
                // Dropped unanswered, as ZooKeeper does: an immediate error would overtake the
                // replies to this connection's earlier requests; the connection closes soon.
                return;
            }
            sessions.touch(s, nowMs);
        }
        try {
            dispatch(conn, s, r);
        } catch (RuntimeException e) {
            failRequest(conn, r.xid(), r.opCode(), e, conn.queue.isEmpty());
        }
    }

    /**
     * The request boundary: a request whose handling threw (a bug in the core, or input no check
     * foresaw) costs its own connection and nothing else. Every handler validates before it
     * changes state, so the failed request has changed nothing; the connection is answered
     * SYSTEMERROR when that reply is next in its order (a write still in flight ahead of it
     * would be overtaken, which clients treat as a broken stream: then it is closed unanswered)
     * and closed. SYSTEMERROR, not MARSHALLINGERROR: the fault is the server's, not proven the
     * request's, and MARSHALLINGERROR stays the answer to the inputs ZooKeeper itself refuses
     * so. Applying a durable transaction is not covered: a failure there may have half-changed
     * the tree, and it ends the process.
     */
    private void failRequest(ClientConnection conn, int xid, int opCode, RuntimeException e, boolean replyIsNext) {
        if (!connections.containsKey(conn.connId)) {
            return;
        }
        String reason = "request xid " + xid + " op " + opCode + " failed in the core: " + e;
        out.add(new Trace("connection " + conn.connId + ": " + reason));
        if (replyIsNext) {
            out.add(new Reply(conn.connId, xid, lastAppliedZxid, Code.SYSTEM_ERROR, null));
        }
        dropConnection(conn.connId, reason);
    }

    private void dispatch(ClientConnection conn, Session s, ClientRequest r) {
        switch (r.opCode()) {
            case OpCode.AUTH -> authenticate(conn, r);
            case OpCode.CLOSE_SESSION -> {
                if (s == null) {
                    dropConnection(conn.connId, "closeSession before the session exists");
                } else {
                    closeSession(s, conn.connId, r.xid());
                }
            }
            case OpCode.SASL -> {
                if (((GetSASLRequest) r.body()).token() == null) {
                    // ZooKeeper closes the connection unanswered on a null token.
                    dropConnection(conn.connId, "sasl request without a token");
                } else {
                    answerInOrder(conn, r.xid(), r.opCode(), null);
                }
            }
            case OpCode.RECONFIG -> answerInOrder(conn, r.xid(), r.opCode(), null);
            default -> {
                int refusal = RequestPrep.isWrite(r.opCode())
                        ? RequestPrep.refusalBeforeTxn(r.opCode(), r.body()) : Code.OK;
                if (refusal != Code.OK) {
                    answerInOrder(conn, r.xid(), r.opCode(), new Refused(refusal));
                } else if (RequestPrep.isWrite(r.opCode())) {
                    write(conn, r);
                } else {
                    answerInOrder(conn, r.xid(), r.opCode(), r.body());
                }
            }
        }
    }

    /** The zxid is taken only once the prep returned: a prep that throws leaves no gap. */
    private void write(ClientConnection conn, ClientRequest r) {
        long zxid = lastZxid + 1;
        Txn txn = prep.prepare(zxid, conn.caller(), r.opCode(), r.body());
        lastZxid = zxid;
        submit(new TxnEnvelope(zxid, conn.sessionId, r.xid(), nowMs, txn), conn, conn.connId, r.opCode(), null);
    }

    private void closeSession(Session s, long connId, int xid) {
        long zxid = lastZxid + 1;
        Txn txn = prep.prepareCloseSession(zxid, s.id());
        lastZxid = zxid;
        sessions.markClosing(s);
        submit(new TxnEnvelope(zxid, s.id(), xid, nowMs, txn), connections.get(connId), connId,
                OpCode.CLOSE_SESSION, null);
    }

    /**
     * Hands a prepared transaction to the disk. It waits, in zxid order, until it is durable;
     * {@code conn} (null for none) answers nothing behind it before that.
     */
    private void submit(TxnEnvelope env, ClientConnection conn, long connId, int opCode, ConnectRequest connect) {
        QueuedWrite last = awaiting.peekLast();
        if (last != null && last.zxid() >= env.zxid()) {
            throw new IllegalStateException("zxid 0x" + Long.toHexString(env.zxid())
                    + " prepared after 0x" + Long.toHexString(last.zxid()));
        }
        QueuedWrite write = new QueuedWrite(env, connId, opCode, connect);
        if (conn != null) {
            conn.queue.add(write);
        }
        awaiting.addLast(write);
        out.add(new AppendLog(env));
    }

    /**
     * Adds an identity to the connection at once (later writes must see it), answering in order.
     * An unknown (or null) scheme or null credentials fail the connection, as in ZooKeeper. Any
     * other digest credential is accepted as ZooKeeper accepts it, even an empty one or one
     * without a colon (node-zookeeper-client sends empty credentials as an empty buffer): the id
     * is then "user:" + hash with the whole text as the user.
     */
    private void authenticate(ClientConnection conn, ClientRequest r) {
        AuthPacket auth = (AuthPacket) r.body();
        if (!"digest".equals(auth.scheme()) || auth.auth() == null) {
            out.add(new Reply(conn.connId, r.xid(), 0, Code.AUTH_FAILED, null));
            dropConnection(conn.connId, "authentication with scheme '" + auth.scheme() + "' failed");
            return;
        }
        String digest = AclCheck.digest(new String(auth.auth(), StandardCharsets.UTF_8));
        conn.addAuthId(new Id("digest", digest));
        if (config.superDigest() != null && config.superDigest().equals(digest)) {
            conn.addAuthId(new Id("super", ""));
        }
        answerInOrder(conn, r.xid(), OpCode.AUTH, null);
    }

    /** Answers now when nothing of this connection is in flight, else after what is. */
    private void answerInOrder(ClientConnection conn, int xid, int opCode, JuteRecord body) {
        if (conn.queue.isEmpty()) {
            answerRead(conn, xid, opCode, body);
        } else {
            conn.queue.add(new ClientConnection.QueuedRead(xid, opCode, body));
        }
    }

    /** Answers one read, now or from the queue; a read that throws fails only its connection. */
    private void answerRead(ClientConnection conn, int xid, int opCode, JuteRecord body) {
        try {
            answerReadUnguarded(conn, xid, opCode, body);
        } catch (RuntimeException e) {
            failRequest(conn, xid, opCode, e, true);
        }
    }

    /**
     * A write refused before it became a transaction: answered in order, like a read, with no
     * zxid of its own. Never written to the wire.
     */
    private record Refused(int err) implements JuteRecord {
        @Override
        public void write(JuteWriter out) {
            throw new UnsupportedOperationException("a refusal is answered, never encoded");
        }
    }

    private void answerReadUnguarded(ClientConnection conn, int xid, int opCode, JuteRecord body) {
        if (body instanceof Refused refused) {
            out.add(new Reply(conn.connId, xid, lastAppliedZxid, refused.err(), null));
            return;
        }
        switch (opCode) {
            case OpCode.AUTH -> out.add(new Reply(conn.connId, xid, 0, Code.OK, null));
            case OpCode.RECONFIG -> out.add(new Reply(conn.connId, xid, lastAppliedZxid, Code.RECONFIG_DISABLED, null));
            case OpCode.SASL -> out.add(new Reply(conn.connId, xid, lastAppliedZxid, Code.AUTH_FAILED, null));
            case OpCode.SET_WATCHES, OpCode.SET_WATCHES2 -> {
                List<Fired> fired = setWatches(conn, body);
                if (fired == null) {
                    out.add(new Reply(conn.connId, xid, lastAppliedZxid, Code.MARSHALLING_ERROR, null));
                } else {
                    deliver(fired);
                    out.add(new Reply(conn.connId, xid, lastAppliedZxid, Code.OK, null));
                }
            }
            default -> {
                ReadHandler.Answer a = reads.answer(conn, opCode, body);
                out.add(new Reply(conn.connId, xid, lastAppliedZxid, a.err(), a.body()));
            }
        }
    }

    /**
     * Re-registers a reconnecting client's watches; null when ZooKeeper answers the request
     * MARSHALLING_ERROR: a null list, or a null path among the data, exist or child watches
     * (ZooKeeper looks those up in the tree). A null path among the persistent watches is kept,
     * as ZooKeeper keeps it.
     */
    private List<Fired> setWatches(ClientConnection conn, JuteRecord body) {
        if (body instanceof SetWatches w) {
            if (anyNullList(w.dataWatches(), w.existWatches(), w.childWatches())
                    || anyNullPath(w.dataWatches(), w.existWatches(), w.childWatches())) {
                return null;
            }
            return tree.setWatches(w.relativeZxid(), w.dataWatches(), w.existWatches(),
                    w.childWatches(), List.of(), List.of(), conn.connId);
        }
        SetWatches2 w = (SetWatches2) body;
        if (anyNullList(w.dataWatches(), w.existWatches(), w.childWatches(), w.persistentWatches(),
                w.persistentRecursiveWatches())
                || anyNullPath(w.dataWatches(), w.existWatches(), w.childWatches())) {
            return null;
        }
        return tree.setWatches(w.relativeZxid(), w.dataWatches(), w.existWatches(), w.childWatches(),
                w.persistentWatches(), w.persistentRecursiveWatches(), conn.connId);
    }

    @SafeVarargs
    private static boolean anyNullList(List<String>... lists) {
        for (List<String> list : lists) {
            if (list == null) {
                return true;
            }
        }
        return false;
    }

    @SafeVarargs
    private static boolean anyNullPath(List<String>... lists) {
        for (List<String> list : lists) {
            for (String path : list) { // not contains(null): immutable lists throw on it
                if (path == null) {
                    return true;
                }
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ durable: apply

    private void onLogAppended(long durableZxid) {
        while (!awaiting.isEmpty() && awaiting.peekFirst().zxid() <= durableZxid) {
            applyDurable(awaiting.pollFirst());
        }
    }

    private void applyDurable(QueuedWrite a) {
        TxnEnvelope env = a.txn();
        long closingConnection = Session.NO_CONNECTION;
        if (env.txn() instanceof Txn.CloseSession close) {
            Session s = sessions.get(close.sessionId());
            closingConnection = s == null ? Session.NO_CONNECTION : s.connectionId();
        }
        TxnApplier.Outcome outcome = applier.apply(env, a.opCode());
        lastAppliedZxid = env.zxid();
        pending.applied(env.zxid());
        deliver(outcome.fired());
        ClientConnection conn = connections.get(a.connId());
        if (conn != null) {
            if (a.opCode() == OpCode.CREATE_SESSION) {
                Session s = sessions.get(env.sessionId());
                sessions.attach(s, conn.connId);
                out.add(new ConnectReply(conn.connId, ConnectResponse.answering(a.connect(), PROTOCOL_VERSION,
                        s.timeoutMs(), s.id(), s.passwd(), false)));
            } else {
                out.add(new Reply(conn.connId, env.cxid(), env.zxid(), outcome.err(), outcome.body()));
            }
            finishWrite(conn, a);
        }
        if (closingConnection != Session.NO_CONNECTION && connections.containsKey(closingConnection)) {
            dropConnection(closingConnection, "session 0x" + Long.toHexString(env.sessionId()) + " closed");
        }
    }

    /**
     * Nothing from {@code fromZxid} on reached the disk. Every transaction still waiting was
     * prepared on top of the failed one, so all of them are dropped: pending changes are
     * forgotten, zxids are handed out again from the last applied one, sessions being closed
     * stay open (the close will be tried again), and each client hears SYSTEMERROR (a new
     * session's handshake is refused and its connection closed).
     */
    private void onLogFailed(long fromZxid, String reason) {
        if (!awaiting.isEmpty() && awaiting.peekFirst().zxid() < fromZxid) {
            throw new IllegalStateException("log failed at 0x" + Long.toHexString(fromZxid) + " but 0x"
                    + Long.toHexString(awaiting.peekFirst().zxid()) + " was never reported durable");
        }
        out.add(new Trace("the log failed at zxid 0x" + Long.toHexString(fromZxid) + " (" + reason
                + "); failing " + awaiting.size() + " waiting writes"));
        List<QueuedWrite> dropped = new ArrayList<>(awaiting);
        awaiting.clear();
        pending.clear();
        lastZxid = lastAppliedZxid;
        for (QueuedWrite a : dropped) {
            if (a.txn().txn() instanceof Txn.CloseSession close) {
                Session s = sessions.get(close.sessionId());
                if (s != null) {
                    sessions.unmarkClosing(s);
                }
            }
            ClientConnection conn = connections.get(a.connId());
            if (conn == null) {
                continue;
            }
            if (a.opCode() == OpCode.CREATE_SESSION) {
                dropConnection(conn.connId, "cannot create its session: " + reason);
                continue;
            }
            out.add(new Reply(conn.connId, a.txn().cxid(), lastAppliedZxid, Code.SYSTEM_ERROR, null));
            finishWrite(conn, a);
        }
    }

    /** The write at the head of the connection's queue is answered; answer the reads behind it. */
    private void finishWrite(ClientConnection conn, QueuedWrite write) {
        ClientConnection.Queued head = conn.queue.poll();
        if (head != write) {
            throw new IllegalStateException("connection " + conn.connId + " answered zxid 0x"
                    + Long.toHexString(write.zxid()) + " out of order; queue head was " + head);
        }
        while (conn.queue.peek() instanceof ClientConnection.QueuedRead read) {
            conn.queue.poll();
            answerRead(conn, read.xid(), read.opCode(), read.body());
            if (!connections.containsKey(conn.connId)) {
                return;
            }
        }
    }

    private void deliver(List<Fired> fired) {
        for (int i = 0; i < fired.size(); i++) { // indexed: no iterator per write
            Fired f = fired.get(i);
            ClientConnection conn = connections.get(f.watcherId());
            if (conn == null) {
                continue;
            }
            if (!f.acl().isEmpty() && !AclCheck.permitted(f.acl(), Acl.READ, conn.authIds, conn.isSuper())) {
                continue;
            }
            out.add(new Effect.Watch(conn.connId, f.zxid(),
                    new WatcherEvent(f.eventType(), KeeperState.SYNC_CONNECTED, f.path())));
        }
    }

    // ------------------------------------------------------------------ recovery

    /**
     * Replays one durable transaction found in the log at start-up (after the snapshot, if any,
     * was loaded into {@link #tree()} and {@link #sessions()}). Nothing is answered: no client
     * is connected yet. Transactions must come in strictly increasing zxid order.
     */
    public void replay(TxnEnvelope env) {
        if (!connections.isEmpty() || !awaiting.isEmpty()) {
            throw new IllegalStateException("replay after serving started");
        }
        if (env.zxid() <= lastAppliedZxid) {
            throw new IllegalStateException("replay of zxid 0x" + Long.toHexString(env.zxid())
                    + " after 0x" + Long.toHexString(lastAppliedZxid));
        }
        applier.apply(env, -1);
        lastAppliedZxid = env.zxid();
        lastZxid = env.zxid();
    }

    /**
     * Marks the end of recovery: the tree and sessions hold everything durable up to {@code
     * zxid}. Every recovered session gets a full timeout from now, as after a leader change.
     */
    public void recovered(long zxid) {
        if (zxid < lastAppliedZxid) {
            throw new IllegalStateException("recovered to 0x" + Long.toHexString(zxid)
                    + " but replayed up to 0x" + Long.toHexString(lastAppliedZxid));
        }
        lastAppliedZxid = zxid;
        lastZxid = zxid;
        freshTimeoutsOnNextTick = true;
    }

    // ------------------------------------------------------------------ helpers and views

    private byte[] passwordFor(long sessionId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(passwordSecret);
            for (int i = 7; i >= 0; i--) {
                sha.update((byte) (sessionId >>> (8 * i)));
            }
            byte[] full = sha.digest();
            byte[] passwd = new byte[PASSWORD_BYTES];
            System.arraycopy(full, 0, passwd, 0, PASSWORD_BYTES);
            return passwd;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    public DataTree tree() {
        return tree;
    }

    public SessionTable sessions() {
        return sessions;
    }

    public long lastAppliedZxid() {
        return lastAppliedZxid;
    }

    public long lastZxid() {
        return lastZxid;
    }

    public int connectionCount() {
        return connections.size();
    }

    /** The session a connection belongs to, 0 when none (yet). */
    public long sessionIdOf(long connId) {
        ClientConnection conn = connections.get(connId);
        return conn == null ? 0 : conn.sessionId;
    }

    /** The timeout of a connection's session, 0 when none (yet). */
    public int sessionTimeoutOf(long connId) {
        Session s = sessions.get(sessionIdOf(connId));
        return s == null ? 0 : s.timeoutMs();
    }

    /** Transactions prepared but not yet durable and applied. */
    public int outstandingTxns() {
        return awaiting.size();
    }

    /** Checks the core's own invariants; cheap enough to run after every step in tests. */
    public void checkInvariants() {
        if (lastAppliedZxid > lastZxid) {
            throw new IllegalStateException("applied 0x" + Long.toHexString(lastAppliedZxid)
                    + " beyond prepared 0x" + Long.toHexString(lastZxid));
        }
        if (awaiting.isEmpty() && !pending.isEmpty()) {
            throw new IllegalStateException("pending changes remain with nothing awaiting the disk");
        }
        tree.checkInvariants();
    }
}
