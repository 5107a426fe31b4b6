package io.paddock.sim;

import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateResponse;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.SetDataRequest;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.SyncRequest;
import java.nio.charset.StandardCharsets;
import io.paddock.core.wire.OpCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Clients of the simulated ensemble, as ZooKeeper clients behave: each holds one session, connects
 * to a random up server, and with a few requests outstanding creates uniquely named persistent,
 * ephemeral and sequential znodes, sets the data of and deletes znodes it created; on a closed
 * connection (or a server that does not answer for a while) it reconnects to another server with
 * its session id, password and last zxid seen, as the official client does. A create answered OK
 * is acknowledged: the znode must survive anything that follows unless the client itself deletes
 * it ({@link #mustExist()}; an ephemeral also keeps its owner, the client's session). A request
 * whose connection closed before its answer may or may not have happened, as for any ZooKeeper
 * client; a setData or delete of an acknowledged znode must never find it missing; a session is never
 * answered at a zxid older than one it has seen (across reconnections too); a read right after a
 * sync finds every sequential znode acknowledged before the sync.
 */
public final class SimClients implements SimulatedEnsemble.ClientSink {
    /** A client gives a connection this many ticks without any answer before it tries another server. */
    public static final int SILENCE_TICKS_MAX = 60;
    private static final int OUTSTANDING_MAX = 3;
    private static final int SESSION_TIMEOUT_MS = 30_000;

    private final SimulatedEnsemble ensemble;
    private final Random random;
    private final List<Client> clients = new ArrayList<>();
    private final Map<Long, Client> byConn = new TreeMap<>();
    private final Set<String> acknowledged = new LinkedHashSet<>();
    /** Acknowledged znodes no delete was sent for: path to the owning session (0 for persistent ones). */
    private final Map<String, Long> mustExist = new TreeMap<>();

    private enum Kind { PERSISTENT, EPHEMERAL, SEQUENTIAL, SET_DATA, DELETE, SYNC, READ_AFTER_SYNC, CLOSE }

    /** Sessions whose close was answered OK: no znode may be owned by one at the end. */
    private final java.util.Set<Long> closedSessions = new java.util.TreeSet<>();

    /** Acknowledged sequential znodes: never changed or deleted, so a read after a sync must find each. */
    private final List<String> permanent = new ArrayList<>();

    private record Op(Kind kind, String path) {}
    private long nextConnId = 1;
    private int sessionsExpired;
    private long writesSent;
    private long syncedReads;

    private final class Client {
        final int id;
        long sessionId;
        byte[] passwd = new byte[16];
        long connId = -1;
        long serverSid;
        boolean handshaken;
        int nextXid = 1;
        int nextWrite;
        long lastHeardTick;
        /** The highest zxid in an answer, sent with every handshake as the official client does. */
        long lastZxidSeen;
        final Map<Integer, Op> inFlight = new TreeMap<>();
        /** A closeSession was sent; nothing more goes out on this session. */
        boolean closing;
        /** Acknowledged znodes of this client that no delete was sent for, for setData and delete. */
        final List<String> own = new ArrayList<>();

        Client(int id) {
            this.id = id;
        }
    }

    public SimClients(SimulatedEnsemble ensemble, int count) {
        this.ensemble = ensemble;
        this.random = ensemble.random();
        for (int i = 0; i < count; i++) {
            clients.add(new Client(i));
        }
        ensemble.setClientSink(this);
    }

    /** Whether the current tick sends writes (a new session's first write goes out at once then). */
    private boolean writingNow;

    /** One tick of every client: connect where needed, give up on silent servers, send writes. */
    public void tick(boolean writing) {
        writingNow = writing;
        long now = ensemble.nowTick();
        for (Client c : clients) {
            if (c.connId != -1 && !ensemble.server(c.serverSid).isUp()) {
                disconnected(c); // its server crashed: the TCP connection is gone
            }
            if (c.connId != -1 && now - c.lastHeardTick > SILENCE_TICKS_MAX
                    && (!c.handshaken || !c.inFlight.isEmpty())) {
                long sid = c.serverSid;
                long connId = c.connId;
                disconnected(c);
                ensemble.clientEvent(sid, new Event.ClientClosed(connId));
            }
            if (c.connId == -1) {
                connect(c);
            } else if (writing && c.handshaken && !c.closing && c.inFlight.size() < OUTSTANDING_MAX
                    && random.nextInt(4) == 0) {
                if (random.nextInt(60) == 0) {
                    close(c);
                } else {
                    write(c);
                }
            }
        }
    }

    private void connect(Client c) {
        List<Long> up = new ArrayList<>();
        for (long sid : ensemble.sids()) {
            if (ensemble.server(sid).isUp()) {
                up.add(sid);
            }
        }
        if (up.isEmpty()) {
            return;
        }
        c.serverSid = up.get(random.nextInt(up.size()));
        c.connId = nextConnId++;
        c.handshaken = false;
        c.lastHeardTick = ensemble.nowTick();
        byConn.put(c.connId, c);
        ensemble.clientEvent(c.serverSid, new Event.ClientConnected(c.connId,
                new ConnectRequest(0, c.lastZxidSeen, SESSION_TIMEOUT_MS, c.sessionId, c.passwd, false, true),
                "127.0.0.1"));
    }

    private void write(Client c) {
        int xid = c.nextXid++;
        writesSent++;
        int draw = random.nextInt(11);
        Event.ClientRequest request;
        Op op;
        if (draw == 10 && !permanent.isEmpty() && c.inFlight.size() + 2 <= OUTSTANDING_MAX + 1) {
            // ZooKeeper's guarantee: after a sync, a read sees every write acknowledged before the sync.
            String path = permanent.get(random.nextInt(permanent.size()));
            c.inFlight.put(xid, new Op(Kind.SYNC, "/"));
            ensemble.clientEvent(c.serverSid, new Event.ClientRequest(c.connId, xid, OpCode.SYNC, new SyncRequest("/")));
            if (c.connId == -1) {
                return; // the sync's step closed the connection
            }
            int readXid = c.nextXid++;
            c.inFlight.put(readXid, new Op(Kind.READ_AFTER_SYNC, path));
            ensemble.clientEvent(c.serverSid, new Event.ClientRequest(c.connId, readXid, OpCode.EXISTS,
                    new ExistsRequest(path, false)));
            return;
        } else if (draw >= 7 && draw < 10 && !c.own.isEmpty()) {
            String path = c.own.get(random.nextInt(c.own.size()));
            if (draw == 9) {
                c.own.remove(path);
                mustExist.remove(path); // from now on it may be gone
                op = new Op(Kind.DELETE, path);
                request = new Event.ClientRequest(c.connId, xid, OpCode.DELETE, new DeleteRequest(path, -1));
            } else {
                op = new Op(Kind.SET_DATA, path);
                request = new Event.ClientRequest(c.connId, xid, OpCode.SET_DATA,
                        new SetDataRequest(path, ("v" + xid).getBytes(StandardCharsets.UTF_8), -1));
            }
        } else {
            Kind kind = draw < 4 ? Kind.PERSISTENT : draw < 6 ? Kind.EPHEMERAL : Kind.SEQUENTIAL;
            String path = (kind == Kind.PERSISTENT ? "/c" : kind == Kind.EPHEMERAL ? "/e" : "/s") + c.id + "-"
                    + (kind == Kind.SEQUENTIAL ? "" : c.nextWrite++);
            int flags = kind == Kind.EPHEMERAL ? 1 : kind == Kind.SEQUENTIAL ? 2 : 0;
            op = new Op(kind, path);
            request = new Event.ClientRequest(c.connId, xid, OpCode.CREATE,
                    new CreateRequest(path, path.getBytes(StandardCharsets.UTF_8), Acl.OPEN, flags));
        }
        c.inFlight.put(xid, op);
        ensemble.clientEvent(c.serverSid, request);
    }

    /** Closes the session: its ephemerals go with it (from now on they may be gone). */
    private void close(Client c) {
        int xid = c.nextXid++;
        c.closing = true;
        c.inFlight.put(xid, new Op(Kind.CLOSE, ""));
        long session = c.sessionId;
        mustExist.entrySet().removeIf(e -> e.getValue() == session);
        c.own.removeIf(p -> p.startsWith("/e" + c.id + "-"));
        ensemble.clientEvent(c.serverSid, new Event.ClientRequest(c.connId, xid, OpCode.CLOSE_SESSION, null));
    }

    private void disconnected(Client c) {
        byConn.remove(c.connId);
        c.connId = -1;
        c.handshaken = false;
        c.inFlight.clear(); // unknown outcome
        if (c.closing) {
            // The close may or may not have happened: start over with a new session.
            c.closing = false;
            c.sessionId = 0;
            c.passwd = new byte[16];
        }
    }

    @Override
    public void deliver(long sid, Effect effect) {
        long connId;
        if (effect instanceof Effect.Reply r) {
            connId = r.connId();
        } else if (effect instanceof Effect.ConnectReply r) {
            connId = r.connId();
        } else if (effect instanceof Effect.Watch w) {
            connId = w.connId();
        } else if (effect instanceof Effect.CloseClient cl) {
            connId = cl.connId();
        } else {
            throw new IllegalStateException("s" + sid + " made " + effect + " for no client");
        }
        Client c = byConn.get(connId);
        if (c == null) {
            return; // a connection the client already gave up
        }
        c.lastHeardTick = ensemble.nowTick();
        if (effect instanceof Effect.CloseClient) {
            disconnected(c);
        } else if (effect instanceof Effect.ConnectReply r) {
            if (r.response().sessionId() == 0 || r.response().timeOut() <= 0) {
                sessionsExpired++; // the session is gone: start a new one
                ensemble.trace().line("t=" + ensemble.nowTick() + " client " + c.id + " was told by s" + sid
                        + " that session 0x" + Long.toHexString(c.sessionId) + " expired");
                c.sessionId = 0;
                c.passwd = new byte[16];
                return;
            }
            if (c.sessionId != 0 && c.sessionId != r.response().sessionId()) {
                throw ensemble.checker().failure("client " + c.id + " reconnected to session 0x"
                        + Long.toHexString(c.sessionId) + " but got 0x" + Long.toHexString(r.response().sessionId()));
            }
            boolean fresh = c.sessionId == 0;
            c.sessionId = r.response().sessionId();
            c.passwd = r.response().passwd();
            c.handshaken = true;
            if (fresh && writingNow) {
                write(c); // as applications do: the first request right behind the new session
            }
        } else if (effect instanceof Effect.Reply r) {
            if (r.zxid() < c.lastZxidSeen) {
                // ZooKeeper's guarantee: a session never sees the state go back (reads included).
                throw ensemble.checker().failure("client " + c.id + " was answered at zxid 0x" + Long.toHexString(r.zxid())
                        + " by s" + sid + " after it had seen 0x" + Long.toHexString(c.lastZxidSeen));
            }
            c.lastZxidSeen = Math.max(c.lastZxidSeen, r.zxid());
            Op op = c.inFlight.remove(r.xid());
            if (op == null) {
                throw ensemble.checker().failure("client " + c.id + " got an answer to xid " + r.xid()
                        + " it is not waiting for: " + r);
            }
            if (r.err() != Code.OK) {
                throw ensemble.checker().failure("client " + c.id + "'s " + op + " answered " + r.err() + " from s" + sid
                        + (op.kind() == Kind.READ_AFTER_SYNC ? ": a read after a sync missed an acknowledged write" : ""));
            }
            if (op.kind() == Kind.PERSISTENT || op.kind() == Kind.EPHEMERAL || op.kind() == Kind.SEQUENTIAL) {
                String path = ((CreateResponse) r.body()).path();
                acknowledged.add(path);
                if (op.kind() == Kind.EPHEMERAL && c.closing) {
                    return; // acknowledged, but its session's close is on its way: it goes with it
                }
                mustExist.put(path, op.kind() == Kind.EPHEMERAL ? c.sessionId : 0L);
                if (op.kind() == Kind.SEQUENTIAL) {
                    permanent.add(path);
                } else {
                    c.own.add(path);
                }
            } else if (op.kind() == Kind.READ_AFTER_SYNC) {
                syncedReads++;
            } else if (op.kind() == Kind.CLOSE) {
                closedSessions.add(c.sessionId);
            }
        }
    }

    /** Acknowledged znodes no delete was sent for, with their owner (0: persistent): they must exist. */
    public Map<String, Long> mustExist() {
        return mustExist;
    }

    /** Sessions whose closeSession was answered OK. */
    public java.util.Set<Long> closedSessions() {
        return closedSessions;
    }

    /** Every create answered OK, in the order answered. */
    public Set<String> acknowledged() {
        return acknowledged;
    }

    /** Reads after a sync that found the acknowledged znode they looked for. */
    public long syncedReads() {
        return syncedReads;
    }

    public long writesSent() {
        return writesSent;
    }

    public int sessionsExpired() {
        return sessionsExpired;
    }

    /** Whether every client is connected with no write outstanding. */
    public boolean quiet() {
        for (Client c : clients) {
            if (c.connId == -1 || !c.handshaken || !c.inFlight.isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
