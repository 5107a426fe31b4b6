package io.paddock.server.quorum;

import io.netty.channel.EventLoop;
import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.QuorumVerifier;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import io.paddock.core.election.WireNotifications;
import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.core.zab.ElectionHistory;
import io.paddock.core.zab.ElectionText;
import io.paddock.core.zab.LeaderRole;
import io.paddock.core.zab.LearnerRole;
import io.paddock.core.zab.PeerConfig;
import io.paddock.core.zab.PeerEffect;
import io.paddock.core.zab.PeerEvent;
import io.paddock.core.zab.QuorumPeerCore;
import io.paddock.core.zab.ZabTimings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real shell of a replica's quorum peer ({@link QuorumPeerCore}, owned by the {@code Replica}):
 * it carries out the peer's effects for the replica's loop thread (notifications and quorum packets
 * to the {@link QuorumTransport}, dropped connections, epoch files, log lines and observers), posts
 * what the transport receives to that loop, and keeps what the four-letter words read.
 *
 * <p>One thread, the replica loop's, runs the core and calls {@link #carryOut}, {@link #stepDone} and
 * {@link #sendOutgoing}; that is the transport's event loop thread ({@link #eventLoop()}), which
 * also calls the {@link Sink} it was given; the admin words read
 * {@link #status()} and {@link #electionTable()} from any thread.
 *
 * <p><b>Epochs</b> ({@link PeerEffect.PersistEpochs}) are written on the loop thread (a few a
 * leadership, each two small files and fsyncs) and answered with {@link PeerEvent.EpochsPersisted}
 * posted to the loop, so writes complete in the order asked and nothing that depends on an epoch
 * leaves before it is durable. A failed write ends the process (FailStop, through the loop): a
 * promise to a quorum that may not be on disk cannot be taken back.
 *
 * <p>Bounds: notifications are dropped, with a log line, while the loop has more than {@value
 * #INBOX_NOTIFICATIONS_MAX} events waiting (the network may lose notifications; the sender
 * re-sends); quorum packets and lost connections are always posted.
 */
public final class PeerShell implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerShell.class);
    /** One core tick; election and Zab limits are converted to these. */
    public static final long PEER_TICK_MS = 50;
    public static final int INBOX_NOTIFICATIONS_MAX = 10_000;
    /** The first re-send of an unanswered vote (ZooKeeper's initial notification timeout, 200 ms). */
    public static final long RESEND_MS_MIN = 200;
    /** Re-sends back off to this (ZooKeeper goes to 60 s; a shorter cap heals a lost vote sooner). */
    public static final long RESEND_MS_MAX = 2000;
    /**
     * A learner whose connection to its leader failed in discovery tries again this soon. One tick:
     * the usual failure is a FOLLOWERINFO that reached the new leader while it was still in its
     * finalize wait (it drops learners until it leads), and each later try costs one connection
     * on loopback or LAN, for at most initLimit. At 200 ms this retry was half of the time from
     * kill -9 of a leader to a new established one in the election benchmark's slow rounds.
     */
    public static final long LEARNER_RETRY_MS = PEER_TICK_MS;
    private static final byte[] NO_CONFIG = new byte[0];

    /** What the four-letter words read; replaced after every step. */
    /**
     * {@code roleSinceMs}: when the current role began, on a clock that does not jump (ms of
     * System.nanoTime()); -1 while looking. ZooKeeper's zk_uptime counts from there: each role has
     * its own server and stats. {@code synchronizing}: past discovery (the epoch agreed) and not
     * yet broadcasting: ZooKeeper's SYNCHRONIZATION zab state.
     */
    public record Status(ServerState state, long leaderSid, long establishedEpoch, long acceptedEpoch,
            long currentEpoch, long round, int quorumSize, LeaderStats leader, long roleSinceMs,
            boolean synchronizing) {

        /** Whether the role is established (ZooKeeper would be past discovery). */
        public boolean established() {
            return state != ServerState.LOOKING && establishedEpoch >= 0;
        }

        /** ZooKeeper's {@code zk_peer_state}: "looking", "following - discovery", "leading - broadcast"... */
        public String peerState() {
            String s = state.name().toLowerCase(Locale.ROOT);
            if (state == ServerState.LOOKING) {
                return s;
            }
            return s + (established() ? " - broadcast" : synchronizing ? " - synchronization" : " - discovery");
        }

        /** ZooKeeper's {@code Mode:} / {@code zk_server_state} of a quorum peer. */
        public String mode() {
            return switch (state) {
                case LEADING -> "leader";
                case FOLLOWING -> "follower";
                case OBSERVING -> "observer";
                case LOOKING -> "looking";
            };
        }
    }

    /**
     * A leader's gauges, as ZooKeeper's leader reports them in {@code mntr} and {@code srvr}: its
     * learners, the synced ones that vote and that do not, the syncs waiting for commits, its
     * proposals' sizes (-1 before the first) and when it was established ({@link #NOT_ESTABLISHED}
     * before; milliseconds of {@code System.nanoTime}, a clock that does not jump).
     */
    public record LeaderStats(int learners, int syncedFollowers, int syncedObservers, int pendingSyncs,
            int lastProposalSize, int minProposalSize, int maxProposalSize, long establishedAtMs) {

        /** {@link #establishedAtMs} before the leader is established. */
        public static final long NOT_ESTABLISHED = Long.MIN_VALUE;

        /** ZooKeeper's {@code zk_leader_uptime}: milliseconds since it was established, 0 before. */
        public long uptimeMs(long nowMs) {
            return establishedAtMs == NOT_ESTABLISHED ? 0 : Math.max(0, nowMs - establishedAtMs);
        }

        /** ZooKeeper's {@code last/min/max} text of the proposal sizes. */
        public String proposalSizes() {
            return lastProposalSize + "/" + minProposalSize + "/" + maxProposalSize;
        }
    }

    /** Where the shell posts what the peer hears; the replica loop's inbox. */
    public interface Sink {
        void post(PeerEvent event);

        /** Events waiting in the loop's inbox (notifications are dropped above the bound). */
        int backlog();
    }

    private final long sid;
    private final EpochFiles epochFiles;
    private final QuorumTransport transport;
    private final Sink sink;
    private final List<Consumer<PeerEffect.Observation>> observers = new CopyOnWriteArrayList<>();
    /** This server's last elections, for the elec word; fed on the loop thread, read under its lock. */
    private final ElectionHistory history;
    /** The leader role last seen established, and when (loop thread only): {@code zk_leader_uptime}. */
    private LeaderRole establishedLeaderRole;
    /** The role the last status was taken in, and when it began (see Status.roleSinceMs). */
    private io.paddock.core.zab.Role lastRole;
    private long roleSinceMs;
    private long leaderEstablishedAtMs;
    /** The peer effects of the step being carried out, for the history (loop thread only). */
    private final List<PeerEffect> stepEffects = new ArrayList<>();
    /** Quorum packets of the current step, handed to the transport together when the step is done. */
    private final List<QuorumTransport.Outgoing> outgoing = new ArrayList<>();
    private volatile Status status;

    /**
     * @param members every server of the ensemble, this one included
     * @param epochs what the epoch files held at start-up (the status until the first step)
     */
    public PeerShell(long sid, Map<Long, PeerAddress> members, EpochFiles.Epochs epochs, EpochFiles epochFiles,
            boolean listenOnAllIps, int bindRetry, QuorumTransport.Security security, Sink sink) {
        this.sid = sid;
        this.history = new ElectionHistory(sid);
        this.epochFiles = epochFiles;
        this.sink = sink;
        this.transport = new QuorumTransport(sid, members, listenOnAllIps, bindRetry, security, new Inbound());
        this.status = new Status(ServerState.LOOKING, -1, -1, epochs.acceptedEpoch(), epochs.currentEpoch(), 0, 0, null, -1, false);
    }

    /** The core's limits from zoo.cfg's, in ticks of {@value #PEER_TICK_MS} ms. */
    public static PeerConfig peerConfig(long sid, Set<Long> voters, Set<Long> observers,
            int tickTimeMs, int initLimit, int syncLimit, int finalizeWaitMs) {
        ElectionTimings election = new ElectionTimings(ticksCeil(finalizeWaitMs), ticksCeil(RESEND_MS_MIN),
                ticksCeil(RESEND_MS_MAX));
        ZabTimings zab = new ZabTimings(ticksCeil((long) initLimit * tickTimeMs),
                ticksCeil((long) syncLimit * tickTimeMs), ticksCeil(LEARNER_RETRY_MS));
        return new PeerConfig(sid, new QuorumVerifier(voters), observers, election, zab);
    }

    private static int ticksCeil(long ms) {
        return (int) Math.max(1, (ms + PEER_TICK_MS - 1) / PEER_TICK_MS);
    }

    /** Binds the election and quorum ports; the election starts with the replica's first tick. */
    public void start() throws IOException {
        transport.start();
    }

    /** Every observation (vote changes, decisions, role changes, established epochs), on the loop thread. */
    public void addObserver(Consumer<PeerEffect.Observation> observer) {
        observers.add(observer);
    }

    public Status status() {
        return status;
    }

    /** This server's last elections as the elec word prints them (any thread). */
    public String electionTable() {
        synchronized (history) {
            return ElectionText.table(history, PEER_TICK_MS);
        }
    }

    public long sid() {
        return sid;
    }

    /**
     * The transport's event loop thread, on which the replica's loop runs: the shell's methods are
     * then called on the thread that owns every connection, and packets leave without a hand-off.
     */
    public EventLoop eventLoop() {
        return transport.eventLoop();
    }

    private final class Inbound implements QuorumTransport.Inbound {
        @Override
        public void election(long fromSid, NotificationMessage message) {
            try {
                PeerEvent event = new PeerEvent.ElectionReceived(fromSid, WireNotifications.fromWire(message));
                if (sink.backlog() >= INBOX_NOTIFICATIONS_MAX) {
                    LOG.warn("replica loop busy ({} events waiting): a notification from server {} is dropped",
                            INBOX_NOTIFICATIONS_MAX, fromSid);
                    return;
                }
                sink.post(event);
            } catch (PeerProtocolException e) {
                LOG.warn("server {} sent a notification we cannot use, skipped: {}", fromSid, e.getMessage());
            }
        }

        @Override
        public void quorum(long fromSid, QuorumPacket packet) {
            sink.post(new PeerEvent.QuorumReceived(fromSid, packet));
        }

        @Override
        public void peerDown(long sid) {
            sink.post(new PeerEvent.PeerDown(sid));
        }

        @Override
        public void streaming(long fromSid) {
            sink.post(new PeerEvent.Streaming(fromSid));
        }

        @Override
        public void snapshot(long fromSid, long zxid, io.paddock.core.storage.SnapshotData snapshot) {
            sink.post(new PeerEvent.SnapshotReceived(fromSid, zxid, snapshot));
        }

        @Override
        public void electionUnreachable(long sid) {
            sink.post(new PeerEvent.ElectionUnreachable(sid));
        }
    }

    /** Bytes of quorum packets the transport handed over that the loop has not stepped yet. */
    public long quorumInboxBytes() {
        return transport.inboxBytes();
    }

    /** The loop stepped {@code event}: a quorum packet leaves the transport's inbox count. */
    public void handled(PeerEvent event) {
        if (event instanceof PeerEvent.QuorumReceived received) {
            transport.taken(received.packet());
        }
    }

    /**
     * Carries out one effect of the peer, on the loop thread. An epoch write that fails throws: the
     * loop then stops the process.
     */
    public void carryOut(PeerEffect effect) {
        stepEffects.add(effect);
        if (effect instanceof PeerEffect.SendElection send) {
            transport.sendElection(send.toSid(), WireNotifications.toWire(send.notification(), NO_CONFIG));
        } else if (effect instanceof PeerEffect.SendQuorum send) {
            outgoing.add(new QuorumTransport.Outgoing(send.toSid(), send.packet())); // sent at the batch's end
        } else if (effect instanceof PeerEffect.SendSnapshot snap) {
            outgoing.add(new QuorumTransport.Outgoing(snap.toSid(),
                    new QuorumPacket(QuorumPacketType.SNAP, snap.zxid(), null, null), snap.stream()));
        } else if (effect instanceof PeerEffect.DropPeer drop) {
            sendOutgoing(); // what was sent before the drop goes first
            LOG.info("dropping quorum connection with server {}: {}", drop.sid(), drop.reason());
            transport.dropPeer(drop.sid());
        } else if (effect instanceof PeerEffect.PersistEpochs persist) {
            try {
                epochFiles.write(persist.acceptedEpoch(), persist.currentEpoch());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot persist epochs " + persist, e);
            }
            sink.post(new PeerEvent.EpochsPersisted(persist.acceptedEpoch(), persist.currentEpoch()));
        } else if (effect instanceof PeerEffect.Observation observation) {
            LOG.info("{}", describe(observation));
            for (Consumer<PeerEffect.Observation> o : observers) {
                o.accept(observation);
            }
        }
    }

    /** The status again, now (after a four-letter word changed what it shows, e.g. srst). Loop thread only. */
    public void refreshStatus(QuorumPeerCore core) {
        status = snapshot(core);
    }

    /** After each step of the replica that carried out peer effects (or moved its clock): history and status. */
    public void stepDone(QuorumPeerCore core) {
        if (!stepEffects.isEmpty()) {
            synchronized (history) {
                history.record(core.nowTick(), stepEffects); // the log lines are carryOut's, one per observation
            }
            stepEffects.clear();
        }
        status = snapshot(core);
    }

    /**
     * Hands the quorum packets of the steps since the last call to the transport, in order, all
     * at once (written right away: the loop runs on the transport's thread): the replica loop calls
     * it at the end of each batch of events, so a leader's PROPOSALs and COMMITs for a batch of
     * writes leave in one write call per learner.
     */
    public void sendOutgoing() {
        if (!outgoing.isEmpty()) {
            transport.sendQuorum(outgoing);
            outgoing.clear();
        }
    }

    /** One compact log line per observation. */
    static String describe(PeerEffect.Observation o) {
        if (o instanceof PeerEffect.VoteChanged v && v.reason() == PeerEffect.VoteReason.OWN_VOTE) {
            return "round " + v.round() + ": votes for itself " + vote(v.to());
        }
        if (o instanceof PeerEffect.VoteChanged v) {
            return "round " + v.round() + ": vote " + vote(v.from()) + " -> " + vote(v.to()) + " ("
                    + v.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + (v.causeSid() >= 0 ? ", from server " + v.causeSid() : "") + ")";
        }
        if (o instanceof PeerEffect.ElectionDecided d) {
            return "round " + d.round() + " decided: " + d.role() + " server " + d.leader().leaderSid() + "; "
                    + d.seedStyle() + (d.waitText().isEmpty() ? "" : " (" + d.waitText() + ")");
        }
        if (o instanceof PeerEffect.RoleChanged r) {
            return "role " + r.from() + " -> " + r.to() + ": " + r.reason();
        }
        if (o instanceof PeerEffect.Established e) {
            return "established epoch " + e.epoch() + " with servers " + new TreeSet<>(e.ackedBy());
        }
        if (o instanceof PeerEffect.VoteReceived r) {
            return "round " + r.notification().round() + ": server " + r.fromSid() + " votes "
                    + vote(r.notification().vote()) + " (" + r.notification().state() + ")";
        }
        if (o instanceof PeerEffect.Synced synced) {
            return "synced with leader " + synced.leaderSid() + " in epoch " + synced.epoch();
        }
        return o.toString();
    }

    private static String vote(Vote v) {
        return "(server " + v.leaderSid() + ", zxid 0x" + Long.toHexString(v.zxid()) + ", epoch " + v.epoch() + ")";
    }

    /**
     * ZooKeeper's SYNCHRONIZATION: a leader once a quorum acknowledged the epoch, a learner once it
     * acknowledged it (ZooKeeper's syncWithLeader), until broadcast.
     */
    private static boolean synchronizing(io.paddock.core.zab.Role role) {
        if (role instanceof LeaderRole l) {
            return l.phase() == LeaderRole.Phase.PERSISTING_CURRENT || l.phase() == LeaderRole.Phase.SYNCING;
        }
        if (role instanceof LearnerRole l) {
            LearnerRole.Phase p = l.phase();
            return p.compareTo(LearnerRole.Phase.ACKED) >= 0 && p != LearnerRole.Phase.SYNCED;
        }
        return false;
    }

    private Status snapshot(QuorumPeerCore core) {
        if (core.role() != lastRole) {
            lastRole = core.role();
            roleSinceMs = System.nanoTime() / 1_000_000;
        }
        long leader = -1;
        LeaderStats stats = null;
        if (core.role() instanceof LeaderRole l) {
            leader = core.sid();
            if (core.establishedEpoch() >= 0 && l != establishedLeaderRole) {
                establishedLeaderRole = l;
                leaderEstablishedAtMs = System.nanoTime() / 1_000_000; // a clock that does not jump, as ZooKeeper's
            }
            int[] sizes = l.proposalSizes();
            stats = new LeaderStats(l.learnerCount(), l.syncedLearnerCount(true), l.syncedLearnerCount(false),
                    l.pendingSyncCount(), sizes[0], sizes[1], sizes[2],
                    l == establishedLeaderRole ? leaderEstablishedAtMs : LeaderStats.NOT_ESTABLISHED);
        } else if (core.role() instanceof LearnerRole l) {
            leader = l.leaderSid();
        }
        return new Status(core.state(), leader, core.establishedEpoch(), core.epochs().durableAcceptedEpoch(),
                core.epochs().durableCurrentEpoch(), core.electionRound(), core.config().voters().voters().size(),
                stats, lastRole == null ? -1 : roleSinceMs, synchronizing(core.role()));
    }

    @Override
    public void close() {
        transport.close();
    }
}
