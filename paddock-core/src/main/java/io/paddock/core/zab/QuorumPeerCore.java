package io.paddock.core.zab;

import io.paddock.core.election.Election;
import io.paddock.core.election.ElectionInput;
import io.paddock.core.election.ElectionOutput;
import io.paddock.core.election.Notification;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One server's part in the ensemble, pure: while LOOKING it runs the {@link Election}; a decision
 * swaps in the {@link Role} handler (leader, follower, observer); a role that gives up is dropped
 * and a new election round starts. Its persisted state is the {@link Epochs}, restored at
 * construction from what the shell read from disk; the last zxid comes from the log (constant until
 * replication, part 2).
 *
 * <p>Named after ZooKeeper's {@code QuorumPeer}, the class that plays this part there with a thread
 * per role; "core" because this one owns no thread, socket, file or clock (time is the ticks it is
 * given).
 *
 * <p>Routing: election notifications always go to the current election, decided or not (a decided
 * server tells LOOKING peers whom it follows, and observers whom to observe); quorum packets, lost
 * connections and epoch writes go to the role; a quorum packet that reaches a LOOKING server gets
 * its connection dropped (ZooKeeper accepts learner connections only while leading). Every tick
 * reaches both. Observations ({@link PeerEffect.Observation}) record every vote received while
 * LOOKING, every vote change with its reason, the tally each decision was made on, role changes and
 * the established epoch (the votes sent are the {@link PeerEffect.SendElection}s themselves); an
 * {@link ElectionHistory} fed with the effects and {@link #nowTick()} keeps them per election.
 *
 * <p><b>Embedding in {@code Replica}</b>: Replica will own one of these, map its own {@code
 * PeerMessage}/{@code PeerDown}/{@code EpochsPersisted}/{@code Tick} events to {@link PeerEvent}s
 * (Tick: the shell's milliseconds divided by the election tick) and wrap each {@link PeerEffect}
 * in its {@code Effect} (or let {@code Effect} permit them), and ask {@link #state()} and {@link
 * #establishedEpoch()} whether to serve clients. Nothing here knows about Replica.
 */
public final class QuorumPeerCore {
    private final PeerConfig config;
    private final Epochs epochs;
    private final ZabHost host;
    private Election election;
    private Role role;
    private long nowTick;
    private boolean started;
    /** The first vote heard from each server (ours included) in the current round, for the record. */
    private final Map<Long, Vote> firstVotes = new TreeMap<>();
    private long firstVotesRound = -1;
    /** The highest accepted epoch learners reported to this server's earlier leaderships (see LeaderRole). */
    private long epochFloor;

    /** A server restarted with the epochs the shell read from disk and the last zxid of its log, and no state. */
    public QuorumPeerCore(PeerConfig config, long acceptedEpoch, long currentEpoch, long lastZxid) {
        this(config, acceptedEpoch, currentEpoch, ZabHost.empty(lastZxid));
    }

    /** A server restarted with the epochs the shell read from disk, hosted by {@code host} (its history and state). */
    /** Servers the shell could not reach on their election port since they last sent a notification. */
    private final java.util.Set<Long> electionUnreachable = new java.util.TreeSet<>();
    /**
     * FOLLOWERINFO/OBSERVERINFO that came while this server was LOOKING, by server: a learner that
     * decided before this server did. If this server then leads, its LeaderRole takes them at once;
     * otherwise their connections are dropped, as every quorum packet to a LOOKING server was
     * before. (Dropping it at once made the learner retry after learnerRetryTicks, 100 ms, on every
     * election where a follower decided first, which is most of them.)
     */
    private final Map<Long, QuorumPacket> earlyLearners = new TreeMap<>();
    /**
     * Learner roles in a row that ended after their leader answered and before they were synced.
     * Each next learner waits before it says who it is, {@link ZabTimings#learnerRetryTicks} doubling
     * per failure up to {@link #SYNC_RETRY_DELAY_TICKS_MAX} (and half of initLimit): a sync that keeps
     * failing the same way (a SNAP larger than this server may take) was tried again at once, every
     * few milliseconds, each time costing the leader a whole snapshot.
     */
    private int failedSyncs;
    /** The longest back-off before a learner's next try after failed syncs (40 ticks: 2 s at 50 ms). */
    static final int SYNC_RETRY_DELAY_TICKS_MAX = 40;
    /** Voters that voted better than this server since it decided to lead (see quorumVotesElsewhere). */
    private final java.util.Set<Long> votedBetter = new java.util.TreeSet<>();

    public QuorumPeerCore(PeerConfig config, long acceptedEpoch, long currentEpoch, ZabHost host) {
        this.config = config;
        this.epochs = new Epochs(acceptedEpoch, currentEpoch);
        this.host = host;
    }

    /** Test convenience: the effects of one event in a new list. */
    public List<PeerEffect> step(PeerEvent event) {
        List<PeerEffect> effects = new ArrayList<>();
        step(event, effects);
        return effects;
    }

    /** Handles one event, appending its effects in order to the caller's list. */
    public void step(PeerEvent event, List<PeerEffect> effects) {
        if (event instanceof PeerEvent.Tick tick) {
            nowTick = Math.max(nowTick, tick.nowTick());
            if (!started) {
                started = true;
                startElection(effects);
                return;
            }
            stepElection(new ElectionInput.Tick(nowTick), -1, effects);
            stepRole(event, effects);
        } else if (!started) {
            return; // nothing is listening before the first tick
        } else if (event instanceof PeerEvent.ElectionUnreachable u) {
            electionUnreachable.add(u.sid());
            stepElection(new ElectionInput.Unreachable(u.sid()), u.sid(), effects);
        } else if (event instanceof PeerEvent.ElectionReceived received) {
            electionUnreachable.remove(received.fromSid());
            if (election.state() == ServerState.LOOKING) {
                effects.add(new PeerEffect.VoteReceived(received.fromSid(), received.notification()));
            }
            stepElection(new ElectionInput.Received(received.fromSid(), received.notification()),
                    received.fromSid(), effects);
            giveUpOnVotesElsewhere(received, effects);
        } else if (event instanceof PeerEvent.QuorumReceived received) {
            if (role != null) {
                stepRole(event, effects);
            } else if (isLearnerInfo(received.packet())) {
                // A learner that decided before us: its info waits for our decision (one per server).
                earlyLearners.put(received.fromSid(), received.packet());
            } else {
                effects.add(new PeerEffect.DropPeer(received.fromSid(), "not leading: LOOKING"));
            }
        } else if (event instanceof PeerEvent.PeerDown down) {
            earlyLearners.remove(down.sid());
            stepRole(event, effects);
        } else if (event instanceof PeerEvent.EpochsPersisted persisted) {
            epochs.persisted(persisted.acceptedEpoch(), persisted.currentEpoch());
            stepRole(event, effects);
        } else if (event instanceof PeerEvent.LogDurable) {
            stepRole(event, effects);
        } else if (event instanceof PeerEvent.Streaming) {
            if (role instanceof LearnerRole || role instanceof LeaderRole) {
                stepRole(event, effects);
            }
        } else if (event instanceof PeerEvent.SnapshotReceived received) {
            if (role instanceof LearnerRole) {
                stepRole(event, effects);
            } else {
                effects.add(new PeerEffect.DropPeer(received.fromSid(), "not following: a snapshot sent to us"));
            }
        } else if (event instanceof PeerEvent.Propose propose) {
            if (!(role instanceof LeaderRole leader) || leader.phase() != LeaderRole.Phase.ESTABLISHED) {
                throw new IllegalStateException("a proposal while not leading: " + propose.txn().zxid());
            }
            stepRole(event, effects);
        }
    }

    /**
     * A role not yet settled gives up when votes show it cannot be: a leader not yet established,
     * see {@link #quorumVotesElsewhere}; a learner still connecting to the server it elected,
     * which now votes for another server in this round or a later one, gives up at once instead
     * of retrying until initLimit: that server will not lead this round (a server's votes in a round only move to better ones, and it votes
     * for itself when it leads). This happens when a server decided without the finalize wait
     * because a third one was not up yet (its election port refused), and the one it followed then
     * heard that third one's better vote. Giving up only starts another round, which joins the
     * real leader from the others' answers; it cannot make two leaders.
     */
    private void giveUpOnVotesElsewhere(PeerEvent.ElectionReceived received, List<PeerEffect> effects) {
        if (role instanceof LeaderRole leader && leader.phase() != LeaderRole.Phase.ESTABLISHED) {
            quorumVotesElsewhere(leader, received, effects);
            return;
        }
        if (role instanceof LearnerRole learner && learner.phase() == LearnerRole.Phase.CONNECTING
                && received.fromSid() == learner.leaderSid()
                && received.notification().vote().leaderSid() != learner.leaderSid()
                && received.notification().round() >= election.round()) {
            learner.abandon("server " + learner.leaderSid() + " votes for server "
                    + received.notification().vote().leaderSid() + " (" + received.notification().state()
                    + " in round " + received.notification().round() + "): it will not lead");
            checkRoleEnded(effects);
        }
    }

    /**
     * The leader's side of {@link #giveUpOnVotesElsewhere}: a leader not yet established gives up at
     * once when the voters that may still follow it are no quorum. A voter whose vote in this round
     * (or a later one) is better than this leader's will not vote for it again in that round, and
     * cannot join it as an existing leader either (that needs a quorum already following it). This
     * happens when a server decided to lead without the finalize wait, a third server's election
     * port refused, and its voter then heard that third server's better vote: both followed the
     * third, and this one waited initLimit (20 s with tickTime 2000) for followers that never came.
     */
    private void quorumVotesElsewhere(LeaderRole leader, PeerEvent.ElectionReceived received,
            List<PeerEffect> effects) {
        Notification n = received.notification();
        if (!config.voters().isVoter(received.fromSid()) || n.round() < election.round()
                || n.vote().leaderSid() == config.sid() || !n.vote().isBetterThan(election.currentVote())) {
            return;
        }
        votedBetter.add(received.fromSid());
        java.util.Set<Long> mayFollow = new java.util.TreeSet<>(config.voters().voters());
        mayFollow.removeAll(votedBetter);
        if (!config.voters().containsQuorum(mayFollow)) {
            leader.abandon("servers " + votedBetter + " vote for better servers (server " + n.vote().leaderSid()
                    + " from server " + received.fromSid() + "): no quorum can follow this one");
            checkRoleEnded(effects);
        }
    }

    private static boolean isLearnerInfo(QuorumPacket packet) {
        return packet.type() == QuorumPacketType.FOLLOWERINFO || packet.type() == QuorumPacketType.OBSERVERINFO;
    }

    private void startElection(List<PeerEffect> effects) {
        long roundBefore = election == null ? 0 : election.round();
        long epoch = epochs.durableCurrentEpoch();
        long lastZxid = host.lastLoggedZxid();
        election = config.isObserver()
                ? Election.forObserver(config.sid(), config.voters(), lastZxid, epoch, config.electionTimings(), roundBefore)
                : new Election(config.sid(), config.voters(), lastZxid, epoch, config.electionTimings(), roundBefore);
        election.assumeUnreachable(electionUnreachable);
        stepElection(new ElectionInput.Start(nowTick), -1, effects);
    }

    private void stepElection(ElectionInput input, long causeSid, List<PeerEffect> effects) {
        boolean wasLooking = election.state() == ServerState.LOOKING;
        long roundBefore = election.round();
        Vote voteBefore = election.currentVote();
        List<ElectionOutput> outputs = election.step(input);
        recordFirstVote(input);
        if (input instanceof ElectionInput.Start) {
            effects.add(new PeerEffect.VoteChanged(election.round(), voteBefore, election.currentVote(),
                    PeerEffect.VoteReason.OWN_VOTE, -1));
        } else if (wasLooking && !config.isObserver()
                && (election.round() != roundBefore || !election.currentVote().equals(voteBefore))
                && (!outputs.stream().anyMatch(o -> o instanceof ElectionOutput.Decided) || announced(outputs))) {
            effects.add(new PeerEffect.VoteChanged(election.round(), voteBefore, election.currentVote(),
                    PeerEffect.VoteReason.of(roundBefore, voteBefore, election.round(), election.currentVote()),
                    causeSid));
        }
        for (ElectionOutput output : outputs) {
            if (output instanceof ElectionOutput.Send send) {
                effects.add(new PeerEffect.SendElection(send.toSid(), send.notification()));
            } else if (output instanceof ElectionOutput.Decided decided) {
                takeRole(decided, effects);
            }
        }
    }

    /**
     * Whether the election broadcast its new vote as LOOKING in this step: the vote changed in the
     * round (and may have decided at once, every vote being in), as opposed to joining a leader
     * from FOLLOWING/LEADING reports, which is a decision, not a change of vote.
     */
    private boolean announced(List<ElectionOutput> outputs) {
        Vote now = election.currentVote();
        return outputs.stream().anyMatch(o -> o instanceof ElectionOutput.Send send
                && send.notification().state() == ServerState.LOOKING && send.notification().vote().equals(now));
    }

    private void recordFirstVote(ElectionInput input) {
        if (election.round() != firstVotesRound) {
            firstVotes.clear();
            firstVotesRound = election.round();
            if (config.voters().isVoter(config.sid())) {
                firstVotes.put(config.sid(), election.initialVote());
            }
        }
        if (input instanceof ElectionInput.Received r && r.notification().round() == election.round()
                && r.notification().state() == ServerState.LOOKING && config.voters().isVoter(r.fromSid())) {
            firstVotes.putIfAbsent(r.fromSid(), r.notification().vote());
        }
    }

    private void takeRole(ElectionOutput.Decided decided, List<PeerEffect> effects) {
        if (role != null) {
            throw new IllegalStateException("decided while holding a role: " + role.state());
        }
        Map<Long, Vote> tally = new TreeMap<>();
        for (Map.Entry<Long, Notification> e : election.decisionVotes().entrySet()) {
            tally.put(e.getKey(), e.getValue().vote());
        }
        effects.add(new PeerEffect.ElectionDecided(decided.round(), decided.role(), decided.leader(), tally,
                firstVotes, election.decidedWithoutWait(),
                election.decidedWithoutWait() ? election.unreachableVoters() : java.util.Set.of()));
        effects.add(new PeerEffect.RoleChanged(ServerState.LOOKING, decided.role(),
                "elected server " + decided.leader().leaderSid() + " in round " + decided.round()));
        long leaderSid = decided.leader().leaderSid();
        votedBetter.clear();
        role = switch (decided.role()) {
            case LEADING -> new LeaderRole(config, epochs, host, epochFloor, nowTick, effects);
            case FOLLOWING -> new FollowerRole(config, epochs, host, leaderSid, nowTick, syncRetryDelayTicks(), effects);
            case OBSERVING -> new ObserverRole(config, epochs, host, leaderSid, nowTick, syncRetryDelayTicks(), effects);
            case LOOKING -> throw new IllegalStateException("decided LOOKING");
        };
        Map<Long, QuorumPacket> early = new TreeMap<>(earlyLearners);
        earlyLearners.clear();
        for (Map.Entry<Long, QuorumPacket> e : early.entrySet()) {
            if (role instanceof LeaderRole && role.exitReason() == null) {
                role.step(new PeerEvent.QuorumReceived(e.getKey(), e.getValue()), effects);
            } else {
                effects.add(new PeerEffect.DropPeer(e.getKey(), role instanceof LearnerRole l
                        ? "not leading: " + l.state().name().toLowerCase(java.util.Locale.ROOT) + " " + l.leaderSid()
                        : "not leading: the role ended at once"));
            }
        }
        checkRoleEnded(effects);
    }

    private void stepRole(PeerEvent event, List<PeerEffect> effects) {
        if (role != null) {
            role.step(event, effects);
            checkRoleEnded(effects);
            settleVote();
        }
    }

    /** Once the role is established, the election announces the established epoch (see Election.settle). */
    private void settleVote() {
        if (role == null || role.establishedEpoch() < 0) {
            return;
        }
        Vote decided = election.currentVote();
        if (decided.epoch() != role.establishedEpoch()) {
            election.settle(new Vote(decided.leaderSid(), decided.zxid(), role.establishedEpoch()));
        }
    }

    private void checkRoleEnded(List<PeerEffect> effects) {
        if (role == null || role.exitReason() == null) {
            return;
        }
        Role ended = role;
        role = null;
        if (ended instanceof LeaderRole leader) {
            epochFloor = Math.max(epochFloor, leader.highestReportedEpoch());
        }
        if (ended instanceof LearnerRole learner && learner.failedInSync()) {
            failedSyncs = Math.min(failedSyncs + 1, 16);
        } else {
            failedSyncs = 0; // it led, or was synced, or never got an answer (retried in the role)
        }
        for (long sid : ended.connectedPeers()) {
            effects.add(new PeerEffect.DropPeer(sid, "leaving " + ended.state()));
        }
        effects.add(new PeerEffect.RoleChanged(ended.state(), ServerState.LOOKING, ended.exitReason()));
        startElection(effects);
    }

    /** How long the next learner role waits before it says who it is (see {@link #failedSyncs}). */
    int syncRetryDelayTicks() {
        if (failedSyncs == 0) {
            return 0;
        }
        long cap = Math.max(1, Math.min(SYNC_RETRY_DELAY_TICKS_MAX, config.zabTimings().initLimitTicks() / 2));
        long delay = (long) config.zabTimings().learnerRetryTicks() << (failedSyncs - 1); // failedSyncs <= 16
        return (int) Math.min(cap, delay);
    }

    public PeerConfig config() {
        return config;
    }

    public long sid() {
        return config.sid();
    }

    /** LOOKING, or the role's state. */
    public ServerState state() {
        return role == null ? ServerState.LOOKING : role.state();
    }

    /** The role handler, or null while LOOKING. */
    public Role role() {
        return role;
    }

    /** The epoch this server leads or follows as established, or -1. */
    public long establishedEpoch() {
        return role == null ? -1 : role.establishedEpoch();
    }

    /** The server's epochs (asked-for and durable). */
    public Epochs epochs() {
        return epochs;
    }

    public long electionRound() {
        return election == null ? 0 : election.round();
    }

    /** The election's vote: its own while looking, the decided (and, once established, settled) one after; null before the first tick. */
    public Vote currentVote() {
        return election == null ? null : election.currentVote();
    }

    public long lastZxid() {
        return host.lastLoggedZxid();
    }

    /** The latest tick this server was given (0 before the first); the time of what it emits. */
    public long nowTick() {
        return nowTick;
    }
}
