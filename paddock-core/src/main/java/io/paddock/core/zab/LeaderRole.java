package io.paddock.core.zab;

import io.paddock.core.election.ServerState;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leader's side of Zab discovery, then of holding the leadership (ZooKeeper's {@code
 * Leader.lead}, {@code getEpochToPropose}, {@code waitForEpochAck} and the learner handlers' part of
 * the handshake), as one step handler.
 *
 * <p><b>Assumes</b>: the election chose this server; learners reach it over one ordered, lossless
 * connection each (TCP), and a broken connection shows up as {@link PeerEvent.PeerDown}; the shell
 * persists epochs in the order asked and reports each write with {@link PeerEvent.EpochsPersisted}.
 * Nothing else: learners may be slow, absent, stale or wrong.
 *
 * <p><b>Guarantees</b>:
 * <ol>
 *   <li>The new epoch is above the accepted epoch of every server that reported one before it was
 *       chosen, its own included, and it is chosen only once a quorum of voters (itself among
 *       them) reported, within {@code initLimitTicks} of taking the role.
 *   <li>No LEADERINFO leaves before the leader's own accepted epoch is durable.
 *   <li>It is {@link PeerEffect.Established established} in the epoch only when a quorum of voters,
 *       itself included, acknowledged that epoch with an ACKEPOCH that counts (a learner's
 *       {@code currentEpoch} other than -1: it accepted the epoch just now, from this leader) within
 *       {@code initLimitTicks} of the LEADERINFO, and after its own current epoch is durable. Since
 *       a server accepts an epoch at most once, no other leader can gather a quorum for the same
 *       epoch.
 *   <li>A learner that reports a (currentEpoch, lastZxid) ahead of the leader's is refused
 *       (its connection dropped), as ZooKeeper does: it must not be led by a leader behind it.
 *   <li>Once established it pings every synced learner every tick and gives up (back to LOOKING)
 *       as soon as the voters it heard from within {@code syncLimitTicks}, itself included, are no
 *       longer a quorum; a learner silent that long is dropped.
 *   <li>A voter that reports an accepted epoch above the chosen one could never join this
 *       leadership (it refuses a lower epoch, as Zab requires). Where ZooKeeper leaves it outside
 *       until some later election, this leader gives up at once, and its next leadership (see
 *       {@link #highestReportedEpoch()}) proposes above that epoch, so the voter can join. Choosing
 *       a higher epoch is always safe.
 * </ol>
 *
 * <p><b>Where part 2 goes</b>: {@link #beginSync} is called for each learner once its epoch
 * acknowledgement counts and the leadership is established. Today it marks the learner synced at
 * once. Replication replaces it with DIFF / TRUNC / SNAP and NEWLEADER, and moves {@link
 * PeerEffect.Established} after a quorum acknowledged NEWLEADER; PROPOSAL/ACK/COMMIT (broadcast)
 * come after that.
 */
public final class LeaderRole implements Role {
    /** Where discovery stands. */
    public enum Phase {
        /** Waiting for FOLLOWERINFO from a quorum of voters. */
        GATHERING_INFO,
        /** The new epoch is chosen; waiting for it to be durable as our accepted epoch. */
        PERSISTING_ACCEPTED,
        /** LEADERINFO sent; waiting for ACKEPOCH from a quorum of voters. */
        GATHERING_ACKS,
        /** A quorum acknowledged; waiting for the new epoch to be durable as our current epoch. */
        PERSISTING_CURRENT,
        /** Leading the epoch: pinging, watching the quorum. */
        ESTABLISHED
    }

    private enum LearnerPhase { INFO_RECEIVED, LEADERINFO_SENT, ACKED, SYNCED }

    private static final class Learner {
        final boolean voter;
        LearnerPhase phase = LearnerPhase.INFO_RECEIVED;
        long lastHeardTick;

        Learner(boolean voter, long nowTick) {
            this.voter = voter;
            this.lastHeardTick = nowTick;
        }
    }

    /** The largest epoch an ACKEPOCH's int can carry; ZooKeeper never gets near it. */
    private static final long EPOCH_MAX = Integer.MAX_VALUE;

    private final PeerConfig config;
    private final Epochs epochs;
    private final long lastZxid;
    /** ZooKeeper's leaderStateSummary: our (currentEpoch, lastZxid) before this role. */
    private final long summaryCurrentEpoch;
    private final Map<Long, Learner> learners = new TreeMap<>();
    /** Voters (us included) that reported before the epoch was chosen; never shrinks, as in ZooKeeper. */
    private final Set<Long> reported = new TreeSet<>();
    /** Voters (us included) whose epoch acknowledgement counts. */
    private final Set<Long> acked = new TreeSet<>();
    private Phase phase = Phase.GATHERING_INFO;
    private long proposedEpoch;
    private long newEpoch = -1;
    private long highestReportedEpoch;
    private long nowTick;
    private long deadlineTick;
    private String exitReason;

    /** Takes the role at {@code nowTick}: discovery starts with our own report. */
    public LeaderRole(PeerConfig config, Epochs epochs, long lastZxid, long nowTick, List<PeerEffect> effects) {
        this(config, epochs, lastZxid, 0, nowTick, effects);
    }

    /**
     * Takes the role at {@code nowTick}, proposing an epoch above {@code epochFloor} too: the highest
     * accepted epoch a learner reported to an earlier leadership of this server.
     */
    public LeaderRole(PeerConfig config, Epochs epochs, long lastZxid, long epochFloor, long nowTick,
            List<PeerEffect> effects) {
        if (!config.voters().isVoter(config.sid())) {
            throw new IllegalArgumentException("an observer cannot lead: " + config.sid());
        }
        this.config = config;
        this.epochs = epochs;
        this.lastZxid = lastZxid;
        this.summaryCurrentEpoch = epochs.durableCurrentEpoch();
        this.nowTick = nowTick;
        this.deadlineTick = nowTick + config.zabTimings().initLimitTicks();
        this.proposedEpoch = Math.max(epochs.acceptedEpoch(), epochFloor) + 1;
        this.highestReportedEpoch = epochFloor;
        reported.add(config.sid());
        maybeChooseEpoch(effects);
    }

    @Override
    public void step(PeerEvent event, List<PeerEffect> effects) {
        if (exitReason != null) {
            throw new IllegalStateException("role already ended: " + exitReason);
        }
        if (event instanceof PeerEvent.Tick tick) {
            nowTick = Math.max(nowTick, tick.nowTick());
            onTick(effects);
        } else if (event instanceof PeerEvent.QuorumReceived received) {
            onPacket(received.fromSid(), received.packet(), effects);
        } else if (event instanceof PeerEvent.PeerDown down) {
            learners.remove(down.sid()); // its reports and acks stay counted, as in ZooKeeper
        } else if (event instanceof PeerEvent.EpochsPersisted) {
            onPersisted(effects);
        }
    }

    private void onTick(List<PeerEffect> effects) {
        if (phase != Phase.ESTABLISHED) {
            if (nowTick >= deadlineTick) {
                giveUp("initLimit passed in " + phase + ": reported " + reported + ", acked " + acked);
                return;
            }
            dropSilentLearners(effects);
            return;
        }
        dropSilentLearners(effects);
        Set<Long> heard = new TreeSet<>();
        heard.add(config.sid());
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            if (e.getValue().voter && e.getValue().phase == LearnerPhase.SYNCED) {
                heard.add(e.getKey());
            }
        }
        if (!config.voters().containsQuorum(heard)) {
            giveUp("lost the quorum: heard within syncLimit only from " + heard);
            return;
        }
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            if (e.getValue().phase == LearnerPhase.SYNCED) {
                effects.add(new PeerEffect.SendQuorum(e.getKey(), Ping.fromLeader(lastZxid)));
            }
        }
    }

    /** ZooKeeper's learner handlers time out the same way: initLimit in discovery, syncLimit after. */
    private void dropSilentLearners(List<PeerEffect> effects) {
        List<Long> silent = new ArrayList<>();
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            Learner l = e.getValue();
            int limitTicks = l.phase == LearnerPhase.SYNCED
                    ? config.zabTimings().syncLimitTicks() : config.zabTimings().initLimitTicks();
            if (nowTick - l.lastHeardTick > limitTicks) {
                silent.add(e.getKey());
            }
        }
        for (long sid : silent) {
            drop(sid, "silent for more than its limit", effects);
        }
    }

    private void onPacket(long from, QuorumPacket packet, List<PeerEffect> effects) {
        Learner learner = learners.get(from);
        if (learner != null) {
            learner.lastHeardTick = nowTick;
        }
        try {
            switch (packet.type()) {
                case QuorumPacketType.FOLLOWERINFO, QuorumPacketType.OBSERVERINFO ->
                    onLearnerInfo(from, learner, packet, effects);
                case QuorumPacketType.ACKEPOCH -> onAckEpoch(from, learner, packet, effects);
                case QuorumPacketType.PING -> onPing(from, learner, packet, effects);
                default -> drop(from, "unexpected " + QuorumPacketType.name(packet.type()) + " from a learner", effects);
            }
        } catch (PeerProtocolException e) {
            drop(from, e.getMessage(), effects);
        }
    }

    private void onLearnerInfo(long from, Learner known, QuorumPacket packet, List<PeerEffect> effects)
            throws PeerProtocolException {
        if (known != null) {
            drop(from, "a second learner info on one connection", effects);
            return;
        }
        LearnerInfo info = LearnerHandshake.learnerInfo(packet);
        boolean asObserver = packet.type() == QuorumPacketType.OBSERVERINFO;
        long acceptedEpoch = LearnerHandshake.epochOf(packet.zxid());
        String refusal = null;
        if (info.sid() != from) {
            refusal = "learner info names server " + info.sid();
        } else if (asObserver ? !config.observers().contains(from) : !config.voters().isVoter(from)) {
            refusal = "not " + (asObserver ? "an observer" : "a voter") + " in this ensemble";
        } else if (info.protocolVersion() < LearnerInfo.PROTOCOL_VERSION) {
            refusal = "learner protocol 0x" + Integer.toHexString(info.protocolVersion()) + " is older than 0x10000";
        } else if (acceptedEpoch < 0 || acceptedEpoch >= EPOCH_MAX) {
            refusal = "accepted epoch out of range: " + acceptedEpoch;
        }
        if (refusal != null) {
            drop(from, refusal, effects);
            return;
        }
        highestReportedEpoch = Math.max(highestReportedEpoch, acceptedEpoch);
        if (phase != Phase.GATHERING_INFO && !asObserver && acceptedEpoch > newEpoch) {
            // It would refuse our LEADERINFO. (An equal epoch is fine: it answers -1 and joins.)
            drop(from, "accepted epoch " + acceptedEpoch + " is above ours, " + newEpoch, effects);
            giveUp("voter " + from + " accepted epoch " + acceptedEpoch + ", above ours (" + newEpoch
                    + "): re-electing to lead above it");
            return;
        }
        learners.put(from, new Learner(!asObserver, nowTick));
        if (phase == Phase.GATHERING_INFO) {
            // ZooKeeper's getEpochToPropose: every report before the choice raises the epoch; only voters count.
            proposedEpoch = Math.max(proposedEpoch, acceptedEpoch + 1);
            if (!asObserver) {
                reported.add(from);
            }
            maybeChooseEpoch(effects);
        } else if (phase != Phase.PERSISTING_ACCEPTED) {
            sendLeaderInfo(from, effects);
        } // while our accepted epoch is being written, onPersisted sends it
    }

    private void onAckEpoch(long from, Learner learner, QuorumPacket packet, List<PeerEffect> effects)
            throws PeerProtocolException {
        if (learner == null || learner.phase != LearnerPhase.LEADERINFO_SENT) {
            drop(from, "ACKEPOCH before LEADERINFO", effects);
            return;
        }
        int ackedCurrent = LearnerHandshake.ackedCurrentEpoch(packet);
        if (ackedCurrent < LearnerHandshake.EPOCH_ALREADY_ACCEPTED) {
            drop(from, "ACKEPOCH with current epoch " + ackedCurrent, effects);
            return;
        }
        learner.phase = LearnerPhase.ACKED;
        if (ackedCurrent != LearnerHandshake.EPOCH_ALREADY_ACCEPTED) {
            if (isAheadOfUs(ackedCurrent, packet.zxid())) {
                drop(from, "learner is ahead of the leader: its (currentEpoch, lastZxid) = (" + ackedCurrent
                        + ", 0x" + Long.toHexString(packet.zxid()) + "), ours (" + summaryCurrentEpoch + ", 0x"
                        + Long.toHexString(lastZxid) + ")", effects);
                return;
            }
            if (learner.voter) {
                acked.add(from);
            }
        }
        if (phase == Phase.GATHERING_ACKS) {
            maybeEstablishQuorum(effects);
        } else if (phase == Phase.ESTABLISHED) {
            beginSync(from, learner, effects);
        } // in PERSISTING_CURRENT, establish() starts its sync
    }

    private void onPing(long from, Learner learner, QuorumPacket packet, List<PeerEffect> effects)
            throws PeerProtocolException {
        if (learner == null || learner.phase != LearnerPhase.SYNCED) {
            drop(from, "PING from a learner that is not synced", effects);
            return;
        }
        Ping.touches(packet); // validated; session touches matter from part 2 on
    }

    private boolean isAheadOfUs(long learnerCurrentEpoch, long learnerLastZxid) {
        return learnerCurrentEpoch > summaryCurrentEpoch
                || learnerCurrentEpoch == summaryCurrentEpoch && learnerLastZxid > lastZxid;
    }

    private void maybeChooseEpoch(List<PeerEffect> effects) {
        if (phase != Phase.GATHERING_INFO || !config.voters().containsQuorum(reported)) {
            return;
        }
        if (proposedEpoch > EPOCH_MAX) {
            giveUp("no epoch left: " + proposedEpoch);
            return;
        }
        newEpoch = proposedEpoch;
        phase = Phase.PERSISTING_ACCEPTED;
        epochs.accept(newEpoch, effects);
    }

    private void onPersisted(List<PeerEffect> effects) {
        if (phase == Phase.PERSISTING_ACCEPTED && epochs.durableAcceptedEpoch() >= newEpoch) {
            phase = Phase.GATHERING_ACKS;
            deadlineTick = nowTick + config.zabTimings().initLimitTicks();
            acked.add(config.sid()); // our own ack: we accepted the epoch first (waitForEpochAck(self))
            for (Map.Entry<Long, Learner> e : learners.entrySet()) {
                if (e.getValue().phase == LearnerPhase.INFO_RECEIVED) {
                    sendLeaderInfo(e.getKey(), effects);
                }
            }
            maybeEstablishQuorum(effects);
        } else if (phase == Phase.PERSISTING_CURRENT && epochs.durableCurrentEpoch() >= newEpoch) {
            establish(effects);
        }
    }

    private void sendLeaderInfo(long sid, List<PeerEffect> effects) {
        effects.add(new PeerEffect.SendQuorum(sid, LearnerHandshake.leaderInfo(newEpoch, LearnerInfo.PROTOCOL_VERSION)));
        learners.get(sid).phase = LearnerPhase.LEADERINFO_SENT;
    }

    private void maybeEstablishQuorum(List<PeerEffect> effects) {
        if (config.voters().containsQuorum(acked)) {
            phase = Phase.PERSISTING_CURRENT;
            epochs.makeCurrent(newEpoch, effects);
        }
    }

    private void establish(List<PeerEffect> effects) {
        if (!config.voters().containsQuorum(acked) || epochs.durableCurrentEpoch() != newEpoch) {
            throw new IllegalStateException("establishing epoch " + newEpoch + " without a quorum " + acked
                    + " or with " + epochs);
        }
        phase = Phase.ESTABLISHED;
        effects.add(new PeerEffect.Established(newEpoch, acked));
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            if (e.getValue().phase == LearnerPhase.ACKED) {
                beginSync(e.getKey(), e.getValue(), effects);
            }
        }
    }

    /**
     * PART 2 GOES HERE: sync this learner (DIFF / TRUNC / SNAP, then NEWLEADER; its ACK; UPTODATE).
     * Until then a learner whose epoch acknowledgement arrived is synced at once and pinged.
     */
    private void beginSync(long sid, Learner learner, List<PeerEffect> effects) {
        learner.phase = LearnerPhase.SYNCED;
        learner.lastHeardTick = nowTick;
    }

    private void drop(long sid, String reason, List<PeerEffect> effects) {
        learners.remove(sid);
        effects.add(new PeerEffect.DropPeer(sid, reason));
    }

    private void giveUp(String reason) {
        exitReason = reason;
    }

    @Override
    public ServerState state() {
        return ServerState.LEADING;
    }

    @Override
    public String exitReason() {
        return exitReason;
    }

    @Override
    public long establishedEpoch() {
        return phase == Phase.ESTABLISHED ? newEpoch : -1;
    }

    /** The highest accepted epoch any learner reported (or the floor this role started with). */
    public long highestReportedEpoch() {
        return highestReportedEpoch;
    }

    /** The epoch chosen for this leadership, or -1 before a quorum reported. */
    public long newEpoch() {
        return newEpoch;
    }

    public Phase phase() {
        return phase;
    }

    @Override
    public List<Long> connectedPeers() {
        return List.copyOf(learners.keySet());
    }

    /** Learners connected in this role, followers and observers (ZooKeeper's {@code zk_learners}). */
    public int learnerCount() {
        return learners.size();
    }

    /** Synced learners that vote ({@code zk_synced_followers}) or not ({@code zk_synced_observers}). */
    public int syncedLearnerCount(boolean voters) {
        int n = 0;
        for (Learner l : learners.values()) {
            if (l.phase == LearnerPhase.SYNCED && l.voter == voters) {
                n++;
            }
        }
        return n;
    }
}
