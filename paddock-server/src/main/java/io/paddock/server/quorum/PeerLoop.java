package io.paddock.server.quorum;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.QuorumVerifier;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import io.paddock.core.election.WireNotifications;
import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.zab.ElectionHistory;
import io.paddock.core.zab.ElectionText;
import io.paddock.core.zab.LeaderRole;
import io.paddock.core.zab.LearnerRole;
import io.paddock.core.zab.PeerConfig;
import io.paddock.core.zab.PeerEffect;
import io.paddock.core.zab.PeerEvent;
import io.paddock.core.zab.QuorumPeerCore;
import io.paddock.core.zab.ZabTimings;
import io.paddock.server.failstop.FailStop;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that owns this server's {@link QuorumPeerCore} and carries out its effects: ticks
 * every {@value #PEER_TICK_MS} ms, election notifications and quorum packets from the
 * {@link QuorumTransport}, lost connections (PeerDown), and epoch writes.
 *
 * <p>It runs beside the {@code ReplicaLoop}, not inside {@code Replica}: until replication (part
 * 2) nothing the peer decides changes the tree or the sessions, and a server in an ensemble serves
 * no client, so the two share no state; part 2 moves the core into Replica, where the learner's
 * sync must feed the tree in order.
 *
 * <p><b>Epochs</b> ({@link PeerEffect.PersistEpochs}) are written on this thread (a few a
 * leadership, each two small files and fsyncs) and answered with {@link PeerEvent.EpochsPersisted}
 * before the next event, so writes complete in the order asked and nothing that depends on an
 * epoch leaves before it is durable. A failed write ends the process (FailStop): a promise to a
 * quorum that may not be on disk cannot be taken back.
 *
 * <p>Bounds: the inbox holds {@value #INBOX_EVENTS_MAX} events; a notification that finds it full is
 * dropped (the network may lose notifications; the sender re-sends), quorum packets and PeerDown
 * wait for room, which slows only the transport thread.
 */
public final class PeerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLoop.class);
    /** One core tick; election and Zab limits are converted to these. */
    public static final long PEER_TICK_MS = 50;
    public static final int INBOX_EVENTS_MAX = 10_000;
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
    public record Status(ServerState state, long leaderSid, long establishedEpoch, long acceptedEpoch,
            long currentEpoch, long round, int learners, int syncedFollowers, int syncedObservers) {

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
            return s + (established() ? " - broadcast" : " - discovery");
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

    private final QuorumPeerCore core;
    private final EpochFiles epochFiles;
    private final FailStop failStop;
    private final QuorumTransport transport;
    private final BlockingQueue<PeerEvent> inbox = new ArrayBlockingQueue<>(INBOX_EVENTS_MAX);
    private final List<Consumer<PeerEffect.Observation>> observers = new CopyOnWriteArrayList<>();
    /** This server's last elections, for the elec word; fed on the peer thread, read under its lock. */
    private final ElectionHistory history;
    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private volatile boolean running = true;
    private volatile Status status;

    /**
     * @param members every server of the ensemble, this one included
     */
    public PeerLoop(PeerConfig config, Map<Long, PeerAddress> members, EpochFiles.Epochs epochs,
            long lastZxid, EpochFiles epochFiles, boolean listenOnAllIps, int bindRetry, FailStop failStop) {
        this.core = new QuorumPeerCore(config, epochs.acceptedEpoch(), epochs.currentEpoch(), lastZxid);
        this.history = new ElectionHistory(config.sid());
        this.epochFiles = epochFiles;
        this.failStop = failStop;
        this.transport = new QuorumTransport(config.sid(), members, listenOnAllIps, bindRetry, new Inbound());
        this.status = snapshot();
        this.thread = new Thread(this::run, "paddock-peer");
        this.thread.setDaemon(true);
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

    /** Binds the election and quorum ports and starts the election. */
    public void start() throws IOException {
        transport.start();
        thread.start();
    }

    /** Every observation (vote changes, decisions, role changes, established epochs), on the peer thread. */
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
        return core.sid();
    }

    private final class Inbound implements QuorumTransport.Inbound {
        @Override
        public void election(long fromSid, NotificationMessage message) {
            try {
                if (!inbox.offer(new PeerEvent.ElectionReceived(fromSid, WireNotifications.fromWire(message)))) {
                    LOG.warn("peer inbox full ({} events): a notification from server {} is dropped", INBOX_EVENTS_MAX,
                            fromSid);
                }
            } catch (PeerProtocolException e) {
                LOG.warn("server {} sent a notification we cannot use, skipped: {}", fromSid, e.getMessage());
            }
        }

        @Override
        public void quorum(long fromSid, QuorumPacket packet) {
            put(new PeerEvent.QuorumReceived(fromSid, packet));
        }

        @Override
        public void peerDown(long sid) {
            put(new PeerEvent.PeerDown(sid));
        }

        private void put(PeerEvent event) {
            try {
                inbox.put(event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long nowTick() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) / PEER_TICK_MS;
    }

    private void run() {
        List<PeerEffect> effects = new ArrayList<>();
        ArrayDeque<PeerEvent> local = new ArrayDeque<>();
        long lastTick = -1;
        try {
            while (running) {
                long now = nowTick();
                PeerEvent event;
                if (!local.isEmpty()) {
                    event = local.pollFirst();
                } else if (now > lastTick) {
                    lastTick = now;
                    event = new PeerEvent.Tick(now);
                } else {
                    long waitMs = (lastTick + 1) * PEER_TICK_MS
                            - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                    event = inbox.poll(Math.max(1, waitMs), TimeUnit.MILLISECONDS);
                    if (event == null) {
                        continue;
                    }
                }
                effects.clear();
                core.step(event, effects);
                synchronized (history) {
                    history.record(core.nowTick(), effects); // the log lines are carryOut's, one per observation
                }
                for (PeerEffect effect : effects) {
                    carryOut(effect, local);
                }
                status = snapshot();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException | Error e) {
            if (running) {
                failStop.stop("the quorum peer failed: " + e, e);
            }
        }
    }

    private void carryOut(PeerEffect effect, ArrayDeque<PeerEvent> local) throws IOException {
        if (effect instanceof PeerEffect.SendElection send) {
            transport.sendElection(send.toSid(), WireNotifications.toWire(send.notification(), NO_CONFIG));
        } else if (effect instanceof PeerEffect.SendQuorum send) {
            transport.sendQuorum(send.toSid(), send.packet());
        } else if (effect instanceof PeerEffect.DropPeer drop) {
            LOG.info("dropping quorum connection with server {}: {}", drop.sid(), drop.reason());
            transport.dropPeer(drop.sid());
        } else if (effect instanceof PeerEffect.PersistEpochs persist) {
            epochFiles.write(persist.acceptedEpoch(), persist.currentEpoch());
            local.addLast(new PeerEvent.EpochsPersisted(persist.acceptedEpoch(), persist.currentEpoch()));
        } else if (effect instanceof PeerEffect.Observation observation) {
            LOG.info("{}", describe(observation));
            for (Consumer<PeerEffect.Observation> o : observers) {
                o.accept(observation);
            }
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
                    + d.seedStyle();
        }
        if (o instanceof PeerEffect.RoleChanged r) {
            return "role " + r.from() + " -> " + r.to() + ": " + r.reason();
        }
        if (o instanceof PeerEffect.Established e) {
            return "established epoch " + e.epoch() + " with servers " + new TreeSet<>(e.ackedBy());
        }
        return o.toString();
    }

    private static String vote(Vote v) {
        return "(server " + v.leaderSid() + ", zxid 0x" + Long.toHexString(v.zxid()) + ", epoch " + v.epoch() + ")";
    }

    private Status snapshot() {
        long leader = -1;
        int learners = 0;
        int syncedFollowers = 0;
        int syncedObservers = 0;
        if (core.role() instanceof LeaderRole l) {
            leader = core.sid();
            learners = l.learnerCount();
            syncedFollowers = l.syncedLearnerCount(true);
            syncedObservers = l.syncedLearnerCount(false);
        } else if (core.role() instanceof LearnerRole l) {
            leader = l.leaderSid();
        }
        return new Status(core.state(), leader, core.establishedEpoch(), core.epochs().durableAcceptedEpoch(),
                core.epochs().durableCurrentEpoch(), core.electionRound(), learners, syncedFollowers, syncedObservers);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
    }
}
