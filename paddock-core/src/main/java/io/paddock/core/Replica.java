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
import io.paddock.core.tree.DigestLog;
import io.paddock.core.tree.Fired;
import io.paddock.core.tree.NodeDigest;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.AuthPacket;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.ConnectResponse;
import io.paddock.core.wire.GetSASLRequest;
import io.paddock.core.wire.SetSASLResponse;
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
import io.paddock.core.zab.LeaderRole;
import io.paddock.core.zab.LearnerRole;
import io.paddock.core.zab.ZabHost;
import io.paddock.core.zab.ProposalCodec;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import io.paddock.core.election.ServerState;
import io.paddock.core.request.Caller;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.Requests;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.Revalidate;
import io.paddock.core.wire.quorum.TxnDigest;
import java.util.LinkedHashMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
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
    private DataTree tree = new DataTree();
    /** The membership text /zookeeper/config shows in an ensemble, or null (standalone: empty). */
    private byte[] membershipText;
    private SessionTable sessions;
    private final PendingChanges pending = new PendingChanges();
    private RequestPrep prep;
    private TxnApplier applier;
    private ReadHandler reads;
    private final byte[] passwordSecret;
    private final Map<Long, ClientConnection> connections = new HashMap<>();
    /** What this replica lends the learner's client bookkeeping below: its state, read live, and a few of its steps. */
    private final ClientHost clients = new Clients();
    /** A learner's forwards and syncs to its leader, until they are answered. */
    private final LearnerForwards forwards = new LearnerForwards(clients, connections);
    /** The requests a leader change caught in flight: kept, sent again, prepared here or closed. */
    private final InFlightRequests inFlight = new InFlightRequests(clients, connections, forwards);
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
    /** The wall clock as of the last tick (see {@link Event.Tick}): transactions' and snapshots' time. */
    private long wallMs;
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
    /**
     * An ensemble member's history replays into {@link #awaiting} without being applied (what of
     * it is committed, a leader will say); set by {@link #expectEnsemble()} before recovery.
     */
    private boolean ensembleMember;
    /** Every transaction up to this is durable in the log. */
    private long durableZxid;
    /** Every transaction up to this is committed (standalone: all of them). */
    private long committedZxid = Long.MAX_VALUE;
    /** Whether clients are served: always standalone; in an ensemble, while the role is established. */
    private boolean serving = true;
    /** An established leader's epoch in a zxid's high bits: its proposals' zxids count up from here. */
    private long epochBase;
    /** Recently applied transactions (for a leader's DIFF), oldest first, at most {@value #COMMIT_LOG_COUNT}. */
    private final ArrayDeque<TxnEnvelope> recentApplied = new ArrayDeque<>();
    /** The tree digest after each of {@link #recentApplied} (none after a failed write), for a DIFF. */
    private final HashMap<Long, TxnDigest> recentDigests = new HashMap<>();
    /** The applied zxid just before {@link #recentApplied}'s first (or the last applied when it is empty). */
    private long windowBaseZxid;
    /** Client events held while an ensemble member has no established role, oldest first. */
    private final HeldEvents held = new HeldEvents();
    /** A learner's sessions its clients touched since its last PING reply: id to timeout. */
    private final Map<Long, Integer> touched = new LinkedHashMap<>();
    /**
     * A leader's sessions whose createSession it has proposed but not applied yet, id to timeout:
     * live already, as ZooKeeper's leader tracks a session from the moment it prepares it. (A
     * leader applies a commit in the step that makes it, so a client's first request through a
     * follower that applied the creation finds it applied here too; the wait for it below is a
     * guard, not a path taken in practice since members apply commits before their own sync.)
     */
    private final Map<Long, Integer> proposedSessions = new HashMap<>();
    /** Sessions whose close a leader proposed before their creation was applied: closing once it is. */
    private final java.util.Set<Long> closeProposed = new java.util.HashSet<>();
    /**
     * A learner's reconnecting clients whose session it does not know (yet): session id to their
     * handshakes, waiting for the leader's REVALIDATE answer, then (valid) for the session's
     * createSession to be applied here.
     */
    private final Map<Long, List<ClientConnected>> revalidating = new HashMap<>();
    /**
     * A leader's owner of each session it has heard of in this leadership: the server whose client
     * carries it (its createSession's, its REVALIDATE's, or the first to send one of its writes),
     * this server for its own clients. A write from another server is answered SESSIONMOVED, as by
     * ZooKeeper's leader: it came on a connection the session's client has left.
     */
    private final Map<Long, Long> owners = new HashMap<>();
    /**
     * Writes this server forwarded on connections since closed, by session, in the order sent, each
     * with the epoch of the leader it went to (at most {@link #ORPHANS_PER_SESSION_MAX} each; gone
     * with the session, a leader's snapshot, or a later epoch's first transaction applied, which
     * means their leader is gone): applied, one is known for this server's own (isOrphanForward), neither
     * the answer to a later connection's request of the same xid nor a write its client sent
     * elsewhere (dropIfMovedAway). kazoo starts its xids at 1 on every connection: back here at once
     * after a break, with an older write still on its way, its new connection was closed as moved
     * away (that write's xid above its new ones), or its first write answered with the older one's
     * outcome (the same xid).
     */
    private final Map<Long, ArrayDeque<Long>> orphanForwards = new HashMap<>();
    static final int ORPHANS_PER_SESSION_MAX = 1024;
    /** The xid of each session's last write applied here (a write that took effect or failed on its merits). */
    private final Map<Long, Integer> lastXidApplied = new HashMap<>();
    /**
     * Sessions whose client was seen to start its xids again on a new connection (a write applied
     * with an xid below its previous one: kazoo does it; a client whose xids keep increasing never
     * does, its writes taking effect in the order sent). For those, dropIfMovedAway does not go by
     * xids (see there).
     */
    private final Set<Long> restartingXids = new HashSet<>();
    /** The last zxid logged here when each connection's first request still held without a leader came. */
    private final Map<Long, Long> heldSinceZxid = new HashMap<>();
    /** Transactions applied since this replica was made, recovery's replay included (the snapshot schedule's count). */
    private long appliedTransactions;
    /** Handshakes whose session the leader confirmed (REVALIDATE), by connection: they go on. */
    private final Set<Long> revalidated = new HashSet<>();
    private final Map<Long, List<ClientConnected>> awaitingSession = new HashMap<>();
    /** Requests that came on a connection whose handshake waits in {@link #revalidating} or {@link #awaitingSession}. */
    private final Map<Long, List<ClientRequest>> parked = new HashMap<>();
    /** Since when an ensemble member has had no established role (it holds its clients meanwhile). */
    private long noLeaderSinceMs;

    /** ZooKeeper's default {@code commitLogCount}: committed transactions kept in memory for DIFF. */
    public static final int COMMIT_LOG_COUNT = 500;
    /**
     * An ensemble member without a leader keeps a client's connection this fraction of its session
     * timeout (answering pings, holding requests), then closes it, so that the client reconnects
     * to a server that has a leader while its session, which that leader gave a full timeout when
     * it was established, is still alive there.
     */
    public static final int HOLD_TIMEOUT_DIVISOR = 3;
    /**
     * Client events (handshakes and requests) an ensemble member holds while it has no leader;
     * past it, the connection of the next event is closed (the client reconnects as after any
     * connection loss, its session intact).
     */
    public static final int HELD_EVENTS_MAX = 10_000;
    /**
     * Bytes of client requests (their encoded size) an ensemble member holds while it has no
     * leader; past it, the connection of the next request is closed, as past {@link #HELD_EVENTS_MAX}.
     */
    public static final long HELD_BYTES_MAX = 32L << 20;

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
        wireTree();
        this.passwordSecret = passwordSecret.clone();
        this.nextSessionId = sessionIdBase;
        this.nowMs = nowMs;
        this.wallMs = nowMs;
        this.nextSweepMs = nowMs + config.containerCheckIntervalMs();
    }

    /** The parts that read or change the tree and sessions, made again when a SNAP replaces them. */
    private void wireTree() {
        this.prep = new RequestPrep(new TreeLookup(tree), pending, config.extendedTypesEnabled(), config.enforceQuota(),
                config.authSchemes());
        this.applier = new TxnApplier(tree, sessions);
        this.reads = new ReadHandler(tree, config.authSchemes());
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
            wallMs = t.wallMs();
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
            if (!serving) {
                closeLongHeld();
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
            if (proposes()) {
                sweepContainersAndTtls();
            }
        }
    }

    /** Deletes empty containers that once had children and expired TTL nodes, at a bounded rate. */
    private void sweepContainersAndTtls() {
        long budget = Math.max(1, config.containerMaxPerMinute() * config.containerCheckIntervalMs() / 60_000);
        for (String path : ContainerSweep.due(tree, wallMs, (int) Math.min(Integer.MAX_VALUE, budget))) {
            long zxid = nextZxid();
            Txn txn = prep.prepareSweepDelete(zxid, path);
            if (txn != null) {
                submit(new TxnEnvelope(zxid, 0, 0, wallMs, txn), null, -1, OpCode.DELETE, null);
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
        if (!ensembleMember && !awaiting.isEmpty()) {
            throw new IllegalStateException("joining an ensemble with transactions in flight");
        }
        ensembleMember = true;
        if (committedZxid == Long.MAX_VALUE) {
            committedZxid = lastAppliedZxid;
        }
        serving = false;
        noLeaderSinceMs = nowMs;
        sessions.setExpiryEnabled(false, nowMs);
        this.peer = new QuorumPeerCore(config, acceptedEpoch, currentEpoch, new Host());
        this.peerTickMs = peerTickMs;
        this.peerStartMs = nowMs;
    }

    /**
     * Shows the ensemble's membership (ZooKeeper's {@code server.N=...} lines and {@code version=},
     * the shell's text) in /zookeeper/config from now on, as a ZooKeeper quorum peer does, in this
     * tree and in every tree this replica loads later (a leader's snapshot). Configuration version 0:
     * a static zoo.cfg; Paddock has no dynamic reconfiguration.
     */
    public void showMembership(byte[] text) {
        membershipText = text.clone();
        tree.setConfigNode(membershipText, 0, wallMs);
    }

    /**
     * Announces, before recovery replays the log, that this replica will join an ensemble: the
     * replayed transactions become its history, not yet applied (whether they are committed is
     * for the leader to say, during sync), so the tree never holds an uncommitted transaction.
     */
    public void expectEnsemble() {
        if (!connections.isEmpty() || !awaiting.isEmpty() || lastZxid > lastAppliedZxid) {
            throw new IllegalStateException("expectEnsemble must come before recovery replays anything");
        }
        ensembleMember = true;
        committedZxid = lastAppliedZxid;
    }

    /** Whether this replica prepares transactions itself: standalone, or an established leader. */
    private boolean proposes() {
        return peer == null || (serving && peer.role() instanceof LeaderRole);
    }

    /** The zxid of the next transaction this replica prepares. */
    private long nextZxid() {
        // An ensemble leader never gets past counter 0xffffffff: proposing it ends its role (LeaderRole).
        return Math.max(lastZxid, epochBase) + 1;
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

    /**
     * Steps the peer and carries out its effects in order: what concerns this replica (history,
     * commits, snapshots, sessions, forwarded requests, the start and end of serving) here, the
     * rest by the shell. Re-entrant: carrying out an effect may step the peer again (a forwarded
     * request becomes a proposal), once this step's effects were taken.
     */
    private void stepPeer(PeerEvent event) {
        List<PeerEffect> effects = new ArrayList<>();
        peer.step(event, effects);
        boolean startedServing = false;
        for (int i = 0; i < effects.size(); i++) {
            PeerEffect e = effects.get(i);
            if (e instanceof PeerEffect.ToReplica r) {
                onPeerDecision(r);
                continue;
            }
            out.add(new Effect.Peer(e));
            if (e instanceof PeerEffect.Established established) {
                startServing(established.epoch(), true);
                startedServing = true;
            } else if (e instanceof PeerEffect.Synced synced) {
                startServing(synced.epoch(), false);
                startedServing = true;
            } else if (e instanceof PeerEffect.RoleChanged changed && changed.to() == ServerState.LOOKING) {
                stopServing(changed.reason());
            }
        }
        if (startedServing && serving) {
            inFlight.resendInFlight(out);
            releaseHeld();
            keepOrphansStillToCome();
        }
    }

    /**
     * Synced (or established), with what the sync committed applied: of the writes forwarded on
     * connections since closed, only those among the leader's proposals still to commit (awaiting)
     * can still be applied. The rest never reached a leader that kept them (a REQUEST written into
     * a quorum connection that broke, the same leader synced this server again), or were applied
     * already; left in place, one would take a later write of the same xid for this server's own
     * and leave its client unanswered.
     */
    private void keepOrphansStillToCome() {
        if (orphanForwards.isEmpty()) {
            return;
        }
        Map<Long, Set<Long>> toCome = new HashMap<>();
        for (QueuedWrite w : awaiting) {
            TxnEnvelope env = w.txn();
            if (env.sessionId() != 0 && env.cxid() > 0 && orphanForwards.containsKey(env.sessionId())) {
                toCome.computeIfAbsent(env.sessionId(), k -> new HashSet<>()).add(orphanOf(env.zxid() >>> 32, env.cxid()));
            }
        }
        orphanForwards.entrySet().removeIf(e -> {
            Set<Long> coming = toCome.getOrDefault(e.getKey(), Set.of());
            e.getValue().removeIf(orphan -> !coming.contains(orphan));
            return e.getValue().isEmpty();
        });
    }

    private void onPeerDecision(PeerEffect.ToReplica r) {
        if (r instanceof PeerEffect.LogTxn log) {
            if (log.replay()) {
                replayUpToZxid = Math.max(replayUpToZxid, log.txn().zxid());
            }
            QueuedWrite write = new QueuedWrite(log.txn(), -1, -1, null, log.digest());
            awaiting.addLast(write);
            lastZxid = log.txn().zxid();
            out.add(new AppendLog(log.txn()));
        } else if (r instanceof PeerEffect.Commit commit) {
            committedZxid = Math.max(committedZxid, commit.zxid());
            applyReady();
        } else if (r instanceof PeerEffect.Truncate truncate) {
            truncateHistory(truncate.zxid());
        } else if (r instanceof PeerEffect.InstallSnapshot install) {
            installSnapshot(install.snapshot());
        } else if (r instanceof PeerEffect.TouchSessions touches) {
            for (Ping.SessionTouch t : touches.touches()) {
                Session s = sessions.get(t.sessionId());
                if (s != null && !s.closing()) {
                    sessions.touch(s, nowMs);
                }
            }
        } else if (r instanceof PeerEffect.Forwarded forwarded) {
            onForwarded(forwarded.fromSid(), forwarded.request());
        } else if (r instanceof PeerEffect.Revalidate ask) {
            Session s = sessions.get(ask.sessionId());
            boolean valid = s != null ? !s.closing() : proposedSessions.containsKey(ask.sessionId());
            if (s != null && valid) {
                sessions.touch(s, nowMs);
            }
            if (valid) {
                owners.put(ask.sessionId(), ask.fromSid()); // its client is there now (ZooKeeper's setOwner)
            }
            out.add(new Effect.Peer(new PeerEffect.SendQuorum(ask.fromSid(), Revalidate.answer(
                    Revalidate.ask(ask.sessionId(), ask.timeoutMs()), ask.sessionId(), valid))));
        } else if (r instanceof PeerEffect.Revalidated answer) {
            onRevalidated(answer.sessionId(), answer.valid());
        } else if (r instanceof PeerEffect.SyncAnswered) {
            forwards.onSyncAnswered(out);
        }
    }

    private void startServing(long epoch, boolean leading) {
        serving = true;
        owners.clear(); // a new leader knows no owners yet: each is set by what it hears first
        inFlight.startServing(epoch);
        if (leading) {
            epochBase = epoch << 32;
            sessions.setExpiryEnabled(true, nowMs); // a new leader gives every session a fresh timeout
            // Its history is committed now, and applied by the Commit that establishing emits: the
            // sessions it creates or closes count as such already (a quorum of followers holds them).
            for (QueuedWrite w : awaiting) {
                if (w.txn().txn() instanceof Txn.CreateSession created) {
                    proposedSessions.put(created.sessionId(), created.timeoutMs());
                } else if (w.txn().txn() instanceof Txn.CloseSession closed) {
                    proposedSessions.remove(closed.sessionId());
                    Session s = sessions.get(closed.sessionId());
                    if (s != null) {
                        sessions.markClosing(s);
                    }
                }
            }
            touched.clear(); // a leader's sessions are its own
        } else {
            // A learner keeps the touches its held clients made while it had no leader: they reach
            // the new leader with the first PING reply, so a session whose client kept pinging this
            // server through a slow resync is not left to expire on a leader that was established
            // earlier. Only those of clients still connected here: a client that left (or died)
            // was last seen before this resync, the new leader gave its session a full timeout when
            // it was established, and reporting the old touch now would give it another one from
            // now (seen in the simulator: a dead client's session outlived its timeout by 4 s).
            touched.keySet().removeIf(id -> {
                Session s = sessions.get(id);
                return s == null || !connections.containsKey(s.connectionId());
            });
        }
    }

    /**
     * The role ended: hold clients again. A write this server proposed as the old leader may or
     * may not commit: its connection is closed, as ZooKeeper closes every connection on a leader
     * change (the client sees connection loss and reconnects, its session intact: nothing expires
     * while there is no leader). A learner keeps the connections whose requests it forwarded to
     * the lost leader, until the next leader is known ({@link InFlightRequests#resendInFlight}).
     */
    private void stopServing(String reason) {
        boolean wasLeading = epochBase != 0 || proposes();
        if (serving) {
            // Held clients count their time without a leader from when this server last served, not
            // from each later sync that failed: a learner that keeps losing its leader mid-sync must
            // still let its clients go to a server that has one (seen in the simulator, seed 800668:
            // a follower resyncing on and off held a client for 36 ticks while the leader, which
            // never heard from it, expired its session).
            noLeaderSinceMs = nowMs;
        }
        serving = false;
        epochBase = 0;
        owners.clear();
        sessions.setExpiryEnabled(false, nowMs);
        // Handshakes waiting on the old leader's answer wait for the next one.
        for (Map<Long, List<ClientConnected>> waiting : List.of(revalidating, awaitingSession)) {
            for (List<ClientConnected> list : waiting.values()) {
                for (ClientConnected c : list) {
                    revalidated.remove(c.connId()); // the next leader is asked again
                    held.add(c);
                    List<ClientRequest> early = parked.remove(c.connId());
                    if (early != null) {
                        early.forEach(held::add);
                    }
                }
            }
            waiting.clear();
        }
        if (wasLeading) {
            pending.clear();
            proposedSessions.clear();
            closeProposed.clear();
            for (QueuedWrite w : awaiting) {
                if (w.txn().txn() instanceof Txn.CloseSession close) {
                    Session s = sessions.get(close.sessionId());
                    if (s != null) {
                        closeUndone(s, "was not committed before this server stopped leading");
                    }
                }
            }
        }
        inFlight.roleEnded(wasLeading, reason);
        forwards.roleEnded();
    }

    /**
     * Requests (forwards and syncs) this replica sent again to a new leader, or prepared itself as
     * the new leader, keeping their connections.
     */
    public long requestsResent() {
        return inFlight.requestsResent();
    }

    /** Connections this replica closed at a leader change because a request of theirs was in flight. */
    public long closedInFlight() {
        return inFlight.closedInFlight();
    }

    /** Of {@link #closedInFlight()}, those closed because a forward sat behind a sync nobody answered. */
    public long closedBehindUnansweredSync() {
        return inFlight.closedBehindUnansweredSync();
    }

    /**
     * Of {@link #closedInFlight()}, those closed by a new leader because their createSession was in
     * flight to the lost leader, or their session was gone or closing.
     */
    public long closedHandshakesInFlight() {
        return inFlight.closedHandshakesInFlight();
    }

    /** Carries out the client events held while there was no leader, in the order they came. */
    private void releaseHeld() {
        int n = held.size();
        for (int i = 0; i < n && serving; i++) {
            Event e = held.poll();
            if (e instanceof ClientConnected c) {
                onConnect(c);
            } else if (e instanceof ClientRequest r) {
                onRequest(r);
            }
        }
        if (held.isEmpty()) {
            heldSinceZxid.clear();
        }
    }

    /**
     * What this server had logged when it took the request of {@code connId} it carries out now:
     * when the connection's first request still held without a leader came, if one did (a bound
     * below for every request held on it), else now.
     */
    private long takenAtZxid(long connId) {
        return Math.min(lastZxid, heldSinceZxid.getOrDefault(connId, lastZxid));
    }

    /** Holds a client event until a leader is established; false when the bound is reached. */
    private boolean hold(Event e, long connId) {
        if (held.size() >= HELD_EVENTS_MAX) {
            dropConnection(connId, "more than " + HELD_EVENTS_MAX + " client events held while there is no leader");
            return false;
        }
        int weight = HeldEvents.weigh(e);
        if (held.bytes() + weight > HELD_BYTES_MAX) {
            dropConnection(connId, "more than " + HELD_BYTES_MAX + " bytes of client requests held while there is no leader");
            return false;
        }
        held.add(e, weight);
        if (e instanceof ClientRequest) {
            heldSinceZxid.putIfAbsent(connId, lastZxid);
        }
        return true;
    }

    private void truncateHistory(long zxid) {
        while (!awaiting.isEmpty() && awaiting.peekLast().zxid() > zxid) {
            awaiting.pollLast();
        }
        if (zxid < lastAppliedZxid) {
            throw new IllegalStateException("truncating to 0x" + Long.toHexString(zxid) + " below applied 0x"
                    + Long.toHexString(lastAppliedZxid));
        }
        pending.clear();
        proposedSessions.clear();
        closeProposed.clear();
        lastZxid = zxid;
        durableZxid = Math.min(durableZxid, zxid);
        out.add(new Effect.TruncateLog(zxid));
    }

    /** A leader's state replaces ours: a new tree and sessions, an empty history; every client reconnects. */
    private void installSnapshot(SnapshotData data) {
        for (long connId : new ArrayList<>(connections.keySet())) {
            dropConnection(connId, "this server's data was replaced by its leader's snapshot");
        }
        for (Event e : held) {
            if (e instanceof ClientConnected c) {
                // A handshake held for a leader is not in connections: closed too, or it waits forever.
                out.add(new CloseClient(c.connId(), "this server's data was replaced by its leader's snapshot"));
            }
        }
        held.clear();
        forwards.forgetAll();
        awaiting.clear();
        pending.clear();
        loadSnapshot(data);
        long z = data.header().lastZxid();
        durableZxid = z; // the shell writes it before the next event
        // The snapshot's point, also when it lies below what we applied: only below an epoch's
        // start (e:0), a label that names no transaction (LearnerRole takes such a SNAP).
        committedZxid = z;
        out.add(new Effect.InstallSnapshot(data));
    }

    /** Replaces the tree and sessions with a snapshot's; the applied state is the snapshot's zxid. */
    private void loadSnapshot(SnapshotData data) {
        replayUpToZxid = 0;
        orphanForwards.clear();
        lastXidApplied.clear();
        restartingXids.clear();
        tree = new DataTree();
        sessions = new SessionTable(config.tickMs());
        sessions.setExpiryEnabled(peer == null, nowMs);
        for (SnapshotSession s : data.sessions()) {
            sessions.add(s.id(), s.timeoutMs(), s.passwd(), nowMs);
        }
        for (SnapshotNode n : data.nodes()) {
            tree.restoreNode(n.path(), n.data(), n.acl(), n.kind(), n.ephemeralOwner(), n.ttlMs(),
                    n.czxid(), n.mzxid(), n.ctime(), n.mtime(), n.version(), n.cversion(), n.aversion(), n.pzxid());
        }
        tree.quotasRestored();
        wireTree();
        if (membershipText != null) {
            tree.setConfigNode(membershipText, 0, wallMs); // a ZooKeeper learner rewrites it after a sync too
        }
        long z = data.header().lastZxid();
        lastAppliedZxid = z;
        lastZxid = z;
        recentApplied.clear();
        recentDigests.clear();
        windowBaseZxid = z;
    }

    /**
     * Recovery, from a snapshot decoded whole (the simulator; the server streams its snapshot into
     * {@link #tree()} and {@link #sessions()} and calls {@link #restoredSnapshot(long)}). Before any
     * {@link #replay}.
     */
    public void restoredSnapshot(SnapshotData data) {
        if (lastZxid != 0 || !awaiting.isEmpty() || !connections.isEmpty()) {
            throw new IllegalStateException("a snapshot restored after replay began");
        }
        loadSnapshot(data);
        committedZxid = ensembleMember ? lastAppliedZxid : committedZxid;
    }

    /** What the Zab roles read of this replica. */
    private final class Host implements ZabHost {
        @Override
        public long lastLoggedZxid() {
            return lastZxid;
        }

        @Override
        public long durableZxid() {
            return durableZxid;
        }

        @Override
        public long appliedZxid() {
            return lastAppliedZxid;
        }

        @Override
        public List<TxnEnvelope> historyAfter(long zxid) {
            if (zxid == lastZxid) {
                return List.of();
            }
            List<TxnEnvelope> after = new ArrayList<>();
            boolean found = zxid == windowBaseZxid;
            for (TxnEnvelope t : recentApplied) {
                if (found) {
                    after.add(t);
                } else if (t.zxid() == zxid) {
                    found = true;
                }
            }
            for (QueuedWrite w : awaiting) {
                if (found) {
                    after.add(w.txn());
                } else if (w.zxid() == zxid) {
                    found = true;
                }
            }
            return found ? after : null;
        }

        @Override
        public boolean holdsAboveApplied(long zxid) {
            for (QueuedWrite w : awaiting) { // in zxid order; a commit's is at or near the head
                if (w.zxid() >= zxid) {
                    return w.zxid() == zxid;
                }
            }
            return false;
        }

        @Override
        public long lastHeldAtOrBelow(long zxid) {
            if (zxid < windowBaseZxid) {
                return -1;
            }
            long held = windowBaseZxid; // the window's base is a point of the history (historyAfter's too)
            for (TxnEnvelope t : recentApplied) {
                if (t.zxid() > zxid) {
                    return held;
                }
                held = t.zxid();
            }
            for (QueuedWrite w : awaiting) { // the history past the applied point, in zxid order
                if (w.zxid() > zxid) {
                    break;
                }
                held = w.zxid();
            }
            return held;
        }

        @Override
        public TxnDigest digestOf(long zxid) {
            TxnDigest applied = recentDigests.get(zxid);
            if (applied != null) {
                return applied;
            }
            for (QueuedWrite w : awaiting) {
                if (w.zxid() == zxid) {
                    return w.digest();
                }
            }
            return null;
        }

        @Override
        public long snapshotPoint(long learnerLastZxid) {
            if (fuzzySnapshotTxns > 0) {
                // As a ZooKeeper leader's fuzzy snapshot: the tree holds the last few applied
                // transactions, the SNAP says it does not, and they go after it as history.
                int back = Math.min(fuzzySnapshotTxns, recentApplied.size());
                long point = windowBaseZxid;
                java.util.Iterator<TxnEnvelope> newestFirst = recentApplied.descendingIterator();
                for (int i = 0; i <= back && newestFirst.hasNext(); i++) {
                    TxnEnvelope t = newestFirst.next();
                    if (i == back) {
                        point = t.zxid();
                    }
                }
                // Never below what the learner may have applied (it refuses such a SNAP), and a point
                // of this history (a learner on another branch gets an exact snapshot).
                point = Math.max(point, Math.min(learnerLastZxid, lastAppliedZxid));
                return historyAfter(point) != null ? point : lastAppliedZxid;
            }
            return lastAppliedZxid;
        }

        /**
         * ZooKeeper's snapshot stream (what follows a SNAP with null data on the wire) of the tree
         * as it is now, read out later in pieces while writes go on (copy-on-write per node).
         */
        @Override
        public io.paddock.core.wire.quorum.SnapStream snapshot() {
            return io.paddock.core.wire.quorum.ZooKeeperSnapStream.begin(tree, sessions, lastAppliedZxid, wallMs);
        }

        @Override
        public List<Ping.SessionTouch> takeTouchedSessions() {
            if (touched.isEmpty()) {
                return List.of();
            }
            List<Ping.SessionTouch> list = new ArrayList<>(touched.size());
            for (Map.Entry<Long, Integer> e : touched.entrySet()) {
                list.add(new Ping.SessionTouch(e.getKey(), e.getValue()));
            }
            touched.clear();
            return list;
        }
    }

    /** What the learner's client bookkeeping ({@link LearnerForwards}, {@link InFlightRequests}) uses of this. */
    private final class Clients implements ClientHost {
        @Override
        public long servingEpoch() {
            return inFlight.servingEpoch();
        }

        @Override
        public long appliedZxid() {
            return lastAppliedZxid;
        }

        @Override
        public long committedZxid() {
            return committedZxid;
        }

        @Override
        public long lastLoggedZxid() {
            return lastZxid;
        }

        @Override
        public boolean proposes() {
            return Replica.this.proposes();
        }

        @Override
        public long leaderSid() {
            return Replica.this.leaderSid();
        }

        @Override
        public int sessionTimeoutFor(ConnectRequest req) {
            return Replica.this.sessionTimeoutFor(req);
        }

        @Override
        public Session session(long sessionId) {
            return sessions.get(sessionId);
        }

        @Override
        public void answerReadsBehind(ClientConnection conn) {
            Replica.this.answerReadsBehind(conn);
        }

        @Override
        public void dropConnection(long connId, String reason) {
            Replica.this.dropConnection(connId, reason);
        }

        @Override
        public void closeSession(Session s, long connId, int xid) {
            Replica.this.closeSession(s, connId, xid);
        }

        @Override
        public void write(ClientConnection conn, ClientRequest r) {
            Replica.this.write(conn, r);
        }

        @Override
        public void failRequest(ClientConnection conn, RuntimeException e) {
            Replica.this.failRequest(conn, -1, -1, e, false);
        }
    }

    /** A learner's session was touched by its client: its leader hears of it with the next PING reply. */
    private void touchSession(Session s) {
        sessions.touch(s, nowMs);
        if (peer != null && !proposes()) {
            touched.put(s.id(), s.timeoutMs());
        }
    }

    /** The leader of this learner, or -1. */
    private long leaderSid() {
        return peer != null && peer.role() instanceof LearnerRole l ? l.leaderSid() : -1;
    }


    private int sessionTimeoutFor(ConnectRequest req) {
        return Math.max(config.minSessionTimeoutMs(), Math.min(config.maxSessionTimeoutMs(), req.timeOut()));
    }

    /** The leader prepares and proposes a request a learner forwarded. */
    private void onForwarded(long fromSid, QuorumPacket packet) {
        long sessionId;
        int cxid;
        int type;
        JuteRecord body = null;
        int timeout = 0;
        try {
            byte[] data = packet.data() == null ? new byte[0] : packet.data();
            JuteReader in = new JuteReader(data, 0, data.length);
            sessionId = in.readLong();
            cxid = in.readInt();
            type = in.readInt();
            if (type == OpCode.CREATE_SESSION) {
                timeout = in.readInt();
            } else if (type != OpCode.CLOSE_SESSION) {
                if (!RequestPrep.isWrite(type)) {
                    throw new IllegalArgumentException("op " + type + " is not a write");
                }
                body = Requests.decodeRequest(type, in);
            }
        } catch (RuntimeException e) {
            out.add(new Trace("server " + fromSid + " forwarded a request that does not decode, ignored: " + e));
            return;
        }
        if (type == OpCode.CREATE_SESSION) {
            if (sessions.contains(sessionId) || proposedSessions.containsKey(sessionId)) {
                return; // forwarded twice; the first answers it
            }
            int t = Math.max(config.minSessionTimeoutMs(), Math.min(config.maxSessionTimeoutMs(), timeout));
            owners.put(sessionId, fromSid);
            long zxid = nextZxid();
            Txn txn = new Txn.CreateSession(sessionId, t, passwordFor(sessionId));
            submit(new TxnEnvelope(zxid, sessionId, cxid, wallMs, txn), null, -1, OpCode.CREATE_SESSION, null);
            return;
        }
        Session s = sessions.get(sessionId);
        if (type == OpCode.CLOSE_SESSION) {
            if (s != null && !s.closing()) {
                closeSession(s, -1, cxid);
            } else if (s == null && proposedSessions.remove(sessionId) != null) {
                // Created (proposed) but not applied here yet: closed right behind its creation.
                long zxid = nextZxid();
                closeProposed.add(sessionId);
                submit(new TxnEnvelope(zxid, sessionId, cxid, wallMs, prep.prepareCloseSession(zxid, sessionId)),
                        null, -1, OpCode.CLOSE_SESSION, null);
            }
            return;
        }
        long zxid = nextZxid();
        Txn txn;
        boolean live = s != null ? !s.closing() : proposedSessions.containsKey(sessionId);
        if (!live) {
            txn = new Txn.Error(Code.SESSION_EXPIRED);
        } else if (ownedElsewhere(sessionId, fromSid)) {
            txn = new Txn.Error(Code.SESSION_MOVED); // its client went to another server since it sent this
        } else {
            if (s != null) {
                sessions.touch(s, nowMs);
            }
            List<Id> auth = packet.authinfo() == null ? List.of() : packet.authinfo();
            boolean isSuper = auth.stream().anyMatch(id -> "super".equals(id.scheme()));
            try {
                txn = prep.prepare(zxid, wallMs, new Caller(sessionId, auth, isSuper), type, body);
            } catch (RuntimeException e) {
                out.add(new Trace("a request forwarded by server " + fromSid + " failed in the core: " + e));
                txn = new Txn.Error(Code.SYSTEM_ERROR);
            }
        }
        submit(new TxnEnvelope(zxid, sessionId, cxid, wallMs, txn), null, -1, type, null);
    }

    /**
     * Transactions applied since this replica was made, recovery's replay included: what the
     * snapshot schedule counts (zxids cannot be subtracted across epochs, and a sync applies many
     * epochs' transactions at once).
     */
    public long appliedTransactions() {
        return appliedTransactions;
    }

    /** This server's quorum peer, or null when standalone. Read it on the thread that steps the replica. */
    public QuorumPeerCore peer() {
        return peer;
    }

    // ------------------------------------------------------------------ connections

    /**
     * Whether a client that has seen {@code zxid} sees nothing older here although our applied
     * zxid is below it: an epoch's start (e:0) names no transaction, only the state committed before
     * epoch e (a ZooKeeper server answers with it after an election, before its first write), which
     * a server synced with a leader of epoch e or later holds. Without this, a client that read
     * from a ZooKeeper server just after an election could reconnect to no Paddock server until the
     * next write.
     */
    private boolean holdsEpochStart(long zxid) {
        return LearnerHandshake.isEpochStart(zxid) && serving && peer != null
                && peer.establishedEpoch() >= LearnerHandshake.epochOf(zxid);
    }

    private void onConnect(ClientConnected c) {
        ConnectRequest req = c.request();
        if (!serving && req.sessionId() == 0) {
            hold(c, c.connId()); // a new session needs a leader
            return;
        }
        ClientConnection conn = new ClientConnection(c.connId(), c.remoteIp(), c.transportIds());
        connections.put(c.connId(), conn);
        if (req.lastZxidSeen() > lastAppliedZxid && !holdsEpochStart(req.lastZxidSeen())) {
            // No answer, as ZooKeeper: a "session expired" reply would make the client give up
            // its session, when it should just try a server that is not behind.
            dropConnection(conn.connId, "client has seen zxid 0x" + Long.toHexString(req.lastZxidSeen())
                    + " but this server's last zxid is 0x" + Long.toHexString(lastAppliedZxid));
            return;
        }
        int timeoutMs = sessionTimeoutFor(req);
        if (req.sessionId() == 0) {
            long sessionId = nextSessionId++;
            conn.sessionId = sessionId;
            if (!proposes()) {
                forwards.forward(conn, 0, OpCode.CREATE_SESSION, null, req, lastZxid, out);
                return;
            }
            if (peer != null) {
                owners.put(sessionId, peer.sid());
            }
            long zxid = nextZxid();
            Txn txn = new Txn.CreateSession(sessionId, timeoutMs, passwordFor(sessionId));
            TxnEnvelope env = new TxnEnvelope(zxid, sessionId, 0, wallMs, txn);
            submit(env, conn, conn.connId, OpCode.CREATE_SESSION, req);
            return;
        }
        Session s = sessions.get(req.sessionId());
        boolean confirmed = revalidated.remove(c.connId());
        if (peer != null && !MessageDigest.isEqual(passwordFor(req.sessionId()), req.passwd())) {
            // An ensemble's passwords come from the session id (ZooKeeper's reopenSession checks them
            // before it asks the leader): a wrong one must not reach the leader, which would take this
            // server as the session's owner and turn the real client's writes into SESSIONMOVED.
            refuse(conn, "wrong password for session 0x" + Long.toHexString(req.sessionId()), req);
            return;
        }
        if (!proposes() && (s == null || s.closing() || !confirmed)) {
            // This learner may not have applied the session's creation (or close) yet: the leader
            // decides. And every session that comes back goes through it (ZooKeeper's learners send
            // REVALIDATE for each): the leader takes this server as the session's owner, and a
            // ZooKeeper leader answers a moved session's writes from its new server with SESSIONMOVED
            // until then. Without a leader the handshake is closed unanswered, as a ZooKeeper server
            // without a leader does: the session may have expired, or been closed, through the others
            // while this server was cut off (a client told "connected" would trust ephemerals, a
            // lock, that are gone), and a handshake held until the next leader would revalidate late,
            // after the client went on elsewhere: the leader would take this server for the owner,
            // and a request held behind it would take effect after the client's later writes. The
            // client tries another server, or this one again.
            if (!serving) {
                dropConnection(c.connId(), "session 0x" + Long.toHexString(req.sessionId())
                        + " comes back while this server has no leader to confirm it");
                return;
            }
            connections.remove(c.connId());
            boolean asked = revalidating.containsKey(req.sessionId());
            revalidating.computeIfAbsent(req.sessionId(), k -> new ArrayList<>()).add(c);
            parked.put(c.connId(), new ArrayList<>());
            if (!asked) {
                out.add(new Effect.Peer(new PeerEffect.SendQuorum(leaderSid(),
                        Revalidate.ask(req.sessionId(), sessionTimeoutFor(req)))));
            }
            return;
        }
        if (s == null && proposes() && proposedSessions.containsKey(req.sessionId())) {
            // A leader that has not applied the session's creation yet (a guard: it applies each
            // commit in the step that makes it): it waits for it.
            connections.remove(c.connId());
            awaitingSession.computeIfAbsent(req.sessionId(), k -> new ArrayList<>()).add(c);
            parked.put(c.connId(), new ArrayList<>());
            return;
        }
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
        dropOlderHandshakes(s.id(), conn.connId);
        conn.sessionId = s.id();
        sessions.attach(s, conn.connId);
        if (peer != null && proposes()) {
            owners.put(s.id(), peer.sid()); // its client is here now
        }
        touchSession(s);
        out.add(new ConnectReply(conn.connId, ConnectResponse.answering(req, PROTOCOL_VERSION,
                s.timeoutMs(), s.id(), s.passwd(), false)));
    }

    /**
     * The session's client is on {@code keepConnId} now: an older handshake of the same session still
     * waiting here (held without a leader, or for the leader's REVALIDATE or its creation) belongs to
     * a connection the client has left. It is closed: going on later, it would take the session back
     * from the client's current server (REVALIDATE makes its server the owner), and the requests the
     * client sent since would meet SESSIONMOVED while the ones parked behind that old handshake took
     * effect after them (simulator seed 1700719). Older means accepted earlier: connection ids grow
     * as connections are accepted (the shell's counter, and the simulator's); a newer handshake still
     * waiting is the client's current one and stays (it takes the session when it goes on).
     */
    private void dropOlderHandshakes(long sessionId, long keepConnId) {
        List<Long> older = new ArrayList<>();
        for (Event e : held) {
            if (e instanceof ClientConnected c && c.request().sessionId() == sessionId && c.connId() < keepConnId) {
                older.add(c.connId());
            }
        }
        for (Map<Long, List<ClientConnected>> waiting : List.of(revalidating, awaitingSession)) {
            List<ClientConnected> list = waiting.get(sessionId);
            if (list != null) {
                for (ClientConnected c : list) {
                    if (c.connId() < keepConnId) {
                        older.add(c.connId());
                    }
                }
            }
        }
        for (long connId : older) {
            out.add(new CloseClient(connId, "session 0x" + Long.toHexString(sessionId) + " moved to another connection"));
            forget(connId);
        }
    }

    /** The leader's answer for a session this learner did not know: refuse, or wait until it is applied here. */
    private void onRevalidated(long sessionId, boolean valid) {
        List<ClientConnected> waiting = revalidating.remove(sessionId);
        if (waiting == null) {
            return;
        }
        if (valid && !sessions.contains(sessionId)) {
            waiting.forEach(c -> revalidated.add(c.connId()));
            awaitingSession.computeIfAbsent(sessionId, k -> new ArrayList<>()).addAll(waiting);
            return;
        }
        for (ClientConnected c : waiting) {
            if (valid) {
                revalidated.add(c.connId());
                connectParked(c);
            } else {
                parked.remove(c.connId());
                ClientConnection conn = new ClientConnection(c.connId(), c.remoteIp(), c.transportIds());
                connections.put(c.connId(), conn);
                refuse(conn, "session 0x" + Long.toHexString(sessionId) + " has expired (its leader says)", c.request());
            }
        }
    }

    /** Completes a handshake that waited for its session, then the requests that came behind it. */
    private void connectParked(ClientConnected c) {
        onConnect(c);
        List<ClientRequest> early = parked.remove(c.connId());
        if (early != null && connections.containsKey(c.connId())) {
            early.forEach(this::onRequest);
        }
    }

    /** Closes the connections an ensemble member without a leader has held past their bound. */
    private void closeLongHeld() {
        long without = nowMs - noLeaderSinceMs;
        List<Long> expired = new ArrayList<>();
        for (ClientConnection conn : connections.values()) {
            int timeout = sessionTimeoutOf(conn.connId);
            if (timeout == 0 && conn.queue.peek() instanceof ClientConnection.QueuedForward f && f.connect() != null) {
                timeout = sessionTimeoutFor(f.connect()); // its createSession went to a leader that was lost
            }
            if (timeout > 0 && without > timeout / HOLD_TIMEOUT_DIVISOR) {
                expired.add(conn.connId);
            }
        }
        for (Event e : held) {
            if (e instanceof ClientConnected c && without > sessionTimeoutFor(c.request()) / HOLD_TIMEOUT_DIVISOR) {
                expired.add(c.connId());
            }
        }
        if (expired.isEmpty()) {
            return;
        }
        held.removeIf(e -> e instanceof ClientConnected c ? expired.contains(c.connId())
                : e instanceof ClientRequest r && expired.contains(r.connId()));
        for (long connId : expired) {
            out.add(new CloseClient(connId, "no leader for " + without + " ms; the client should try another server"));
            forget(connId);
        }
    }

    /** Answers an invalid handshake the way clients recognise as "session expired", then closes. */
    private void refuse(ClientConnection conn, String reason, ConnectRequest req) {
        out.add(new ConnectReply(conn.connId, ConnectResponse.answering(req, PROTOCOL_VERSION, 0, 0,
                new byte[PASSWORD_BYTES], false)));
        dropConnection(conn.connId, reason);
    }

    /**
     * Whether a write of {@code sessionId} from server {@code sid} comes from a server that is not the
     * session's owner (ZooKeeper's checkSession); the first server to speak for a session in a
     * leadership owns it from then on.
     */
    private boolean ownedElsewhere(long sessionId, long sid) {
        return owners.computeIfAbsent(sessionId, k -> sid) != sid;
    }

    /**
     * Whether the leader answered this write SESSIONMOVED: an error transaction of that code, or a
     * multi whose operations carry it (a ZooKeeper leader checks the session for each operation).
     */
    private static boolean sessionMoved(TxnEnvelope env) {
        return env.txn() instanceof Txn.Error err ? err.code() == Code.SESSION_MOVED
                : env.txn() instanceof Txn.MultiError multi && multi.errors().contains(Code.SESSION_MOVED);
    }

    /**
     * A committed write of a session whose client is connected here, sent through another server
     * with a higher xid than a request this connection still has on its way (forwarded, or held
     * without a leader): the client left this connection and went on elsewhere, so that request
     * must not be sent or resent to a leader now, where it would take effect after the later one
     * (a new leader knows no owner yet). The connection is closed, as for SESSIONMOVED.
     */
    private void dropIfMovedAway(TxnEnvelope env) {
        if (env.sessionId() == 0 || env.cxid() <= 0 || env.txn() instanceof Txn.CreateSession
                || env.txn() instanceof Txn.CloseSession || sessionMoved(env)) {
            return;
        }
        Session s = sessions.get(env.sessionId());
        ClientConnection mine = s == null ? null : connections.get(s.connectionId());
        if (mine == null || mine.sessionId != env.sessionId()) {
            return;
        }
        // This write (from elsewhere) may have been sent after a request still on its way here: when
        // the leader prepared it after this server had taken that request from its client (its zxid
        // above what this server had logged then, however long the request was held without a
        // leader before it was sent), or, for a client whose xids keep increasing, when its xid is
        // higher. A client that starts its xids again on each connection (kazoo; seen here as a
        // session whose applied xids went down) says nothing by its xids. When in doubt the
        // connection is closed: one more reconnection, never a write out of the order sent.
        boolean xidsSayOrder = !restartingXids.contains(env.sessionId());
        boolean earlierOnItsWay = false;
        for (ClientConnection.Queued q : mine.queue) {
            earlierOnItsWay |= q instanceof ClientConnection.QueuedForward f && f.xid() > 0
                    && (f.takenAtZxid() < env.zxid() || (xidsSayOrder && f.xid() < env.cxid()));
        }
        Long heldSince = heldSinceZxid.get(mine.connId);
        for (Event e : held) {
            earlierOnItsWay |= e instanceof ClientRequest r && r.connId() == mine.connId && r.xid() > 0
                    && ((heldSince != null && heldSince < env.zxid()) || (xidsSayOrder && r.xid() < env.cxid()));
        }
        if (earlierOnItsWay) {
            dropMoved(mine.connId, env.sessionId());
        }
    }

    /**
     * Whether {@code env} is the oldest write this server forwarded for its session on a connection
     * since closed (taken off the list if so): its own, nobody's to answer. ZooKeeper's followers keep
     * such a request in the session's queue of pending ones, ahead of its later connections'.
     */
    private boolean isOrphanForward(TxnEnvelope env) {
        if (orphanForwards.isEmpty() || env.sessionId() == 0 || env.cxid() <= 0) {
            return false;
        }
        ArrayDeque<Long> orphans = orphanForwards.get(env.sessionId());
        if (orphans == null) {
            return false;
        }
        // A write forwarded to the leader of epoch e is proposed in epoch e; once a later epoch's
        // transaction is applied, one not applied yet is lost with that leader.
        long epoch = env.zxid() >>> 32;
        while (!orphans.isEmpty() && (orphans.peekFirst() >>> 32) < epoch) {
            orphans.pollFirst();
        }
        boolean mine = !orphans.isEmpty() && orphans.peekFirst() == orphanOf(epoch, env.cxid());
        if (mine) {
            orphans.pollFirst();
        }
        if (orphans.isEmpty()) {
            orphanForwards.remove(env.sessionId());
        }
        return mine;
    }

    /** An orphan forward: the epoch it went to the leader in, and its xid. */
    private static long orphanOf(long epoch, int xid) {
        return epoch << 32 | (xid & 0xffffffffL);
    }

    /**
     * A write the leader answered SESSIONMOVED (its session's owner is another server): as ZooKeeper
     * does (ZOOKEEPER-710), the connection is closed rather than answered. A client still on it comes
     * back, its server confirms the session with the leader (REVALIDATE), and owns it again.
     */
    private void dropMoved(long connId, long sessionId) {
        dropConnection(connId, "session 0x" + Long.toHexString(sessionId) + " moved to another server (SESSIONMOVED)");
    }

    private void dropConnection(long connId, String reason) {
        out.add(new CloseClient(connId, reason));
        forget(connId);
    }

    private void onClosed(long connId) {
        forget(connId);
    }

    private void forget(long connId) {
        revalidated.remove(connId);
        heldSinceZxid.remove(connId);
        inFlight.forget(connId);
        forwards.forget(connId);
        if (parked.remove(connId) != null) {
            for (Map<Long, List<ClientConnected>> waiting : List.of(revalidating, awaitingSession)) {
                waiting.values().forEach(list -> list.removeIf(c -> c.connId() == connId));
            }
        }
        if (!held.isEmpty()) {
            held.removeIf(e -> e instanceof ClientConnected c ? c.connId() == connId
                    : e instanceof ClientRequest r && r.connId() == connId);
        }
        ClientConnection conn = connections.remove(connId);
        if (conn == null) {
            return;
        }
        Session live = conn.sessionId == 0 ? null : sessions.get(conn.sessionId);
        for (ClientConnection.Queued q : conn.queue) {
            // Not for a session closed or closing: no later write of it can be mistaken, and the list
            // would outlive it (its close was applied already).
            if (q instanceof ClientConnection.QueuedForward f && f.xid() > 0 && f.connect() == null && live != null
                    && !live.closing()) {
                ArrayDeque<Long> orphans = orphanForwards.computeIfAbsent(conn.sessionId, k -> new ArrayDeque<>());
                if (orphans.size() >= ORPHANS_PER_SESSION_MAX) {
                    orphans.pollFirst();
                }
                // The epoch it last went to (a connection closed while a sync's commits are applied,
                // dropIfMovedAway's, is closed after this server began serving the next epoch).
                orphans.addLast(orphanOf(f.lastSentEpoch(), f.xid()));
            }
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
            List<ClientRequest> early = parked.get(r.connId());
            if (early != null) {
                early.add(r); // its handshake waits for its session
            } else if (!serving
                    && held.stream().anyMatch(e -> e instanceof ClientConnected c && c.connId() == r.connId())) {
                hold(r, r.connId()); // its handshake is held too
            }
            return;
        }
        if (!serving) {
            if (r.opCode() == OpCode.PING && !unauthenticated(conn, r.opCode())) {
                // Answered at once even ahead of held requests: clients match a ping's reply by its
                // xid (-2), not by order, and an unanswered ping would make them give up the connection.
                // (Not where authentication is required and missing: held, then refused in order,
                // behind any SASL step held before it that may authenticate the connection.)
                out.add(new Reply(conn.connId, r.xid(), lastAppliedZxid, Code.OK, null));
            } else {
                hold(r, r.connId());
            }
            return;
        }
        if (unauthenticated(conn, r.opCode())) {
            // ZooKeeper's AuthenticationHelper.enforceAuthentication, before the request touches
            // the session: answered, then the connection (not the session) is closed.
            out.add(new Reply(conn.connId, r.xid(), 0, Code.SESSION_CLOSED_REQUIRE_SASL_AUTH, null));
            dropConnection(conn.connId, "it is not authenticated with any of " + config.requiredAuthSchemes()
                    + " (enforce.auth.schemes)");
            return;
        }
        Session s = sessions.get(conn.sessionId);
        if (s != null) {
            if (s.closing()) {
                // Dropped unanswered, as ZooKeeper does: an immediate error would overtake the
                // replies to this connection's earlier requests; the connection closes soon.
                return;
            }
            touchSession(s);
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
                } else if (!proposes()) {
                    forwards.forward(conn, r.xid(), OpCode.CLOSE_SESSION, null, null, takenAtZxid(conn.connId), out);
                } else {
                    closeSession(s, conn.connId, r.xid());
                }
            }
            case OpCode.SASL -> {
                if (r.body() instanceof SaslStep step) {
                    saslStep(conn, r.xid(), step);
                } else if (((GetSASLRequest) r.body()).token() == null) {
                    // ZooKeeper closes the connection unanswered on a null token.
                    dropConnection(conn.connId, "sasl request without a token");
                } else {
                    // No SASL configured in the shell: ZooKeeper's answer where it has no SASL
                    // login (its connection's SaslServer is null), OK and no token. The Java client
                    // then fails its exchange (AuthFailed); others go on unauthenticated.
                    answerInOrder(conn, r.xid(), r.opCode(), SaslStep.next(null));
                }
            }
            case OpCode.RECONFIG -> answerInOrder(conn, r.xid(), r.opCode(), null);
            default -> {
                int refusal = RequestPrep.isWrite(r.opCode())
                        ? RequestPrep.refusalBeforeTxn(r.opCode(), r.body()) : Code.OK;
                if (refusal != Code.OK) {
                    answerInOrder(conn, r.xid(), r.opCode(), new Refused(refusal));
                } else if (r.opCode() == OpCode.SYNC && !proposes()) {
                    forwards.sendSync(conn, r, out);
                } else if (r.opCode() == OpCode.SYNC && peer != null && peer.role() instanceof LeaderRole leader) {
                    // The sync waits until what the leader committed is applied here (at once, as a
                    // member applies each commit as it is made).
                    ClientConnection.PendingSync ps = new ClientConnection.PendingSync(r.xid(), r.body());
                    ps.readyAtZxid = leader.lastCommitted();
                    conn.queue.add(ps);
                    forwards.syncReady(conn.connId);
                    forwards.answerReadySyncs(out);
                } else if (RequestPrep.isWrite(r.opCode()) && !proposes()) {
                    forwards.forward(conn, r.xid(), r.opCode(), r.body(), null, takenAtZxid(conn.connId), out);
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
        long zxid = nextZxid();
        Txn txn = peer != null && ownedElsewhere(conn.sessionId, peer.sid())
                ? new Txn.Error(Code.SESSION_MOVED) // its client went to another server since it sent this
                : prep.prepare(zxid, wallMs, conn.caller(), r.opCode(), r.body());
        submit(new TxnEnvelope(zxid, conn.sessionId, r.xid(), wallMs, txn), conn, conn.connId, r.opCode(), null);
    }

    private void closeSession(Session s, long connId, int xid) {
        long zxid = nextZxid();
        Txn txn = prep.prepareCloseSession(zxid, s.id());
        sessions.markClosing(s);
        submit(new TxnEnvelope(zxid, s.id(), xid, wallMs, txn), connections.get(connId), connId,
                OpCode.CLOSE_SESSION, null);
    }

    /**
     * Hands a prepared transaction to the disk. It waits, in zxid order, until it is durable;
     * {@code conn} (null for none) answers nothing behind it before that.
     */
    private void submit(TxnEnvelope env, ClientConnection conn, long connId, int opCode, ConnectRequest connect) {
        byte[] proposal = null;
        TxnDigest digest = proposalDigest(env);
        if (peer != null) {
            try {
                proposal = ProposalCodec.encode(env, digest);
            } catch (IllegalArgumentException e) {
                // ZooKeeper's bytes cannot carry it (a bug in request preparation): the write fails
                // as a transaction, like any failed write, so every server agrees on it.
                out.add(new Trace("zxid 0x" + Long.toHexString(env.zxid()) + " cannot be proposed (" + e.getMessage()
                        + "); it becomes a SYSTEMERROR"));
                env = new TxnEnvelope(env.zxid(), env.sessionId(), env.cxid(), env.timeMs(),
                        new Txn.Error(Code.SYSTEM_ERROR));
                digest = null;
                proposal = ProposalCodec.encode(env);
            }
        }
        QueuedWrite last = awaiting.peekLast();
        if (last != null && last.zxid() >= env.zxid()) {
            throw new IllegalStateException("zxid 0x" + Long.toHexString(env.zxid())
                    + " prepared after 0x" + Long.toHexString(last.zxid()));
        }
        QueuedWrite write = new QueuedWrite(env, connId, opCode, connect, digest);
        if (conn != null) {
            conn.queue.add(write);
        }
        awaiting.addLast(write);
        lastZxid = env.zxid();
        if (peer != null && env.txn() instanceof Txn.CreateSession created) {
            proposedSessions.put(created.sessionId(), created.timeoutMs());
        }
        out.add(new AppendLog(env));
        if (peer != null) {
            stepPeer(new PeerEvent.Propose(env, proposal));
        }
    }

    /**
     * The TxnDigest a ZooKeeper 3.9 leader sends with {@code env}: the tree digest once every
     * prepared transaction (this one last) is applied; none for a write that failed on its own
     * ({@code error}), as ZooKeeper's PrepRequestProcessor sets none there.
     */
    private TxnDigest proposalDigest(TxnEnvelope env) {
        return env.txn() instanceof Txn.Error ? null : new TxnDigest(NodeDigest.VERSION, prep.treeDigest());
    }

    /**
     * After applying a transaction whose proposal carried a digest: a tree whose digest differs
     * from the leader's (or, on the leader, from what it prepared) has diverged somewhere. As
     * ZooKeeper's {@code DataTree.compareDigest}, it is counted (mntr's digest_mismatches_count)
     * and logged, and the server goes on; a digest of another version is not compared. A tree
     * that diverged mismatches on every write, so the WARN line comes at most once per
     * {@value #DIGEST_WARN_INTERVAL_MS} ms (ZooKeeper rate-limits it too), with the count so far.
     */
    private void compareDigest(TxnEnvelope env, TxnDigest expected) {
        if (expected == null || expected.version() != NodeDigest.VERSION || expected.treeDigest() == tree.treeDigest()) {
            return;
        }
        digestMismatches++;
        if (digestWarned && nowMs - lastDigestWarnMs < DIGEST_WARN_INTERVAL_MS) {
            return;
        }
        digestWarned = true;
        lastDigestWarnMs = nowMs;
        out.add(new Trace("digest mismatch at zxid 0x" + Long.toHexString(env.zxid()) + ": the proposal says 0x"
                + Long.toHexString(expected.treeDigest()) + ", this tree's is 0x" + Long.toHexString(tree.treeDigest())
                + " (" + digestMismatches + " mismatches so far)", true));
    }

    private static final long DIGEST_WARN_INTERVAL_MS = 1_000;
    private boolean digestWarned;
    private long lastDigestWarnMs;

    /** Transactions applied with a digest other than this tree's (ZooKeeper's digest_mismatches_count). */
    public long digestMismatches() {
        return digestMismatches;
    }

    private long digestMismatches;
    /**
     * Transactions up to this zxid are applied as replays ({@link TxnApplier#replay}), which
     * tolerate a tree that holds them already, in part or whole: those a leader proposed while it
     * serialized the snapshot this server installed (ZooKeeper's leaders snapshot while they
     * apply), and an ensemble member's history recovered from its log at start-up (its snapshot
     * may be such a one, or one of its own taken before such a replay was over). ZooKeeper replays
     * its log over its snapshot the same way. On a tree that holds none of them a replay is the
     * plain apply; a replay that some client waits for is applied plainly. 0 when none.
     */
    private long replayUpToZxid;
    /**
     * Simulation only ({@link #emulateFuzzySnapshots}): how many of the last applied transactions a
     * leader's SNAP leaves out of the zxid it names though its tree holds them; 0 in a server.
     */
    private int fuzzySnapshotTxns;

    /**
     * Simulation only: this replica, leading, sends fuzzy snapshots as a ZooKeeper leader does, a
     * SNAP naming a zxid up to {@code txns} applied transactions before what its tree holds, and
     * those transactions after it; the learner must replay them over a tree that holds them.
     */
    public void emulateFuzzySnapshots(int txns) {
        if (txns < 0) {
            throw new IllegalArgumentException("txns must be >= 0: " + txns);
        }
        this.fuzzySnapshotTxns = txns;
    }


    /** The tree digests of the {@code hash} word: see {@link DigestLog}. */
    public DigestLog digestLog() {
        return digestLog;
    }

    private final DigestLog digestLog = new DigestLog();

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

    /** Authentication is required (enforce.auth.schemes) and {@code conn} lacks it; auth and sasl are exempt. */
    private boolean unauthenticated(ClientConnection conn, int opCode) {
        return !config.requiredAuthSchemes().isEmpty() && opCode != OpCode.AUTH && opCode != OpCode.SASL
                && !hasRequiredAuth(conn);
    }

    private boolean hasRequiredAuth(ClientConnection conn) {
        for (int i = 0; i < conn.authIds.size(); i++) {
            if (config.requiredAuthSchemes().contains(conn.authIds.get(i).scheme())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A SASL token the shell evaluated. As ZooKeeper's processSasl: a proven id is added at once
     * (with super for a {@code zookeeper.superUser} name) and the token answered in order; a
     * failed exchange is answered at once with its error and no token, and the connection closed
     * (the session lives on, as after a failed auth packet).
     */
    private void saslStep(ClientConnection conn, int xid, SaslStep step) {
        if (step.err() != Code.OK) {
            out.add(new Reply(conn.connId, xid, 0, step.err(), new SetSASLResponse(null)));
            dropConnection(conn.connId, "SASL authentication failed");
            return;
        }
        if (step.authorizedId() != null) {
            conn.addAuthId(new Id(AclCheck.SASL, step.authorizedId()));
            if (step.superUser()) {
                conn.addAuthId(new Id(AclCheck.SUPER, ""));
            }
            out.add(new Trace("session 0x" + Long.toHexString(conn.sessionId) + ": SASL authenticated as "
                    + step.authorizedId() + (step.superUser() ? " (super user)" : "")));
        }
        answerInOrder(conn, xid, OpCode.SASL, step);
    }

    /** Answers now when nothing of this connection is in flight, else after what is. */
    private void answerInOrder(ClientConnection conn, int xid, int opCode, JuteRecord body) {
        if (conn.queue.isEmpty()) {
            answerRead(conn, xid, opCode, body, conn.authIds);
        } else {
            conn.queue.add(new ClientConnection.QueuedRead(xid, opCode, body, conn.authIds));
        }
    }

    /** Answers one read, now or from the queue; a read that throws fails only its connection. */
    private void answerRead(ClientConnection conn, int xid, int opCode, JuteRecord body, List<Id> authIds) {
        try {
            answerReadUnguarded(conn, xid, opCode, body, authIds);
        } catch (RuntimeException e) {
            failRequest(conn, xid, opCode, e, true);
        }
    }

    /**
     * A write refused before it became a transaction: answered in order, like a read, with no
     * zxid of its own. Never written to the wire.
     */
    private record Refused(int err) implements JuteRecord {
        /** Never sent: written only where what it weighs is asked ({@link HeldEvents#weigh}). */
        @Override
        public void write(JuteWriter out) {
            out.writeInt(err);
        }
    }

    /** {@code authIds}: the ids the read came with, which it is judged by. */
    private void answerReadUnguarded(ClientConnection conn, int xid, int opCode, JuteRecord body, List<Id> authIds) {
        if (body instanceof Refused refused) {
            out.add(new Reply(conn.connId, xid, lastAppliedZxid, refused.err(), null));
            return;
        }
        switch (opCode) {
            case OpCode.AUTH -> out.add(new Reply(conn.connId, xid, 0, Code.OK, null));
            case OpCode.RECONFIG -> out.add(new Reply(conn.connId, xid, lastAppliedZxid, Code.RECONFIG_DISABLED, null));
            // zxid 0 in the header, as ZooKeeper's processSasl writes it.
            case OpCode.SASL -> out.add(new Reply(conn.connId, xid, 0, Code.OK,
                    new SetSASLResponse(((SaslStep) body).challenge())));
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
                ReadHandler.Answer a = reads.answer(conn, authIds, opCode, body);
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

    private void onLogAppended(long zxid) {
        long durable = Math.min(zxid, lastZxid);
        if (durable <= durableZxid) {
            return;
        }
        durableZxid = durable;
        applyReady();
        if (peer != null) {
            stepPeer(new PeerEvent.LogDurable(durableZxid));
        }
    }

    /**
     * Applies, in order, every transaction of the history that is ready. Standalone, a
     * transaction is ready once durable. In an ensemble, once committed, even if this server's own
     * log has not synced it yet, as ZooKeeper's servers apply a COMMIT: a commit means a quorum
     * holds it durably, so every later leader has it and no leader truncates it; what this
     * server's disk might lose in a crash it gets back from its leader before it serves again (and
     * a client that saw it is refused until then, by its last zxid seen). Waiting for our own sync
     * as well would put the slower of two syncs, not the quorum's, under every client's reply.
     */
    private void applyReady() {
        long ready = ensembleMember ? committedZxid : Math.min(durableZxid, committedZxid);
        while (!awaiting.isEmpty() && awaiting.peekFirst().zxid() <= ready) {
            applyDurable(awaiting.pollFirst());
        }
        forwards.answerReadySyncs(out);
    }

    private void applyDurable(QueuedWrite a) {
        forwards.answerReadySyncs(out); // a sync answered by what is applied already goes before this txn's reply
        TxnEnvelope env = a.txn();
        long closingConnection = Session.NO_CONNECTION;
        if (env.txn() instanceof Txn.CloseSession close) {
            Session s = sessions.get(close.sessionId());
            closingConnection = s == null ? Session.NO_CONNECTION : s.connectionId();
        }
        // A write this server forwarded on a connection since closed comes before any of the
        // session's later ones (one quorum connection, in order), whatever its xid.
        boolean orphan = a.connId() == -1 && isOrphanForward(env);
        ClientConnection forwarder = !orphan && a.connId() == -1 && env.sessionId() != 0 ? forwards.forwarderOf(env) : null;
        ClientConnection.QueuedForward forward = forwarder == null ? null
                : (ClientConnection.QueuedForward) forwarder.queue.peek();
        TxnApplier.Outcome outcome;
        boolean replayed = env.zxid() <= replayUpToZxid && forward == null && a.connId() == -1;
        if (replayed) {
            // The tree may hold it already (see replayUpToZxid), and its digest is the leader's tree
            // at its zxid, which ours reaches only once the replay is over (ZooKeeper compares none then).
            outcome = applier.replay(env);
        } else {
            outcome = applier.apply(env, forward != null ? forward.opCode() : a.opCode());
            compareDigest(env, a.digest());
        }
        // What a replay leaves may not be the leader's tree at this zxid yet: its digest is the
        // leader's, when the proposal carried one, or none.
        TxnDigest replayedDigest = replayed ? a.digest() : null;
        if (!replayed) {
            digestLog.applied(env.zxid(), tree.treeDigest());
        } else if (replayedDigest != null) {
            digestLog.applied(env.zxid(), replayedDigest.treeDigest());
        }
        if (env.txn() instanceof Txn.CreateSession created) {
            proposedSessions.remove(created.sessionId());
            Session made = sessions.get(created.sessionId());
            if (made != null) {
                // Its timeout runs from now, not from the txn's time: a new leader applies the history
                // it recovered after it was established, and a session created long ago would expire
                // at once although no leader ever gave it its timeout (the simulator's expiry check).
                sessions.touch(made, nowMs);
            }
            if (made != null && closeProposed.contains(created.sessionId())) {
                sessions.markClosing(made);
            }
        } else if (env.txn() instanceof Txn.CloseSession closed) {
            closeProposed.remove(closed.sessionId());
            owners.remove(closed.sessionId());
            orphanForwards.remove(closed.sessionId());
            lastXidApplied.remove(closed.sessionId());
            restartingXids.remove(closed.sessionId());
        } else if (env.sessionId() != 0 && env.cxid() > 0 && !sessionMoved(env)
                && !(env.txn() instanceof Txn.Error err && err.code() == Code.SESSION_EXPIRED)) {
            Integer previous = lastXidApplied.put(env.sessionId(), env.cxid());
            if (previous != null && env.cxid() < previous) {
                restartingXids.add(env.sessionId());
            }
        }
        lastAppliedZxid = env.zxid();
        appliedTransactions++;
        pending.applied(env.zxid());
        remember(env, replayed, replayedDigest);
        deliver(outcome.fired());
        if (forward != null && connections.containsKey(forwarder.connId)) {
            answerForward(forwarder, forward, env, outcome);
        }
        if (env.txn() instanceof Txn.CreateSession created && !awaitingSession.isEmpty()) {
            List<ClientConnected> waiting = awaitingSession.remove(created.sessionId());
            if (waiting != null) {
                waiting.forEach(this::connectParked);
            }
        }
        ClientConnection conn = connections.get(a.connId());
        if (conn != null) {
            if (a.opCode() == OpCode.CREATE_SESSION) {
                Session s = sessions.get(env.sessionId());
                sessions.attach(s, conn.connId);
                out.add(new ConnectReply(conn.connId, ConnectResponse.answering(a.connect(), PROTOCOL_VERSION,
                        s.timeoutMs(), s.id(), s.passwd(), false)));
            } else if (!sessionMoved(env)) {
                out.add(new Reply(conn.connId, env.cxid(), env.zxid(), outcome.err(), outcome.body()));
            }
            if (sessionMoved(env)) {
                conn.queue.poll(); // nothing behind it is answered: the connection closes
                dropMoved(conn.connId, env.sessionId());
            } else {
                finishWrite(conn, a);
            }
        } else if (forward == null && !orphan) {
            dropIfMovedAway(env); // sync's transactions too: they come as replays
        }
        if (closingConnection != Session.NO_CONNECTION && connections.containsKey(closingConnection)) {
            dropConnection(closingConnection, "session 0x" + Long.toHexString(env.sessionId()) + " closed");
        }
    }

    /** Keeps an applied transaction in the window a leader's DIFF reads. */
    /**
     * @param replayed env was applied as a replay: its digest is {@code replayedDigest}, the
     *     leader's (null: none known), not this tree's
     */
    private void remember(TxnEnvelope env, boolean replayed, TxnDigest replayedDigest) {
        if (peer == null && !ensembleMember) {
            windowBaseZxid = env.zxid();
            return;
        }
        recentApplied.addLast(env);
        if (!(env.txn() instanceof Txn.Error) && (!replayed || replayedDigest != null)) {
            recentDigests.put(env.zxid(), replayed ? replayedDigest : new TxnDigest(NodeDigest.VERSION, tree.treeDigest()));
        }
        if (recentApplied.size() > COMMIT_LOG_COUNT) {
            windowBaseZxid = recentApplied.pollFirst().zxid();
            recentDigests.remove(windowBaseZxid);
        }
    }

    private void answerForward(ClientConnection conn, ClientConnection.QueuedForward forward, TxnEnvelope env,
            TxnApplier.Outcome outcome) {
        if (forward.opCode() == OpCode.CREATE_SESSION) {
            Session s = sessions.get(env.sessionId());
            sessions.attach(s, conn.connId);
            out.add(new ConnectReply(conn.connId, ConnectResponse.answering(forward.connect(), PROTOCOL_VERSION,
                    s.timeoutMs(), s.id(), s.passwd(), false)));
        } else if (!sessionMoved(env)) {
            out.add(new Reply(conn.connId, env.cxid(), env.zxid(), outcome.err(), outcome.body()));
        }
        conn.queue.poll();
        if (sessionMoved(env)) {
            dropMoved(conn.connId, env.sessionId());
            return;
        }
        answerReadsBehind(conn);
        if (forward.opCode() == OpCode.CLOSE_SESSION && connections.containsKey(conn.connId)) {
            dropConnection(conn.connId, "session 0x" + Long.toHexString(env.sessionId()) + " closed");
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
        if (peer != null) {
            // A member's history is promised to its leader or learners; it cannot be handed out again.
            throw new IllegalStateException("the log failed at zxid 0x" + Long.toHexString(fromZxid) + " (" + reason
                    + "): an ensemble member stops and recovers from disk");
        }
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
                if (s != null && a.connId() == -1) {
                    closeUndone(s, "failed with the log"); // an expiry: the client asked for nothing
                } else if (s != null) {
                    sessions.unmarkClosing(s); // the client's own close: answered SYSTEMERROR below
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

    /**
     * A session's close that will not take effect: the session lives on. Its connection here is
     * closed, since requests sent on it while the session was closing were dropped unanswered (as
     * ZooKeeper drops them, and ZooKeeper closes every connection when its server stops leading): a
     * client kept on it would wait for those answers for ever. It comes back, to a live session.
     */
    private void closeUndone(Session s, String why) {
        sessions.unmarkClosing(s);
        long connId = s.connectionId();
        if (connId != Session.NO_CONNECTION && connections.containsKey(connId)) {
            dropConnection(connId, "the close of session 0x" + Long.toHexString(s.id()) + " " + why
                    + "; requests sent while it was closing were dropped");
        }
    }

    /** The write at the head of the connection's queue is answered; answer the reads behind it. */
    private void finishWrite(ClientConnection conn, QueuedWrite write) {
        ClientConnection.Queued head = conn.queue.poll();
        if (head != write) {
            throw new IllegalStateException("connection " + conn.connId + " answered zxid 0x"
                    + Long.toHexString(write.zxid()) + " out of order; queue head was " + head);
        }
        answerReadsBehind(conn);
    }

    /** Answers the reads queued behind a write that was just answered, up to the next write. */
    private void answerReadsBehind(ClientConnection conn) {
        while (conn.queue.peek() instanceof ClientConnection.QueuedRead read) {
            conn.queue.poll();
            answerRead(conn, read.xid(), read.opCode(), read.body(), read.authIds());
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
            if (!f.acl().isEmpty() && !AclCheck.permitted(f.acl(), Acl.READ, conn.authIds, conn.isSuper(), config.authSchemes())) {
                continue;
            }
            out.add(new Effect.Watch(conn.connId, f.zxid(),
                    new WatcherEvent(f.eventType(), KeeperState.SYNC_CONNECTED, f.path())));
        }
    }

    // ------------------------------------------------------------------ recovery

    /** Up to which zxid {@link #replay} tolerates what the tree holds already; 0: none. */
    private long tolerantReplayUpTo;

    /**
     * A standalone replica's {@link #replay} of transactions up to {@code zxid} tolerates what the
     * tree holds already, as ZooKeeper's replay of its log does ({@code processTxn}): the snapshot
     * recovery begins from may be one ZooKeeper took while it applied them (a ZooKeeper server's
     * data taken over, server.storage.ZooKeeperImport). Past it, over our own snapshots (never
     * fuzzy), a transaction that does not apply cleanly is a bug and throws. Before any replay.
     */
    public void tolerateReplayUpTo(long zxid) {
        tolerantReplayUpTo = zxid;
    }

    /**
     * Replays one durable transaction found in the log at start-up (after the snapshot, if any,
     * was loaded into {@link #tree()} and {@link #sessions()}). Nothing is answered: no client
     * is connected yet. Transactions must come in strictly increasing zxid order.
     */
    public void replay(TxnEnvelope env) {
        if (!connections.isEmpty() || peer != null || (!ensembleMember && !awaiting.isEmpty())) {
            throw new IllegalStateException("replay after serving started");
        }
        if (env.zxid() <= lastZxid) {
            throw new IllegalStateException("replay of zxid 0x" + Long.toHexString(env.zxid())
                    + " after 0x" + Long.toHexString(lastZxid));
        }
        lastZxid = env.zxid();
        if (ensembleMember) {
            // History, applied once committed; as a replay, since the snapshot recovery began from
            // may be one a leader sent, taken while it applied some of these (see replayUpToZxid).
            replayUpToZxid = env.zxid();
            awaiting.addLast(new QueuedWrite(env, -1, -1, null, null));
            return;
        }
        if (env.zxid() <= tolerantReplayUpTo) {
            // As ZooKeeper replays its log (processTxn): the snapshot recovery began from may be one
            // ZooKeeper took while it applied some of these (see tolerateReplayUpTo).
            applier.replay(env);
        } else {
            applier.apply(env, -1);
        }
        digestLog.applied(env.zxid(), tree.treeDigest());
        lastAppliedZxid = env.zxid();
        appliedTransactions++;
    }

    /**
     * Recovery loaded a snapshot at {@code zxid} into {@link #tree()} and {@link #sessions()}: the
     * applied state starts there. Before any {@link #replay}.
     */
    public void restoredSnapshot(long zxid) {
        if (lastZxid != 0 || !awaiting.isEmpty()) {
            throw new IllegalStateException("a snapshot restored after replay began");
        }
        tree.quotasRestored();
        lastAppliedZxid = zxid;
        lastZxid = zxid;
        committedZxid = ensembleMember ? zxid : committedZxid;
    }

    /**
     * Marks the end of recovery: the tree and sessions hold everything durable up to {@code
     * zxid}. Every recovered session gets a full timeout from now, as after a leader change.
     */
    public void recovered(long zxid) {
        if (zxid < lastZxid) {
            throw new IllegalStateException("recovered to 0x" + Long.toHexString(zxid)
                    + " but replayed up to 0x" + Long.toHexString(lastZxid));
        }
        if (ensembleMember) {
            if (awaiting.isEmpty()) {
                lastAppliedZxid = Math.max(lastAppliedZxid, zxid);
            }
            lastZxid = Math.max(lastZxid, zxid);
            committedZxid = lastAppliedZxid;
        } else {
            lastAppliedZxid = zxid;
            lastZxid = zxid;
        }
        durableZxid = lastZxid;
        windowBaseZxid = lastAppliedZxid;
        freshTimeoutsOnNextTick = true;
    }

    // ------------------------------------------------------------------ helpers and views

    /**
     * A new session's password. An ensemble member uses ZooKeeper's (derived from the session id
     * alone): a createSession transaction carries no password in ZooKeeper's bytes, and every
     * server, Paddock or ZooKeeper, must accept the client's password when it reconnects elsewhere.
     * That password is guessable from the session id, as it is in ZooKeeper; a standalone server
     * derives it from its own secret instead.
     */
    private byte[] passwordFor(long sessionId) {
        if (ensembleMember || peer != null) {
            return ZabTxnCodec.zooKeeperPassword(sessionId);
        }
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

    /** Every transaction up to this is durable in the log (an ensemble member may apply past it). */
    public long durableZxid() {
        return durableZxid;
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

    /** Transactions prepared or logged and not applied yet (standalone: not durable yet). */
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
