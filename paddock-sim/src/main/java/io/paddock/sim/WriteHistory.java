package io.paddock.sim;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateResponse;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.ExistsResponse;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.MultiResponse;
import io.paddock.core.wire.MultiResult;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetDataRequest;
import io.paddock.core.wire.SetDataResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The clients' requests and answers (invocation tick, session, xid, op; answer tick, header zxid,
 * error, body), checked at the end against the committed history: the transactions servers applied
 * from their logs, in zxid order ({@link SimulatedEnsemble#committed()}). ZooKeeper orders all writes
 * by zxid, so the history is linearizable if that order is a legal sequential history consistent
 * with real time. {@link #check} verifies:
 * <ol>
 * <li>every transaction of a client request is that request's only one: a (session, xid) is never
 *     committed twice (a resent request applied twice), and every request answered with a write's
 *     result was committed, at the zxid its answer's header names;
 * <li>real time: a write answered before another was sent has the smaller zxid; a session's
 *     writes take effect in the order its client sent them, across its connections;
 * <li>a sequential model of the tree, replaying the committed requests in zxid order from the
 *     requests themselves (not from the transactions the leader prepared), gives each request the
 *     result its transaction records and its client was answered: created names (sequential suffixes
 *     from the root's count of creations), setData versions, NODE_EXISTS, NO_NODE, BAD_VERSION,
 *     SESSION_EXPIRED, and a multi's all-or-nothing outcome with its failing op;
 * <li>reads: an exists after a sync answered at zxid z finds the znode the model holds after z, with
 *     the same czxid and version (z is the server's applied zxid, at least the session's last seen);
 * <li>the model's final znodes are every server's (a gap in the recorded history shows here).
 * </ol>
 * It cannot see requests that were neither answered nor committed (they need not happen), nor
 * transactions of the model's kinds it does not know (only this workload's ops are modelled), and a
 * committed transaction whose request was never answered is checked against the model but not
 * against an answer.
 */
public final class WriteHistory {
    /** One request: who sent what when, and its answer if one came. */
    static final class Entry {
        final int client;
        final long sessionId;
        final int xid;
        final int opCode;
        final JuteRecord request;
        final long invokedTick;
        long answeredTick = -1;
        long zxid;
        int err;
        JuteRecord response;
        /** The zxid it was committed at, or -1. */
        long committedZxid = -1;
        /**
         * Matched to its transaction with another request as likely: two unanswered requests of
         * one (session, xid) (a client that restarts its xids) that the transaction fits alike (a
         * failed multi or an error names no path). Left out of the order and model checks.
         */
        boolean ambiguous;

        Entry(int client, long sessionId, int xid, int opCode, JuteRecord request, long invokedTick) {
            this.client = client;
            this.sessionId = sessionId;
            this.xid = xid;
            this.opCode = opCode;
            this.request = request;
            this.invokedTick = invokedTick;
        }

        boolean answered() {
            return answeredTick >= 0;
        }

        boolean isWrite() {
            return opCode == OpCode.CREATE || opCode == OpCode.SET_DATA || opCode == OpCode.DELETE
                    || opCode == OpCode.MULTI || opCode == OpCode.CLOSE_SESSION;
        }

        @Override
        public String toString() {
            return "client " + client + " session 0x" + Long.toHexString(sessionId) + " xid " + xid + " op " + opCode
                    + " " + request + " sent t=" + invokedTick + (answered() ? ", answered t=" + answeredTick + " zxid 0x"
                    + Long.toHexString(zxid) + " err " + err + " " + response : ", not answered");
        }
    }

    private final SimulatedEnsemble ensemble;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<Long, Entry> open = new TreeMap<>();
    private long writesChecked;
    private long readsChecked;
    private long sessionMoved;

    WriteHistory(SimulatedEnsemble ensemble) {
        this.ensemble = ensemble;
    }

    private static long key(int client, int xid) {
        return ((long) client << 32) | (xid & 0xffffffffL);
    }

    void invoked(int client, long sessionId, int xid, int opCode, JuteRecord request, long tick) {
        Entry e = new Entry(client, sessionId, xid, opCode, request, tick);
        entries.add(e);
        open.put(key(client, xid), e);
    }

    void answered(int client, int xid, long zxid, int err, JuteRecord response, long tick) {
        Entry e = open.remove(key(client, xid));
        if (e == null) {
            return;
        }
        e.answeredTick = tick;
        e.zxid = zxid;
        e.err = err;
        e.response = response;
    }

    void lost(int client, int xid) {
        open.remove(key(client, xid));
    }

    public int size() {
        return entries.size();
    }

    /** Writes whose committed result the model checked. */
    public long writesChecked() {
        return writesChecked;
    }

    /** Reads checked against the model. */
    public long readsChecked() {
        return readsChecked;
    }

    /** Requests committed as SESSIONMOVED (sent on a connection their session had left). */
    public long sessionMoved() {
        return sessionMoved;
    }

    private SimulationFailure failure(String message) {
        return ensemble.checker().failure("history: " + message);
    }

    /** The checks above; call once every server applied the same last zxid. */
    void check() {
        NavigableMap<Long, TxnEnvelope> committed = ensemble.committed();
        // A (session, xid) names one request per connection: clients that start their xids at 1 on
        // every connection (kazoo) reuse it across connections. The candidates in send order.
        Map<String, List<Entry>> bySessionXid = new HashMap<>();
        for (Entry e : entries) {
            bySessionXid.computeIfAbsent(e.sessionId + ":" + e.xid, k -> new ArrayList<>()).add(e);
        }
        // 1. one transaction per request
        Map<Long, Entry> byZxid = new HashMap<>();
        for (TxnEnvelope t : committed.values()) {
            List<Entry> candidates = t.cxid() > 0 ? bySessionXid.get(t.sessionId() + ":" + t.cxid()) : null;
            if (candidates == null || candidates.stream().noneMatch(Entry::isWrite)) {
                continue;
            }
            Entry e = requestOf(t, candidates);
            if (e == null) {
                Entry last = candidates.stream().filter(Entry::isWrite).reduce((a, b) -> b).orElseThrow();
                throw failure(last.committedZxid == -1
                        ? "transaction 0x" + Long.toHexString(t.zxid()) + " " + t.txn() + " is none of the requests of its"
                                + " session and xid: " + candidates
                        : last + " was committed twice: at 0x" + Long.toHexString(last.committedZxid) + " and 0x"
                                + Long.toHexString(t.zxid()));
            }
            e.committedZxid = t.zxid();
            byZxid.put(t.zxid(), e);
        }
        for (Entry e : entries) {
            if (e.isWrite() && e.answered() && e.opCode != OpCode.CLOSE_SESSION) {
                if (e.committedZxid == -1) {
                    throw failure(e + " was answered but never committed");
                }
                if (e.zxid != e.committedZxid) {
                    throw failure(e + " was answered with zxid 0x" + Long.toHexString(e.zxid) + " but committed at 0x"
                            + Long.toHexString(e.committedZxid));
                }
            }
        }
        checkRealTime();
        checkSessionOrder(committed);
        replay(committed, byZxid);
    }

    /**
     * The request a committed transaction is of, among those sent with its session and xid (several
     * only where a client reused xids on a new connection): the one answered at its zxid, else the
     * earliest sent not yet matched and not answered at another zxid; null if none is left (a
     * request committed twice).
     */
    private static Entry requestOf(TxnEnvelope t, List<Entry> candidates) {
        for (Entry e : candidates) {
            if (e.isWrite() && e.committedZxid == -1 && e.answered() && e.zxid == t.zxid() && couldBe(t, e)) {
                return e;
            }
        }
        Entry first = null;
        int fitting = 0;
        for (Entry e : candidates) {
            if (e.isWrite() && e.committedZxid == -1 && (!e.answered() || e.opCode == OpCode.CLOSE_SESSION)
                    && couldBe(t, e)) {
                first = first == null ? e : first;
                fitting++;
            }
        }
        if (first != null && fitting > 1) {
            first.ambiguous = true;
        }
        return first;
    }

    /**
     * Whether transaction {@code t} could be request {@code e}'s, by what both name: the path (a
     * sequential create's with its suffix), a multi, a close; any request for an error transaction,
     * which names nothing.
     */
    private static boolean couldBe(TxnEnvelope t, Entry e) {
        String path = e.request instanceof CreateRequest c ? c.path()
                : e.request instanceof DeleteRequest d ? d.path()
                : e.request instanceof SetDataRequest sd ? sd.path() : null;
        Txn txn = t.txn();
        if (txn instanceof Txn.Create c) {
            return e.request instanceof CreateRequest r && c.path().startsWith(r.path())
                    && java.util.Arrays.equals(c.data(), r.data());
        } else if (txn instanceof Txn.Delete d) {
            return d.path().equals(path) && e.request instanceof DeleteRequest;
        } else if (txn instanceof Txn.SetData sd) {
            return e.request instanceof SetDataRequest r && sd.path().equals(r.path())
                    && java.util.Arrays.equals(sd.data(), r.data());
        } else if (txn instanceof Txn.Multi m) {
            // Its first create names it (every multi of this workload creates new znodes first).
            if (!(e.request instanceof MultiRequest r)) {
                return false;
            }
            String made = m.txns().stream().filter(x -> x instanceof Txn.Create).map(x -> ((Txn.Create) x).path())
                    .findFirst().orElse(null);
            String asked = r.ops().stream().filter(o -> o.request() instanceof CreateRequest)
                    .map(o -> ((CreateRequest) o.request()).path()).findFirst().orElse(null);
            return m.txns().size() == r.ops().size() && (made == null || made.equals(asked));
        } else if (txn instanceof Txn.MultiError me) {
            // One error per operation (their types are ZooKeeper's error type once logged or sent).
            return e.request instanceof MultiRequest r && me.errors().size() == r.ops().size();
        } else if (txn instanceof Txn.CloseSession) {
            return e.opCode == OpCode.CLOSE_SESSION;
        }
        return true;
    }

    /** 2. A write answered before another write was sent precedes it in zxid order. */
    private void checkRealTime() {
        List<Entry> writes = new ArrayList<>();
        for (Entry e : entries) {
            if (e.isWrite() && e.committedZxid != -1) {
                writes.add(e);
            }
        }
        List<Entry> byAnswer = new ArrayList<>(writes);
        byAnswer.removeIf(e -> !e.answered());
        byAnswer.sort(Comparator.comparingLong(e -> e.answeredTick));
        writes.sort(Comparator.comparingLong(e -> e.invokedTick));
        int next = 0;
        Entry latest = null;
        for (Entry b : writes) {
            while (next < byAnswer.size() && byAnswer.get(next).answeredTick < b.invokedTick) {
                Entry a = byAnswer.get(next++);
                if (latest == null || a.committedZxid > latest.committedZxid) {
                    latest = a;
                }
            }
            if (latest != null && latest.committedZxid > b.committedZxid) {
                throw failure("real time: " + latest + " was answered before " + b + " was sent, yet committed after it");
            }
        }
    }

    /**
     * 2b. A session's requests take effect in the order its client sent them (xid order), across its
     * connections: one sent before another is never committed after it, except as SESSIONMOVED, the
     * error ZooKeeper's leader gives a request from a server the session has left (its client asked
     * another server to carry its session meanwhile), or SESSIONEXPIRED (it came after the session's
     * close): neither takes effect.
     */
    private void checkSessionOrder(NavigableMap<Long, TxnEnvelope> committed) {
        Map<Long, List<Entry>> bySession = new HashMap<>();
        for (Entry e : entries) {
            if (e.isWrite() && e.committedZxid != -1 && !e.ambiguous && !(committed.get(e.committedZxid).txn() instanceof Txn.Error err
                    && (err.code() == Code.SESSION_MOVED || err.code() == Code.SESSION_EXPIRED))) {
                bySession.computeIfAbsent(e.sessionId, k -> new ArrayList<>()).add(e);
            }
        }
        for (List<Entry> sent : bySession.values()) {
            // In the order sent (entries are): xids do not say it for a client that restarts them.
            for (int i = 1; i < sent.size(); i++) {
                if (sent.get(i).committedZxid < sent.get(i - 1).committedZxid) {
                    throw failure("session order: " + sent.get(i - 1) + " was sent before " + sent.get(i)
                            + ", yet committed after it");
                }
            }
        }
    }

    // ---------------------------------------------------------------- the sequential model

    private record Node(long czxid, int version, long owner) {}

    /** Outcome of one op: its error, the created path or the new version. */
    private record Result(int err, String path, int version) {
        static Result error(int err) {
            return new Result(err, null, -1);
        }
    }

    private static final class Model {
        TreeMap<String, Node> nodes = new TreeMap<>();
        java.util.TreeSet<Long> sessions = new java.util.TreeSet<>();
        /** Creations of children of the root so far (the sequential suffix is this plus an offset). */
        int creations;
        Integer offset;

        Model copy() {
            Model m = new Model();
            m.nodes = new TreeMap<>(nodes);
            m.sessions = sessions;
            m.creations = creations;
            m.offset = offset;
            return m;
        }

        void closeSession(long session) {
            nodes.values().removeIf(n -> n.owner() == session);
            sessions.remove(session);
        }
    }

    /** 3-5. Replays the committed history on the model, checking each outcome and the reads. */
    private void replay(NavigableMap<Long, TxnEnvelope> committed, Map<Long, Entry> byZxid) {
        List<Entry> reads = new ArrayList<>();
        for (Entry e : entries) {
            if (e.opCode == OpCode.EXISTS && e.answered() && e.err == Code.OK) {
                reads.add(e);
            }
        }
        reads.sort(Comparator.comparingLong(e -> e.zxid));
        int nextRead = 0;
        Model model = new Model();
        for (TxnEnvelope t : committed.values()) {
            while (nextRead < reads.size() && reads.get(nextRead).zxid < t.zxid()) {
                checkRead(model, reads.get(nextRead++));
            }
            Entry e = byZxid.get(t.zxid());
            if (e != null && e.isWrite() && e.committedZxid == t.zxid() && !e.ambiguous) {
                applyRequest(model, t, e);
                writesChecked++;
            } else {
                applyTxn(model, t);
            }
        }
        while (nextRead < reads.size()) {
            checkRead(model, reads.get(nextRead++));
        }
        compareWithServers(model);
    }

    private void checkRead(Model model, Entry read) {
        String path = ((ExistsRequest) read.request).path();
        Node n = model.nodes.get(path);
        var stat = ((ExistsResponse) read.response).stat();
        if (n == null || stat.czxid() != n.czxid() || stat.version() != n.version()) {
            throw failure(read + " does not match the model after 0x" + Long.toHexString(read.zxid) + ": " + n);
        }
        readsChecked++;
    }

    /** A transaction no recorded request explains (sessions, expiry): its own effect. */
    private void applyTxn(Model model, TxnEnvelope t) {
        Txn txn = t.txn();
        if (txn instanceof Txn.CreateSession cs) {
            model.sessions.add(cs.sessionId());
        } else if (txn instanceof Txn.CloseSession close) {
            model.closeSession(close.sessionId());
        } else if (txn instanceof Txn.Error || txn instanceof Txn.MultiError) {
            return; // no effect (a failed multi: all or nothing); one matched ambiguously comes here too
        } else {
            throw failure("a committed " + txn + " at 0x" + Long.toHexString(t.zxid()) + " that no client sent");
        }
    }

    private void applyRequest(Model model, TxnEnvelope t, Entry e) {
        long session = e.sessionId;
        if (e.opCode == OpCode.CLOSE_SESSION) {
            expect(e, t, t.txn() instanceof Txn.CloseSession, "a closeSession");
            model.closeSession(session);
            return;
        }
        if (!model.sessions.contains(session)) {
            expect(e, t, t.txn() instanceof Txn.Error err && err.code() == Code.SESSION_EXPIRED, "SESSION_EXPIRED");
            expectAnswer(e, Code.SESSION_EXPIRED);
            return;
        }
        if (t.txn() instanceof Txn.Error err && err.code() == Code.SESSION_MOVED) {
            expectAnswer(e, Code.SESSION_MOVED); // from a connection its session had left: no effect
            sessionMoved++;
            return;
        }
        if (e.opCode == OpCode.MULTI) {
            applyMulti(model, t, e);
            return;
        }
        Result r = applyOp(model, t.zxid(), session, e.opCode, e.request);
        if (r.err() != Code.OK) {
            expect(e, t, t.txn() instanceof Txn.Error err && err.code() == r.err(), "error " + r.err());
            expectAnswer(e, r.err());
            return;
        }
        expectAnswer(e, Code.OK);
        if (e.opCode == OpCode.CREATE) {
            expect(e, t, t.txn() instanceof Txn.Create c && c.path().equals(r.path()), "a create of " + r.path());
            if (e.answered() && !((CreateResponse) e.response).path().equals(r.path())) {
                throw failure(e + " was answered " + e.response + ", the model created " + r.path());
            }
        } else if (e.opCode == OpCode.SET_DATA) {
            expect(e, t, t.txn() instanceof Txn.SetData s && s.version() == r.version(), "version " + r.version());
            if (e.answered() && ((SetDataResponse) e.response).stat().version() != r.version()) {
                throw failure(e + " was answered " + e.response + ", the model's version is " + r.version());
            }
        }
    }

    private void applyMulti(Model model, TxnEnvelope t, Entry e) {
        List<io.paddock.core.wire.MultiOp> ops = ((MultiRequest) e.request).ops();
        Model scratch = model.copy();
        List<Result> results = new ArrayList<>();
        int failed = -1;
        for (int i = 0; i < ops.size() && failed < 0; i++) {
            Result r = applyOp(scratch, t.zxid(), e.sessionId, ops.get(i).type(), ops.get(i).request());
            results.add(r);
            if (r.err() != Code.OK) {
                failed = i;
            }
        }
        if (failed >= 0) {
            int code = results.get(failed).err();
            expect(e, t, t.txn() instanceof Txn.MultiError m && m.errors().get(failed) == code,
                    "a failed multi, op " + failed + " " + code);
            if (e.answered()) {
                List<MultiResult> answer = ((MultiResponse) e.response).results();
                if (answer.size() != ops.size() || answer.get(failed).err() != code) {
                    throw failure(e + " answered, but the model fails op " + failed + " with " + code);
                }
            }
            return;
        }
        expect(e, t, t.txn() instanceof Txn.Multi, "a multi that succeeds");
        model.nodes = scratch.nodes;
        model.creations = scratch.creations;
        model.offset = scratch.offset;
        if (e.answered()) {
            List<MultiResult> answer = ((MultiResponse) e.response).results();
            for (int i = 0; i < ops.size(); i++) {
                Result r = results.get(i);
                MultiResult a = answer.get(i);
                boolean same = a.err() == Code.OK && (r.path() == null || a.result() instanceof CreateResponse c
                        && c.path().equals(r.path())) && (ops.get(i).type() != OpCode.SET_DATA
                        || a.result() instanceof SetDataResponse s && s.stat().version() == r.version());
                if (!same) {
                    throw failure(e + " answered " + a + " for op " + i + ", the model says " + r);
                }
            }
        }
    }

    /** One op on the model (changing it only when it succeeds). */
    private Result applyOp(Model m, long zxid, long session, int opCode, JuteRecord request) {
        switch (opCode) {
            case OpCode.CREATE -> {
                CreateRequest c = (CreateRequest) request;
                boolean sequential = (c.flags() & 2) != 0;
                String path = c.path();
                if (sequential) {
                    if (m.offset == null) {
                        return sequentialUnknown(m, zxid, session, c);
                    }
                    path = path + String.format(java.util.Locale.ROOT, "%010d", m.offset + m.creations);
                }
                if (m.nodes.containsKey(path)) {
                    return Result.error(Code.NODE_EXISTS);
                }
                m.nodes.put(path, new Node(zxid, 0, (c.flags() & 1) != 0 ? session : 0));
                m.creations++;
                return new Result(Code.OK, path, 0);
            }
            case OpCode.SET_DATA -> {
                SetDataRequest s = (SetDataRequest) request;
                Node n = m.nodes.get(s.path());
                if (n == null) {
                    return Result.error(Code.NO_NODE);
                }
                if (s.version() != -1 && s.version() != n.version()) {
                    return Result.error(Code.BAD_VERSION);
                }
                m.nodes.put(s.path(), new Node(n.czxid(), n.version() + 1, n.owner()));
                return new Result(Code.OK, null, n.version() + 1);
            }
            case OpCode.DELETE -> {
                DeleteRequest d = (DeleteRequest) request;
                Node n = m.nodes.get(d.path());
                if (n == null) {
                    return Result.error(Code.NO_NODE);
                }
                if (d.version() != -1 && d.version() != n.version()) {
                    return Result.error(Code.BAD_VERSION);
                }
                m.nodes.remove(d.path());
                return new Result(Code.OK, null, -1);
            }
            case OpCode.CHECK -> {
                var c = (io.paddock.core.wire.CheckVersionRequest) request;
                Node n = m.nodes.get(c.path());
                if (n == null) {
                    return Result.error(Code.NO_NODE);
                }
                return c.version() != -1 && c.version() != n.version() ? Result.error(Code.BAD_VERSION)
                        : new Result(Code.OK, null, n.version());
            }
            default -> throw failure("no model for op " + opCode);
        }
    }

    /** The first sequential create fixes the offset of the suffix (the root's creations before any client's). */
    private Result sequentialUnknown(Model m, long zxid, long session, CreateRequest c) {
        TxnEnvelope t = ensemble.committed().get(zxid);
        if (!(t.txn() instanceof Txn.Create created)) {
            throw failure("the first sequential create, at 0x" + Long.toHexString(zxid) + ", is " + t.txn());
        }
        m.offset = Integer.parseInt(created.path().substring(c.path().length())) - m.creations;
        return applyOp(m, zxid, session, OpCode.CREATE, c);
    }

    private void expect(Entry e, TxnEnvelope t, boolean ok, String what) {
        if (!ok) {
            throw failure(e + " was committed at 0x" + Long.toHexString(t.zxid()) + " as " + t.txn()
                    + ", the sequential model says " + what);
        }
    }

    private void expectAnswer(Entry e, int err) {
        if (e.answered() && e.err != err) {
            throw failure(e + " was answered " + e.err + ", the sequential model says " + err);
        }
    }

    /** 5. The model's znodes (owner, version, czxid) are every server's, the root's own children aside. */
    private void compareWithServers(Model model) {
        for (long sid : ensemble.sids()) {
            var replica = ensemble.server(sid).replica();
            Map<String, Node> actual = new TreeMap<>();
            var snapshot = io.paddock.core.storage.TreeSnapshot.capture(replica.tree(), replica.sessions(), 0, 0);
            for (var it = snapshot.nodes(); it.hasNext(); ) {
                var n = it.next();
                if (n.path().matches("/[cesm][0-9]+-.*")) {
                    actual.put(n.path(), new Node(n.czxid(), n.version(), n.ephemeralOwner()));
                }
            }
            if (!actual.equals(model.nodes)) {
                Set<String> diff = new java.util.TreeSet<>(actual.keySet());
                diff.addAll(model.nodes.keySet());
                diff.removeIf(p -> java.util.Objects.equals(actual.get(p), model.nodes.get(p)));
                throw failure("s" + sid + "'s znodes differ from the model's at " + diff.stream().limit(5)
                        .map(p -> p + " s" + sid + "=" + actual.get(p) + " model=" + model.nodes.get(p)).toList());
            }
        }
    }
}
