package io.paddock.sim;

import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.election.ServerState;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.CheckVersionRequest;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateResponse;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.GetChildrenRequest;
import io.paddock.core.wire.MultiOp;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.MultiResponse;
import io.paddock.core.wire.MultiResult;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetDataRequest;
import io.paddock.core.wire.SyncRequest;
import io.paddock.core.zab.LearnerRole;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Clients of the simulated ensemble, as ZooKeeper clients behave: each holds one session, connects
 * to a random up server, and with a few requests outstanding creates uniquely named persistent,
 * ephemeral and sequential znodes, sets the data of and deletes znodes it created, and sends multis
 * (creates, setData, delete and a version check, some with a check that must fail); on a closed
 * connection it reconnects to another server with its session id, password and last zxid seen, as
 * the official client does. Every request and answer goes into a {@link WriteHistory}.
 *
 * <p>What it checks as answers come:
 * <ul>
 * <li>A create answered OK is acknowledged: the znode must survive anything that follows unless the
 *     client itself deletes it ({@link #mustExist()}; an ephemeral also keeps its owner). A request
 *     whose connection closed before its answer may or may not have happened; a setData or delete of
 *     an acknowledged znode never finds it missing.
 * <li>A multi answered OK did all of its ops; one whose check names a wrong version fails as a whole
 *     (every result an error, the check's BAD_VERSION) and changes nothing: its creates must not
 *     exist at the end ({@link #mustNotExist()}) and the znode it would have deleted must.
 * <li>A session is never answered at a zxid older than one it has seen (across reconnections too); a
 *     read right after a sync finds every sequential znode acknowledged before the sync.
 * <li><b>Watches</b>: before one write in {@value #WATCH_ONE_IN} a client sets an exists watch on
 *     one of its persistent znodes, or (one time in four) a child watch on the root, where every
 *     client makes its znodes. Once set (answered at zxid z), it fires at most once, for the
 *     first committed change of that znode (a child created or deleted) after z (a transaction some server applied as
 *     committed, never one rolled back), and, while the connection stays open to the end, it does
 *     fire if such a change exists. A closed connection takes its watches (no SetWatches here).
 * <li><b>No request goes unanswered while its server serves.</b> A server serves while it leads an
 *     established epoch or follows one synced; a request (or handshake) outstanding on an open
 *     connection must be answered, or its connection closed, within {@value #ANSWER_TICKS_MAX} ticks
 *     of the later of its sending and the start of its server's current serving spell. A client gives
 *     up a silent connection only on a server that is not serving, and once faults stopped
 *     ({@link #faultsStopped()}) never: a reply lost by a server that keeps serving shows as a failure
 *     instead of a reconnection.
 * <li><b>Sessions that expire</b> ({@link #expiringClients}): such a client pings and has a short
 *     session timeout; now and then it goes silent (no pings, sometimes its connection closed) for
 *     long enough that the leader may expire its session. Told "expired", its ephemerals must be gone
 *     everywhere at the end, and there must have been a leader, for at least the session timeout
 *     (less {@value #EXPIRY_EARLY_TICKS_MAX} ticks for touches a partitioned follower may have kept),
 *     while the client had no contact with a serving server: no session expires without a leader. A
 *     client silent for the timeout plus {@value #EXPIRY_LATE_TICKS_MAX} ticks under one leader must be
 *     told its session expired before the end. Every other client's session never expires.
 * </ul>
 */
public final class SimClients implements SimulatedEnsemble.ClientSink {
    /** A client gives a connection to a non-serving server this many ticks without any answer before it tries another. */
    public static final int SILENCE_TICKS_MAX = 60;
    /**
     * A serving server answers a request (or closes its connection) within this many ticks: a
     * forward, a proposal, a slow disk (up to 18 ticks), a quorum's acks and the commit, with room.
     */
    public static final int ANSWER_TICKS_MAX = 100;
    /** Touches a follower took but could not pass on before it noticed its leader was gone (syncLimit and delays). */
    public static final int EXPIRY_EARLY_TICKS_MAX = 20;
    /** The leader expires a silent session within its timeout plus this (the expiry bucket of tickMs, and room). */
    public static final int EXPIRY_LATE_TICKS_MAX = 80;
    private static final int OUTSTANDING_MAX = 3;
    private static final int SESSION_TIMEOUT_MS = 30_000;
    /** The shortest timeout the core grants (2 x its tickMs): what an expiring client asks for. */
    private static final int SHORT_SESSION_TIMEOUT_MS = 4_000;
    private static final int PING_TICKS = 15;
    /** Silent clients stay silent this long: twice the short timeout and the late bound, so most expire. */
    private static final int SILENT_TICKS = 2 * (int) (SHORT_SESSION_TIMEOUT_MS / SimulatedEnsemble.TICK_MS)
            + EXPIRY_LATE_TICKS_MAX;

    private final SimulatedEnsemble ensemble;
    private final Random random;
    private final List<Client> clients = new ArrayList<>();
    private final Map<Long, Client> byConn = new TreeMap<>();
    private final Set<String> acknowledged = new LinkedHashSet<>();
    /** Acknowledged znodes no delete was sent for: path to the owning session (0 for persistent ones). */
    private final Map<String, Long> mustExist = new TreeMap<>();
    /** Creates of a multi that failed as a whole: they must never have happened. */
    private final Set<String> mustNotExist = new TreeSet<>();
    private final WriteHistory history;

    enum Kind { PERSISTENT, EPHEMERAL, SEQUENTIAL, SET_DATA, DELETE, SYNC, READ_AFTER_SYNC, CLOSE, MULTI, PING, WATCH }

    /** Sessions whose close was answered OK or that were told they expired: nothing of theirs may be left. */
    private final Set<Long> closedSessions = new TreeSet<>();

    /** Acknowledged sequential znodes: never changed or deleted, so a read after a sync must find each. */
    private final List<String> permanent = new ArrayList<>();

    /** A multi's ops as sent: creates, deletes, whether its check must fail. */
    private record MultiPlan(List<String> creates, List<String> deletes, boolean mustFail, int checkIndex) {}

    private record Op(Kind kind, String path, long sentTick, MultiPlan multi) {
        Op(Kind kind, String path, long sentTick) {
            this(kind, path, sentTick, null);
        }
    }

    /** Drawn apart from the run's sequence: whether a client also sets a watch before a write. */
    private final Random watchRandom;
    /** A client sets an exists watch on one of its persistent znodes before one write in this many. */
    private static final int WATCH_ONE_IN = 5;
    /** Watch events delivered and not yet checked against the committed history (recorded after the step). */
    private final List<FiredWatch> firedToCheck = new ArrayList<>();
    private long watchesSet;
    private long watchesFired;

    /** The key of a child watch on the root in a client's watches (its exists watches are keyed by path). */
    private static final String ROOT_CHILDREN = "children:/";

    /** A watch event client {@code clientId} got from {@code sid} for {@code path}, made by the transaction at {@code zxid}. */
    private record FiredWatch(int clientId, long sid, String path, long zxid, long setAtZxid) {}

    private long nextConnId = 1;
    private int sessionsExpired;
    private int expectedExpirations;
    private long writesSent;
    private long syncedReads;
    private long multisOk;
    private long multisFailed;
    private long answerTicksWorst;
    private boolean faultsStopped;
    private int expiringClients;

    /** Since when each server serves in its current spell (incarnation, state, epoch, leader). */
    private final Map<Long, long[]> serving = new TreeMap<>();
    /** The current leader's key and since when (established, same incarnation and epoch). */
    private long[] leader;

    /**
     * Whether one client in three restarts its xids on every connection, as kazoo does (the default;
     * {@code -Dpaddock.sim.restartXids=false} for clients that all count on, as before).
     */
    static final boolean RESTART_XIDS = !"false".equals(System.getProperty("paddock.sim.restartXids"));

    private final class Client {
        final int id;
        long sessionId;
        byte[] passwd = new byte[16];
        long connId = -1;
        long serverSid;
        int serverIncarnation;
        boolean handshaken;
        long connectTick;
        int nextXid = 1;
        int nextWrite;
        long lastHeardTick;
        long lastSentTick;
        /** The highest zxid in an answer, sent with every handshake as the official client does. */
        long lastZxidSeen;
        final Map<Integer, Op> inFlight = new TreeMap<>();
        /** Pings sent and not answered (all xid -2), by send tick. */
        final List<Long> pings = new ArrayList<>();
        /** A closeSession was sent; nothing more goes out on this session. */
        boolean closing;
        /** Acknowledged znodes of this client that no delete was sent for, for setData and delete. */
        final List<String> own = new ArrayList<>();
        /** Exists watches on this connection that were set (answered) and have not fired: path to the answer's zxid. */
        final Map<String, Long> watches = new TreeMap<>();
        /** An expiring client: short timeout, pings, goes silent now and then. */
        boolean expiring;
        long silentUntilTick = -1;
        long silentFromTick;
        /** Ephemerals taken out of mustExist while the session may expire. */
        final List<String> suspended = new ArrayList<>();
        /** The longest run of one leader while this client had no contact with a serving server. */
        long leaderRunWithoutContact;
        long lastContactTick;
        /** Its last contacts with a serving server: (tick, server), oldest first. */
        final ArrayDeque<long[]> contacts = new ArrayDeque<>();
        /** Silent under one leader longer than the timeout plus the late bound: must be told it expired. */
        boolean mustBeTold;
        long mustBeToldSession;

        /**
         * Starts its xids at 1 again on every connection, as kazoo does (one client in three, see
         * RESTART_XIDS); the others count on across connections, as the Java, C and Node clients do.
         */
        final boolean restartsXids;

        Client(int id) {
            this.id = id;
            this.restartsXids = RESTART_XIDS && id % 3 == 2;
        }

        int timeoutMs() {
            return expiring ? SHORT_SESSION_TIMEOUT_MS : SESSION_TIMEOUT_MS;
        }

        boolean silent(long now) {
            return now < silentUntilTick;
        }
    }

    public SimClients(SimulatedEnsemble ensemble, int count) {
        this.ensemble = ensemble;
        this.random = ensemble.random();
        this.watchRandom = new Random(ensemble.seed ^ 0x3A7C4E5L);
        this.history = new WriteHistory(ensemble);
        for (int i = 0; i < count; i++) {
            clients.add(new Client(i));
        }
        ensemble.setClientSink(this);
    }

    /** Makes the first {@code n} clients expiring ones (short timeout, pings, spells of silence). */
    public SimClients withExpiringSessions(int n) {
        for (int i = 0; i < n && i < clients.size(); i++) {
            clients.get(i).expiring = true;
        }
        expiringClients = n;
        return this;
    }

    /** Faults stopped: from now on no client gives up a connection (its server must answer or close it). */
    public void faultsStopped() {
        faultsStopped = true;
    }

    /** Whether the current tick sends writes (a new session's first write goes out at once then). */
    private boolean writingNow;

    /** One tick of every client: connect where needed, give up on silent servers, send writes. */
    public void tick(boolean writing) {
        writingNow = writing;
        long now = ensemble.nowTick();
        checkFiredWatches();
        trackServing(now);
        for (Client c : clients) {
            trackContact(c, now);
            if (c.connId != -1 && !connectionAlive(c)) {
                disconnected(c); // its server crashed (and maybe restarted): the TCP connection is gone
            }
            if (c.connId != -1) {
                checkAnswered(c, now);
                checkNotHeldTooLong(c, now);
            }
            if (c.connId != -1 && !faultsStopped && servingSince(c.serverSid) == Long.MAX_VALUE
                    && now - c.lastHeardTick > SILENCE_TICKS_MAX && outstanding(c)) {
                giveUp(c);
            }
            if (c.silent(now)) {
                continue;
            }
            if (c.connId == -1) {
                connect(c);
            } else if (c.handshaken && !c.closing) {
                if (c.expiring && writing && !faultsStopped && c.inFlight.isEmpty() && c.pings.isEmpty()
                        && random.nextInt(120) == 0) {
                    goSilent(c, now);
                } else if (writing && c.inFlight.size() < OUTSTANDING_MAX && random.nextInt(4) == 0) {
                    if (random.nextInt(60) == 0 && !c.expiring) {
                        close(c);
                    } else {
                        write(c);
                    }
                } else if (c.expiring && now - c.lastSentTick >= PING_TICKS) {
                    ping(c, now);
                }
            }
        }
    }

    /** Whether the server the connection was opened to is still up in the same incarnation. */
    private boolean connectionAlive(Client c) {
        SimulatedEnsemble.Server s = ensemble.server(c.serverSid);
        return s.isUp() && s.incarnation == c.serverIncarnation;
    }

    private boolean outstanding(Client c) {
        return !c.handshaken || !c.inFlight.isEmpty() || !c.pings.isEmpty();
    }

    private void giveUp(Client c) {
        long sid = c.serverSid;
        long connId = c.connId;
        disconnected(c);
        if (random.nextInt(3) == 0) {
            // Half-open, as a real network leaves it: the server keeps the connection, with whatever
            // it forwarded or holds of it, while the client goes on elsewhere with its session (the
            // case of ZooKeeper's session owner and SESSIONMOVED).
            halfOpen++;
            ensemble.trace().line("t=" + ensemble.nowTick() + " client " + c.id + " leaves its connection " + connId
                    + " to s" + sid + " half-open");
            return;
        }
        ensemble.clientEvent(sid, new Event.ClientClosed(connId));
    }

    /** Connections a client left without the server seeing them close. */
    public long halfOpen() {
        return halfOpen;
    }

    private long halfOpen;

    /** Times a client's own connection was closed as SESSIONMOVED (it then reconnects and revalidates). */
    public long movedAway() {
        return movedAway;
    }

    private long movedAway;

    /** The check that a serving server answers: the oldest thing outstanding, against its deadline. */
    private void checkAnswered(Client c, long now) {
        long since = servingSince(c.serverSid);
        if (since == Long.MAX_VALUE) {
            return;
        }
        long oldest = Long.MAX_VALUE;
        String what = null;
        if (!c.handshaken) {
            oldest = c.connectTick;
            what = "its handshake";
        }
        for (Map.Entry<Integer, Op> e : c.inFlight.entrySet()) {
            if (e.getValue().sentTick() < oldest) {
                oldest = e.getValue().sentTick();
                what = "xid " + e.getKey() + " " + e.getValue().kind() + " " + e.getValue().path();
            }
        }
        for (long p : c.pings) {
            if (p < oldest) {
                oldest = p;
                what = "a ping";
            }
        }
        if (what != null && now - Math.max(oldest, since) > ANSWER_TICKS_MAX) {
            throw ensemble.checker().failure("client " + c.id + " (session 0x" + Long.toHexString(c.sessionId)
                    + ") has waited since t=" + oldest + " for an answer to " + what + " from s" + c.serverSid
                    + ", which has served since t=" + since + " (more than " + ANSWER_TICKS_MAX
                    + " ticks): a reply was lost; " + ensemble.describe());
        }
    }

    /**
     * A member that does not serve holds a client at most a third of its session timeout from when
     * it last served (or started), then closes it so that it moves to a server that has a leader
     * ({@code Replica.HOLD_TIMEOUT_DIVISOR}); a connection made later is closed at the server's next
     * tick. A handshake whose new session's createSession is in flight to a lost leader is kept for
     * the next one by design (no session of it can expire). A follower that kept losing its leader
     * mid-sync once held a client for ever (seed 800668).
     */
    private void checkNotHeldTooLong(Client c, long now) {
        SimulatedEnsemble.Server s = ensemble.server(c.serverSid);
        if (!s.isUp() || s.incarnation != c.serverIncarnation || s.notServingSinceTick() < 0
                || (c.sessionId == 0 && !c.handshaken)) {
            return;
        }
        long third = c.timeoutMs() / io.paddock.core.Replica.HOLD_TIMEOUT_DIVISOR / SimulatedEnsemble.TICK_MS;
        long deadline = Math.max(s.notServingSinceTick() + third, c.connectTick) + HOLD_SLACK_TICKS;
        if (now > deadline) {
            throw ensemble.checker().failure("client " + c.id + " (connection " + c.connId + " since t=" + c.connectTick
                    + ") is still connected to s" + c.serverSid + ", which has not served since t="
                    + s.notServingSinceTick() + ": past t=" + deadline + " (a third of the session timeout, and slack)");
        }
    }

    /** Ticks past a third of the session timeout within which a server without a leader closes a held client. */
    static final int HOLD_SLACK_TICKS = 5;

    // ---------------------------------------------------------------- who serves, who leads

    private void trackServing(long now) {
        leader = leader != null && leaderKeyMatches(leader) ? leader : null;
        for (long sid : ensemble.sids()) {
            SimulatedEnsemble.Server s = ensemble.server(sid);
            long[] key = servingKey(s);
            long[] was = serving.get(sid);
            if (key == null) {
                serving.remove(sid);
            } else if (was == null || was[0] != key[0] || was[1] != key[1] || was[2] != key[2] || was[3] != key[3]) {
                serving.put(sid, new long[] {key[0], key[1], key[2], key[3], now});
            }
            if (leader == null && key != null && key[1] == ServerState.LEADING.ordinal()) {
                leader = new long[] {sid, key[0], key[2], now};
            }
        }
    }

    private boolean leaderKeyMatches(long[] l) {
        long[] key = servingKey(ensemble.server(l[0]));
        return key != null && key[1] == ServerState.LEADING.ordinal() && key[0] == l[1] && key[2] == l[2];
    }

    /** (incarnation, state, epoch, leader) while the server serves, else null. */
    private static long[] servingKey(SimulatedEnsemble.Server s) {
        if (!s.isUp() || s.core.establishedEpoch() < 0) {
            return null;
        }
        ServerState state = s.core.state();
        long leaderSid;
        if (state == ServerState.LEADING) {
            leaderSid = s.sid;
        } else if (s.core.role() instanceof LearnerRole l && l.phase() == LearnerRole.Phase.SYNCED) {
            leaderSid = l.leaderSid();
        } else {
            return null;
        }
        return new long[] {s.incarnation, state.ordinal(), s.core.establishedEpoch(), leaderSid};
    }

    /** The tick since which {@code sid} serves in its current spell, or Long.MAX_VALUE if it does not serve. */
    private long servingSince(long sid) {
        long[] spell = serving.get(sid);
        return spell == null ? Long.MAX_VALUE : spell[4];
    }

    /** Counts, for the expiry checks, how long one leader led while the client had no contact with a serving server. */
    private void trackContact(Client c, long now) {
        if (leader != null) {
            c.leaderRunWithoutContact = Math.max(c.leaderRunWithoutContact, currentRun(c, now));
            if (c.silent(now) && now - Math.max(leader[3], c.silentFromTick) > c.timeoutMs() / SimulatedEnsemble.TICK_MS
                    + EXPIRY_LATE_TICKS_MAX && c.sessionId != 0 && !c.mustBeTold) {
                c.mustBeTold = true;
                c.mustBeToldSession = c.sessionId;
            }
        }
    }

    private long currentRun(Client c, long now) {
        return leader == null ? 0 : now - Math.max(leader[3], c.lastContactTick);
    }

    /**
     * The client reached a server with a request: a serving one passes the touch to the leader. The
     * longest run without contact is kept until the session is known alive again (a write answered
     * OK), since the request that finds the session expired is itself a contact.
     */
    private void contact(Client c, long now) {
        c.lastSentTick = now;
        if (c.connId != -1 && servingSince(c.serverSid) != Long.MAX_VALUE) {
            c.leaderRunWithoutContact = Math.max(c.leaderRunWithoutContact, currentRun(c, now));
            c.lastContactTick = now;
            c.contacts.addLast(new long[] {now, c.serverSid});
            if (c.contacts.size() > 64) {
                c.contacts.pollFirst();
            }
        }
    }

    /**
     * The longest stretch of the current leader's run, up to {@code now}, between the client's
     * contacts whose touch their server could pass on: those with a server that went on serving for {@link
     * #EXPIRY_EARLY_TICKS_MAX} ticks after it. A touch a follower took just before it lost its
     * leader may be lost with that connection, and so may the next one, with the next follower
     * (replication seed 1001128: two in a row, each PING reply carrying the touch lost with a link
     * that broke); that is the session's bad luck, as in ZooKeeper, not the system's. A server that
     * held the client past its bound instead is caught by {@link #checkNotHeldTooLong}.
     */
    private long runWithoutRelayedContact(Client c, long now) {
        if (leader == null) {
            return 0;
        }
        long longest = 0;
        long previous = leader[3];
        for (long[] k : c.contacts) {
            if (k[0] < previous || ensemble.server(k[1]).stoppedServingWithin(k[0], k[0] + EXPIRY_EARLY_TICKS_MAX)) {
                continue; // before this leader's run, or a touch that may not have reached it
            }
            longest = Math.max(longest, k[0] - previous);
            previous = k[0];
        }
        return Math.max(longest, now - previous);
    }

    /** A write of the session was answered OK: the session was alive when it was proposed. */
    private void alive(Client c) {
        c.leaderRunWithoutContact = currentRun(c, ensemble.nowTick());
        if (leader != null) { // its leader touched the session when it proposed the write
            c.contacts.addLast(new long[] {ensemble.nowTick(), leader[0]});
        }
    }

    // ---------------------------------------------------------------- requests

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
        c.serverIncarnation = ensemble.server(c.serverSid).incarnation;
        c.connId = nextConnId++;
        c.handshaken = false;
        if (c.restartsXids) {
            c.nextXid = 1;
        }
        long now = ensemble.nowTick();
        c.lastHeardTick = now;
        c.connectTick = now;
        byConn.put(c.connId, c);
        contact(c, now);
        ensemble.clientEvent(c.serverSid, new Event.ClientConnected(c.connId,
                new ConnectRequest(0, c.lastZxidSeen, c.timeoutMs(), c.sessionId, c.passwd, false, true),
                "127.0.0.1"));
    }

    private void ping(Client c, long now) {
        if (!connectionAlive(c)) {
            disconnected(c);
            return;
        }
        c.pings.add(now);
        contact(c, now);
        ensemble.clientEvent(c.serverSid, new Event.ClientRequest(c.connId, OpCode.XID_PING, OpCode.PING, null));
    }

    /** Stops pinging and sending; half the time the connection is closed too. Its ephemerals may go. */
    private void goSilent(Client c, long now) {
        c.silentFromTick = now;
        c.silentUntilTick = now + SILENT_TICKS;
        long session = c.sessionId;
        for (var it = mustExist.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue() == session && session != 0) {
                c.suspended.add(e.getKey());
                it.remove();
            }
        }
        ensemble.trace().line("t=" + now + " client " + c.id + " goes silent until t=" + c.silentUntilTick
                + " (session 0x" + Long.toHexString(session) + ")");
        if (random.nextBoolean()) {
            giveUp(c);
        }
    }

    /**
     * An exists watch on one of this client's persistent znodes not watched yet (it changes them
     * itself: setData, delete, a multi). Once answered, the watch must fire exactly once, for the
     * first committed change of that znode after the answer's zxid, while the connection stays.
     */
    private void setWatch(Client c, long now) {
        if (watchRandom.nextInt(4) == 0) {
            // A child watch on the root, where every client makes its znodes: any client's create
            // or delete there (an ephemeral's with its session's close too) fires it.
            if (!c.watches.containsKey(ROOT_CHILDREN)) {
                send(c, c.nextXid++, new Op(Kind.WATCH, ROOT_CHILDREN, now), OpCode.GET_CHILDREN,
                        new GetChildrenRequest("/", true));
            }
            return;
        }
        List<String> candidates = new ArrayList<>();
        for (String p : c.own) {
            if (!p.startsWith("/e") && !c.watches.containsKey(p)) {
                candidates.add(p);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        String path = candidates.get(watchRandom.nextInt(candidates.size()));
        send(c, c.nextXid++, new Op(Kind.WATCH, path, now), OpCode.EXISTS, new ExistsRequest(path, true));
    }

    private void send(Client c, int xid, Op op, int opCode, io.paddock.core.wire.JuteRecord body) {
        if (!connectionAlive(c)) {
            disconnected(c); // crashed and restarted within a step: this connection is gone
            return;
        }
        c.inFlight.put(xid, op);
        history.invoked(c.id, c.sessionId, xid, opCode, body, op.sentTick());
        contact(c, op.sentTick());
        ensemble.clientEvent(c.serverSid, new Event.ClientRequest(c.connId, xid, opCode, body));
    }

    private void write(Client c) {
        long now = ensemble.nowTick();
        if (watchRandom.nextInt(WATCH_ONE_IN) == 0) {
            setWatch(c, now);
            if (c.connId == -1) {
                return; // the read's step closed the connection
            }
        }
        int xid = c.nextXid++;
        writesSent++;
        int draw = random.nextInt(13);
        if (draw == 10 && !permanent.isEmpty() && c.inFlight.size() + 2 <= OUTSTANDING_MAX + 1) {
            // ZooKeeper's guarantee: after a sync, a read sees every write acknowledged before the sync.
            String path = permanent.get(random.nextInt(permanent.size()));
            send(c, xid, new Op(Kind.SYNC, "/", now), OpCode.SYNC, new SyncRequest("/"));
            if (c.connId == -1) {
                return; // the sync's step closed the connection
            }
            int readXid = c.nextXid++;
            send(c, readXid, new Op(Kind.READ_AFTER_SYNC, path, now), OpCode.EXISTS, new ExistsRequest(path, false));
            return;
        }
        if (draw >= 11) {
            multi(c, xid, now);
            return;
        }
        List<String> changeable = new ArrayList<>();
        for (String p : c.own) {
            if (!c.expiring || !p.startsWith("/e")) {
                changeable.add(p); // an expiring client's ephemerals may go at any time
            }
        }
        if (draw >= 7 && draw < 10 && !changeable.isEmpty()) {
            String path = changeable.get(random.nextInt(changeable.size()));
            if (draw == 9) {
                c.own.remove(path);
                mustExist.remove(path); // from now on it may be gone
                send(c, xid, new Op(Kind.DELETE, path, now), OpCode.DELETE, new DeleteRequest(path, -1));
            } else {
                // The data names the request: the history tells apart two requests of one (session, xid).
                send(c, xid, new Op(Kind.SET_DATA, path, now), OpCode.SET_DATA,
                        new SetDataRequest(path, ("v" + xid + "#" + writesSent).getBytes(StandardCharsets.UTF_8), -1));
            }
            return;
        }
        Kind kind = draw < 4 ? Kind.PERSISTENT : draw < 6 ? Kind.EPHEMERAL : Kind.SEQUENTIAL;
        String path = (kind == Kind.PERSISTENT ? "/c" : kind == Kind.EPHEMERAL ? "/e" : "/s") + c.id + "-"
                + (kind == Kind.SEQUENTIAL ? "" : c.nextWrite++);
        int flags = kind == Kind.EPHEMERAL ? 1 : kind == Kind.SEQUENTIAL ? 2 : 0;
        send(c, xid, new Op(kind, path, now), OpCode.CREATE,
                new CreateRequest(path, (path + "#" + writesSent).getBytes(StandardCharsets.UTF_8), Acl.OPEN, flags));
    }

    /**
     * A multi of one (sometimes two) new persistent znodes, maybe a setData and a delete of znodes this client
     * owns, and a version check of one of them: a wrong version (one in three) fails the whole multi.
     */
    private void multi(Client c, int xid, long now) {
        List<MultiOp> ops = new ArrayList<>();
        List<String> creates = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        int n = 1 + (random.nextInt(4) == 0 ? 1 : 0); // mostly one: every znode costs each step its tree check
        for (int i = 0; i < n; i++) {
            String path = "/m" + c.id + "-" + c.nextWrite++;
            creates.add(path);
            ops.add(new MultiOp(OpCode.CREATE, new CreateRequest(path, path.getBytes(StandardCharsets.UTF_8), Acl.OPEN, 0)));
        }
        List<String> persistentOwn = new ArrayList<>();
        for (String p : c.own) {
            if (!p.startsWith("/e")) {
                persistentOwn.add(p); // an ephemeral of an expiring client may go at any time
            }
        }
        if (!persistentOwn.isEmpty() && random.nextBoolean()) {
            String path = persistentOwn.get(random.nextInt(persistentOwn.size()));
            ops.add(new MultiOp(OpCode.SET_DATA, new SetDataRequest(path, ("m" + xid).getBytes(StandardCharsets.UTF_8), -1)));
        }
        boolean mustFail = random.nextInt(3) == 0;
        String checked = creates.get(0);
        if (!persistentOwn.isEmpty() && random.nextBoolean()) {
            checked = persistentOwn.get(random.nextInt(persistentOwn.size()));
        }
        int checkIndex = ops.size();
        ops.add(new MultiOp(OpCode.CHECK, new CheckVersionRequest(checked, mustFail ? 1_000_000 : -1)));
        if (!persistentOwn.isEmpty() && random.nextInt(3) == 0) {
            String path = persistentOwn.get(random.nextInt(persistentOwn.size()));
            if (!path.equals(checked) && !ops.stream().anyMatch(o -> o.request() instanceof SetDataRequest r
                    && r.path().equals(path))) {
                deletes.add(path);
                c.own.remove(path);
                mustExist.remove(path);
                ops.add(new MultiOp(OpCode.DELETE, new DeleteRequest(path, -1)));
            }
        }
        send(c, xid, new Op(Kind.MULTI, creates.get(0), now, new MultiPlan(creates, deletes, mustFail, checkIndex)),
                OpCode.MULTI, new MultiRequest(ops));
    }

    /** Closes the session: its ephemerals go with it (from now on they may be gone). */
    private void close(Client c) {
        int xid = c.nextXid++;
        c.closing = true;
        long session = c.sessionId;
        mustExist.entrySet().removeIf(e -> e.getValue() == session);
        c.own.removeIf(p -> p.startsWith("/e" + c.id + "-"));
        send(c, xid, new Op(Kind.CLOSE, "", ensemble.nowTick()), OpCode.CLOSE_SESSION, null);
    }

    private void disconnected(Client c) {
        byConn.remove(c.connId);
        c.connId = -1;
        c.handshaken = false;
        c.watches.clear(); // a connection's watches go with it (this client sets none again)
        for (Map.Entry<Integer, Op> e : c.inFlight.entrySet()) {
            history.lost(c.id, e.getKey());
        }
        c.inFlight.clear(); // unknown outcome
        c.pings.clear();
        if (c.closing) {
            // The close may or may not have happened: start over with a new session.
            c.closing = false;
            newSession(c);
        }
    }

    private void newSession(Client c) {
        c.sessionId = 0;
        c.passwd = new byte[16];
        c.own.removeIf(p -> p.startsWith("/e" + c.id + "-"));
        c.suspended.clear();
        c.mustBeTold = false;
        c.leaderRunWithoutContact = 0;
        c.lastContactTick = ensemble.nowTick();
        c.contacts.clear();
    }

    /** The client learned its session expired (a refused handshake, or a request answered SESSION_EXPIRED). */
    private void toldExpired(Client c, long sid) {
        long now = ensemble.nowTick();
        long timeoutTicks = c.timeoutMs() / SimulatedEnsemble.TICK_MS;
        ensemble.trace().line("t=" + now + " client " + c.id + " was told by s" + sid + " that session 0x"
                + Long.toHexString(c.sessionId) + " expired (one leader for " + c.leaderRunWithoutContact
                + " ticks without contact)");
        if (!c.expiring) {
            sessionsExpired++; // a client that never went silent: Converge says none may
        } else {
            expectedExpirations++;
            if (c.leaderRunWithoutContact < timeoutTicks - EXPIRY_EARLY_TICKS_MAX
                    && runWithoutRelayedContact(c, now) < timeoutTicks - EXPIRY_EARLY_TICKS_MAX) {
                throw ensemble.checker().failure("client " + c.id + "'s session 0x" + Long.toHexString(c.sessionId)
                        + " expired, but no leader led for its timeout (" + timeoutTicks + " ticks) while it was"
                        + " out of contact: at most " + c.leaderRunWithoutContact + " ticks");
            }
        }
        closedSessions.add(c.sessionId);
        mustExist.entrySet().removeIf(e -> e.getValue() == c.sessionId);
        newSession(c);
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
        long now = ensemble.nowTick();
        c.lastHeardTick = now;
        if (effect instanceof Effect.CloseClient cl) {
            if (cl.reason().contains("SESSIONMOVED")) {
                // Its own connection: in a new leadership another server spoke for its session first
                // (requests held on a connection the client had left there, from before it left).
                movedAway++;
                ensemble.trace().line("t=" + now + " client " + c.id + " session 0x" + Long.toHexString(c.sessionId)
                        + ": s" + sid + " closed its connection " + connId + ": " + cl.reason());
            }
            disconnected(c);
        } else if (effect instanceof Effect.ConnectReply r) {
            if (r.response().sessionId() == 0 || r.response().timeOut() <= 0) {
                toldExpired(c, sid); // the session is gone: start a new one
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
            if (!c.suspended.isEmpty() && c.leaderRunWithoutContact
                    < c.timeoutMs() / SimulatedEnsemble.TICK_MS - EXPIRY_EARLY_TICKS_MAX) {
                // The session cannot have expired while it was silent: its ephemerals are still there.
                c.suspended.forEach(p -> mustExist.put(p, c.sessionId));
                c.suspended.clear();
            }
            if (fresh && writingNow) {
                write(c); // as applications do: the first request right behind the new session
            }
        } else if (effect instanceof Effect.Reply r) {
            reply(c, sid, r);
        } else if (effect instanceof Effect.Watch w) {
            watchFired(c, sid, w);
        }
    }

    private void watchFired(Client c, long sid, Effect.Watch w) {
        String path = w.event().type() == io.paddock.core.wire.EventType.NODE_CHILDREN_CHANGED
                ? "children:" + w.event().path() : w.event().path();
        Long setAt = c.watches.remove(path);
        if (setAt == null) {
            throw ensemble.checker().failure("client " + c.id + " got a watch event from s" + sid + " for " + path
                    + " on connection " + c.connId + ", which has no watch set there (or it fired twice): " + w);
        }
        if (w.zxid() <= setAt) {
            throw ensemble.checker().failure("client " + c.id + "'s watch on " + path + ", set at 0x"
                    + Long.toHexString(setAt) + ", fired for 0x" + Long.toHexString(w.zxid()) + ", not after it");
        }
        watchesFired++;
        firedToCheck.add(new FiredWatch(c.id, sid, path, w.zxid(), setAt));
    }

    /**
     * The watch events since the last check each name a committed transaction that changed their
     * znode, and none earlier after the watch was set (the history is recorded after the step that
     * applied it, so the events are checked a step later).
     */
    private void checkFiredWatches() {
        for (FiredWatch f : firedToCheck) {
            TxnEnvelope t = ensemble.committed().get(f.zxid());
            if (t == null || !changes(t.txn(), f.path())) {
                throw ensemble.checker().failure("client " + f.clientId() + "'s watch on " + f.path() + " fired at s"
                        + f.sid() + " for 0x" + Long.toHexString(f.zxid()) + ", "
                        + (t == null ? "which no server applied as committed" : "which did not change it: " + t));
            }
            TxnEnvelope earlier = firstChange(f.path(), f.setAtZxid(), f.zxid());
            if (earlier != null) {
                throw ensemble.checker().failure("client " + f.clientId() + "'s watch on " + f.path() + ", set at 0x"
                        + Long.toHexString(f.setAtZxid()) + ", fired for 0x" + Long.toHexString(f.zxid())
                        + " but not for the earlier change " + earlier);
            }
        }
        firedToCheck.clear();
    }

    /** The first committed change of {@code path} in (after, before), or null. */
    private TxnEnvelope firstChange(String path, long after, long before) {
        for (TxnEnvelope t : ensemble.committed().subMap(after, false, before, false).values()) {
            if (changes(t.txn(), path)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Whether {@code txn} fires the watch {@code key}: for a path, creates, deletes or sets the data
     * of it (an exists watch); for "children:" and a path, creates or deletes a child of it (a
     * session's close deleting an ephemeral child too).
     */
    private static boolean changes(Txn txn, String key) {
        if (key.startsWith("children:")) {
            String parent = key.substring("children:".length());
            if (txn instanceof Txn.Create c) {
                return parentOf(c.path()).equals(parent);
            } else if (txn instanceof Txn.Delete d) {
                return parentOf(d.path()).equals(parent);
            } else if (txn instanceof Txn.CloseSession close) {
                return close.paths().stream().anyMatch(p -> parentOf(p).equals(parent));
            } else if (txn instanceof Txn.Multi m) {
                return m.txns().stream().anyMatch(t -> changes(t, key));
            }
            return false;
        }
        String path = key;
        if (txn instanceof Txn.Create c) {
            return c.path().equals(path);
        } else if (txn instanceof Txn.Delete d) {
            return d.path().equals(path);
        } else if (txn instanceof Txn.SetData sd) {
            return sd.path().equals(path);
        } else if (txn instanceof Txn.Multi m) {
            return m.txns().stream().anyMatch(t -> changes(t, path));
        }
        return false; // the watched znodes are persistent: no session's close deletes them
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private void reply(Client c, long sid, Effect.Reply r) {
        if (r.zxid() < c.lastZxidSeen) {
            // ZooKeeper's guarantee: a session never sees the state go back (reads included).
            throw ensemble.checker().failure("client " + c.id + " was answered at zxid 0x" + Long.toHexString(r.zxid())
                    + " by s" + sid + " after it had seen 0x" + Long.toHexString(c.lastZxidSeen));
        }
        c.lastZxidSeen = Math.max(c.lastZxidSeen, r.zxid());
        if (r.xid() == OpCode.XID_PING) {
            if (c.pings.isEmpty()) {
                throw ensemble.checker().failure("client " + c.id + " got a ping answer it did not ask for");
            }
            c.pings.remove(0);
            return;
        }
        Op op = c.inFlight.remove(r.xid());
        if (op == null) {
            throw ensemble.checker().failure("client " + c.id + " got an answer to xid " + r.xid()
                    + " it is not waiting for: " + r);
        }
        answerTicksWorst = Math.max(answerTicksWorst, ensemble.nowTick() - op.sentTick());
        history.answered(c.id, r.xid(), r.zxid(), r.err(), r.body(), ensemble.nowTick());
        if (r.err() == Code.SESSION_EXPIRED && c.expiring) {
            // Its session expired while it was silent and this server accepted it before learning so.
            toldExpired(c, sid);
            return;
        }
        if (op.kind() == Kind.WATCH && (r.err() == Code.OK || r.err() == Code.NO_NODE)) {
            c.watches.put(op.path(), r.zxid()); // set, on the node or (NO_NODE) on its creation
            watchesSet++;
            return;
        }
        if (r.err() != Code.OK) {
            throw ensemble.checker().failure("client " + c.id + "'s " + op + " answered " + r.err() + " from s" + sid
                    + (op.kind() == Kind.READ_AFTER_SYNC ? ": a read after a sync missed an acknowledged write" : ""));
        }
        if (op.kind() != Kind.READ_AFTER_SYNC && op.kind() != Kind.SYNC) {
            alive(c);
        }
        switch (op.kind()) {
            case PERSISTENT, EPHEMERAL, SEQUENTIAL -> created(c, op.kind(), ((CreateResponse) r.body()).path());
            case READ_AFTER_SYNC -> syncedReads++;
            case CLOSE -> closedSessions.add(c.sessionId);
            case MULTI -> multiAnswered(c, sid, op, (MultiResponse) r.body());
            default -> { }
        }
    }

    private void created(Client c, Kind kind, String path) {
        acknowledged.add(path);
        if (kind == Kind.EPHEMERAL && c.closing) {
            return; // acknowledged, but its session's close is on its way: it goes with it
        }
        mustExist.put(path, kind == Kind.EPHEMERAL ? c.sessionId : 0L);
        if (kind == Kind.SEQUENTIAL) {
            permanent.add(path);
        } else {
            c.own.add(path);
        }
    }

    private void multiAnswered(Client c, long sid, Op op, MultiResponse response) {
        MultiPlan plan = op.multi();
        List<MultiResult> results = response.results();
        boolean failed = results.stream().anyMatch(m -> m.type() == OpCode.ERROR);
        if (failed != plan.mustFail()) {
            throw ensemble.checker().failure("client " + c.id + "'s multi (xid ops " + plan + ") from s" + sid
                    + (plan.mustFail() ? " succeeded with a wrong version in its check: " : " failed: ") + results);
        }
        if (failed) {
            boolean allErrors = results.stream().allMatch(m -> m.type() == OpCode.ERROR);
            if (!allErrors || results.get(plan.checkIndex()).err() != Code.BAD_VERSION) {
                throw ensemble.checker().failure("client " + c.id + "'s failed multi " + plan + " from s" + sid
                        + " was answered " + results + ": every result an error, its check BAD_VERSION");
            }
            multisFailed++;
            mustNotExist.addAll(plan.creates());
            for (String p : plan.deletes()) {
                c.own.add(p); // its delete did not happen
                mustExist.put(p, 0L);
            }
            return;
        }
        multisOk++;
        for (int i = 0; i < plan.creates().size(); i++) {
            String path = ((CreateResponse) results.get(i).result()).path();
            if (!path.equals(plan.creates().get(i))) {
                throw ensemble.checker().failure("client " + c.id + "'s multi created " + path + " for "
                        + plan.creates().get(i));
            }
            created(c, Kind.PERSISTENT, path);
        }
    }

    /** Checks made at the end, once every client is quiet: silent clients that had to be told they expired were. */
    public void checkAtEnd() {
        checkFiredWatches();
        for (Client c : clients) {
            if (c.connId == -1) {
                continue;
            }
            for (Map.Entry<String, Long> w : c.watches.entrySet()) {
                TxnEnvelope missed = firstChange(w.getKey(), w.getValue(), Long.MAX_VALUE);
                if (missed != null) {
                    throw ensemble.checker().failure("client " + c.id + "'s watch on " + w.getKey() + ", set at 0x"
                            + Long.toHexString(w.getValue()) + " on connection " + c.connId + " to s" + c.serverSid
                            + ", which stayed open, never fired for " + missed);
                }
            }
        }
        for (Client c : clients) {
            if (c.mustBeTold && c.sessionId == c.mustBeToldSession && c.sessionId != 0) {
                throw ensemble.checker().failure("client " + c.id + " was silent from t=" + c.silentFromTick
                        + " under one leader for longer than its timeout plus " + EXPIRY_LATE_TICKS_MAX
                        + " ticks, but its session 0x" + Long.toHexString(c.sessionId) + " lives on");
            }
        }
        history.check();
    }

    /** Acknowledged znodes no delete was sent for, with their owner (0: persistent): they must exist. */
    public Map<String, Long> mustExist() {
        return mustExist;
    }

    /** Creates of multis that failed as a whole: they must not exist. */
    public Set<String> mustNotExist() {
        return mustNotExist;
    }

    /** Sessions whose closeSession was answered OK or that were told they expired. */
    public Set<Long> closedSessions() {
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

    /** Sessions of clients that never went silent told they expired (there should be none). */
    public int sessionsExpired() {
        return sessionsExpired;
    }

    /** Sessions of silent clients told they expired. */
    public int expectedExpirations() {
        return expectedExpirations;
    }

    /** Exists watches set (answered), and watch events that fired and were checked. */
    public long watchesSet() {
        return watchesSet;
    }

    public long watchesFired() {
        return watchesFired;
    }

    public long multisOk() {
        return multisOk;
    }

    public long multisFailed() {
        return multisFailed;
    }

    /** The longest any answer took, in ticks from its request. */
    public long answerTicksWorst() {
        return answerTicksWorst;
    }

    public WriteHistory history() {
        return history;
    }

    /** Whether every client is connected (silent ones done) with nothing outstanding. */
    public boolean quiet() {
        long now = ensemble.nowTick();
        for (Client c : clients) {
            if (c.silent(now) || c.connId == -1 || outstanding(c)) {
                return false;
            }
        }
        return true;
    }
}
