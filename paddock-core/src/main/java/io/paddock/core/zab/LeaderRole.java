package io.paddock.core.zab;

import io.paddock.core.election.ServerState;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.core.wire.quorum.Revalidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.NavigableMap;

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
 *   <li>While the epoch is being decided, a learner that reports a (currentEpoch, lastZxid) ahead
 *       of the leader's is refused (its connection dropped), as ZooKeeper's {@code waitForEpochAck}
 *       does: the election should not have chosen us. Once the epoch is decided, such a learner is
 *       truncated instead (its extra transactions were never committed: a quorum took our history),
 *       as ZooKeeper does for learners that come after the election.
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
 * <p><b>Sync</b> (once the epoch is established by a quorum of epoch acknowledgements and our own
 * current epoch is durable): each acknowledged learner gets its sync mode chosen from its last zxid
 * (ACKEPOCH) against our history ({@link ZabHost}): DIFF when its last zxid is a transaction of our
 * history within the in-memory window (the same zxid means the same transaction, and two histories
 * that share a transaction share everything before it), TRUNC to our last zxid when it is ahead of
 * us (what it holds past our history is uncommitted; ZooKeeper's leader sends the same TRUNC to its
 * maxCommittedLog, in any epoch), TRUNC to the last zxid of our history below its own and the
 * transactions after it when its tail went another way within one epoch (both are prefixes of that
 * epoch's one leader's proposals, so it holds that point), SNAP otherwise (our applied state, then
 * the rest of our history; ZooKeeper's leader too sends no TRUNC across an epoch boundary there). A
 * learner whose last zxid is an epoch's start (counter 0: a ZooKeeper leader's snapshot says so
 * before its first write) never gets TRUNC, as with ZooKeeper. The mode's zxid is a committed point
 * (DIFF: the last committed, or our whole history before we lead; TRUNC only happens before any
 * proposal of ours or to a committed point, so its point is committed too; SNAP: our applied state), which the learner applies once
 * UPTODATE arrives. The transactions follow as PROPOSAL + COMMIT
 * (PROPOSAL alone for a proposal of this epoch not committed yet; observers get only committed
 * ones), then NEWLEADER. A learner's COMMITs before UPTODATE are only applied once UPTODATE
 * arrives: UPTODATE means a quorum took our history.
 *
 * <p>We lead ({@link PeerEffect.Established}, serving clients) once a quorum of voters acknowledged
 * NEWLEADER, ourselves among them once our whole history is durable (so the host applies it at
 * once and prepares new transactions on a tree that holds every committed one), within {@code initLimitTicks}
 * of starting the sync; our whole history is then committed ({@link PeerEffect.Commit}) and every
 * learner that acknowledged gets UPTODATE. A learner that comes later is synced the same way and
 * gets UPTODATE as soon as it acknowledges NEWLEADER.
 *
 * <p><b>Broadcast</b>: the host proposes each prepared transaction ({@link PeerEvent.Propose}); it
 * goes as PROPOSAL to every follower being synced or synced; it commits, strictly in zxid order,
 * once a quorum of voters acknowledged it (ourselves once our log made it durable,
 * {@link PeerEvent.LogDurable}); then COMMIT to followers and INFORM (with the transaction) to
 * observers. Learners' PINGs report their clients' sessions ({@link PeerEffect.TouchSessions});
 * their forwarded requests go to the host ({@link PeerEffect.Forwarded}).
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
        /** Learners are being synced; waiting for a quorum of NEWLEADER acknowledgements. */
        SYNCING,
        /** Leading the epoch: broadcasting, pinging, watching the quorum. */
        ESTABLISHED
    }

    private enum LearnerPhase {
        INFO_RECEIVED, LEADERINFO_SENT, ACKED,
        /** Sync packets and NEWLEADER sent; it gets every proposal from now on. */
        SYNCING,
        /** It acknowledged NEWLEADER; UPTODATE waits until we lead. */
        NEWLEADER_ACKED,
        /** UPTODATE sent: it serves clients. */
        SYNCED;

        boolean forwarding() {
            return this == SYNCING || this == NEWLEADER_ACKED || this == SYNCED;
        }
    }

    private static final class Learner {
        final boolean voter;
        LearnerPhase phase = LearnerPhase.INFO_RECEIVED;
        long lastHeardTick;
        /** Its last logged zxid, from ACKEPOCH. */
        long lastZxid;
        /** Synced by DIFF: its own history up to {@link #lastZxid} is ours, so its NEWLEADER ACK covers it. */
        boolean diffed;
        /** Its SNAP waits until we are established (see {@link #beginSync}); it stays ACKED meanwhile. */
        boolean snapDeferred;

        Learner(boolean voter, long nowTick) {
            this.voter = voter;
            this.lastHeardTick = nowTick;
        }
    }

    /** The largest epoch an ACKEPOCH's int can carry; ZooKeeper never gets near it. */
    private static final long EPOCH_MAX = Integer.MAX_VALUE;

    private final PeerConfig config;
    private final Epochs epochs;
    private final ZabHost host;
    /** Our last zxid when the role began (the leaderStateSummary's); the history may grow later. */
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
    /** Voters (us included) that acknowledged NEWLEADER of this epoch. */
    private final Set<Long> newLeaderAcked = new TreeSet<>();
    /** Proposals of this epoch not yet committed, oldest first, with the voters that acknowledged each. */
    private final NavigableMap<Long, Outstanding> outstanding = new TreeMap<>();
    /** The last committed zxid once established. */
    private long lastCommitted = -1;
    private long lastProposed;

    private record Outstanding(byte[] data, Set<Long> acks) {}

    /** A zxid's counter, its low 32 bits. */
    private static final long COUNTER_MASK = 0xffffffffL;

    /** The client op code of sync, as a forwarded REQUEST carries it. */
    private static final int SYNC_OP = 9;
    /** Learners' syncs waiting for the proposal that was last when they came (keyed by its zxid) to commit. */
    private final NavigableMap<Long, List<Long>> pendingSyncs = new TreeMap<>();
    /** The sizes of this role's proposals (ZooKeeper's {@code proposalStats}); -1 until the first. */
    private int lastProposalSize = -1;
    private int minProposalSize = -1;
    private int maxProposalSize = -1;

    /** Takes the role at {@code nowTick}: discovery starts with our own report. */
    public LeaderRole(PeerConfig config, Epochs epochs, long lastZxid, long nowTick, List<PeerEffect> effects) {
        this(config, epochs, ZabHost.empty(lastZxid), 0, nowTick, effects);
    }

    /**
     * Takes the role at {@code nowTick}, proposing an epoch above {@code epochFloor} too: the highest
     * accepted epoch a learner reported to an earlier leadership of this server.
     */
    public LeaderRole(PeerConfig config, Epochs epochs, ZabHost host, long epochFloor, long nowTick,
            List<PeerEffect> effects) {
        if (!config.voters().isVoter(config.sid())) {
            throw new IllegalArgumentException("an observer cannot lead: " + config.sid());
        }
        this.config = config;
        this.epochs = epochs;
        this.host = host;
        this.lastZxid = host.lastLoggedZxid();
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
        } else if (event instanceof PeerEvent.Streaming streaming) {
            Learner l = learners.get(streaming.fromSid());
            if (l != null && l.phase == LearnerPhase.SYNCING) {
                // It takes more of the snapshot it is sent: heard, however long the stream takes (as
                // ZooKeeper's leader, whose writes block while its learner reads, waits initLimit for
                // the learner's answer only once it has written everything).
                l.lastHeardTick = nowTick;
            }
        } else if (event instanceof PeerEvent.EpochsPersisted) {
            onPersisted(effects);
        } else if (event instanceof PeerEvent.LogDurable) {
            onLogDurable(effects);
        } else if (event instanceof PeerEvent.Propose propose) {
            propose(propose.txn(), propose.data(), effects);
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
        QuorumPacket ping = Ping.fromLeader(lastProposed);
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            if (e.getValue().phase == LearnerPhase.SYNCED) {
                effects.add(new PeerEffect.SendQuorum(e.getKey(), ping));
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
                case QuorumPacketType.ACK -> onAck(from, learner, packet, effects);
                case QuorumPacketType.REQUEST -> onRequest(from, learner, packet, effects);
                case QuorumPacketType.REVALIDATE -> onRevalidate(from, learner, packet, effects);
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
        } else if (acceptedEpoch < 0 || acceptedEpoch > EPOCH_MAX) { // EPOCH_MAX itself is a leader's to choose
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
        learner.lastZxid = packet.zxid();
        if (ackedCurrent != LearnerHandshake.EPOCH_ALREADY_ACCEPTED) {
            if (phase == Phase.GATHERING_ACKS && isAheadOfUs(ackedCurrent, packet.zxid())) {
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
        } else if (phase == Phase.SYNCING || phase == Phase.ESTABLISHED) {
            beginSync(from, learner, effects);
        } // in PERSISTING_CURRENT, startSync() starts its sync
    }

    private void onPing(long from, Learner learner, QuorumPacket packet, List<PeerEffect> effects)
            throws PeerProtocolException {
        if (learner == null || learner.phase != LearnerPhase.SYNCED) {
            drop(from, "PING from a learner that is not synced", effects);
            return;
        }
        List<Ping.SessionTouch> touches = Ping.touches(packet);
        if (!touches.isEmpty()) {
            effects.add(new PeerEffect.TouchSessions(touches));
        }
    }

    /**
     * A voter that rejoined us by DIFF already held our proposals up to its last zxid (it logged
     * them before its connection broke, and any ACK it sent for them may have been lost with it).
     * We do not send those again, so it never acknowledges them again: its NEWLEADER ACK, which it
     * sends only once the history it holds is durable, counts as its ACK of each. Without this, a
     * proposal whose ACKs were lost on broken connections could wait for a quorum for ever (seed
     * 770 of the replication simulation: five voters, nothing ever committed). ZooKeeper's leader
     * gets there instead by truncating such a learner to its committed point and sending the
     * proposals again.
     */
    private void countHeldProposals(long from, Learner learner, List<PeerEffect> effects) {
        if (!learner.voter || !learner.diffed) {
            return;
        }
        boolean any = false;
        for (Map.Entry<Long, Outstanding> e : outstanding.headMap(learner.lastZxid, true).entrySet()) {
            any |= e.getValue().acks().add(from);
        }
        if (any) {
            tryCommit(effects);
        }
    }

    private void onAck(long from, Learner learner, QuorumPacket packet, List<PeerEffect> effects) {
        if (learner == null || !learner.phase.forwarding()) {
            drop(from, "ACK before sync", effects);
            return;
        }
        if (learner.phase == LearnerPhase.SYNCING) {
            if (packet.zxid() != LearnerHandshake.epochZxid(newEpoch)) {
                drop(from, "ACK of 0x" + Long.toHexString(packet.zxid()) + " before NEWLEADER's", effects);
                return;
            }
            learner.phase = LearnerPhase.NEWLEADER_ACKED;
            if (learner.voter) {
                newLeaderAcked.add(from);
            }
            if (phase == Phase.ESTABLISHED) {
                sendUpToDate(from, learner, effects);
                countHeldProposals(from, learner, effects);
            } else {
                maybeLead(effects);
            }
            return;
        }
        if (!learner.voter) {
            return; // observers acknowledge NEWLEADER only; ZooKeeper ignores anything else from them
        }
        Outstanding o = outstanding.get(packet.zxid());
        if (o != null) { // an ACK of a committed proposal, or of NEWLEADER again, counts for nothing
            o.acks().add(from);
            tryCommit(effects);
        }
    }

    private void onRevalidate(long from, Learner learner, QuorumPacket packet, List<PeerEffect> effects)
            throws PeerProtocolException {
        Revalidate.Ask ask = Revalidate.readAsk(packet);
        if (learner == null || phase != Phase.ESTABLISHED
                || (learner.phase != LearnerPhase.SYNCED && learner.phase != LearnerPhase.NEWLEADER_ACKED)) {
            drop(from, "REVALIDATE before it is synced", effects);
            return;
        }
        effects.add(new PeerEffect.Revalidate(from, ask.sessionId(), ask.timeoutMs()));
    }

    private void onRequest(long from, Learner learner, QuorumPacket packet, List<PeerEffect> effects) {
        if (learner == null || phase != Phase.ESTABLISHED
                || (learner.phase != LearnerPhase.SYNCED && learner.phase != LearnerPhase.NEWLEADER_ACKED)) {
            drop(from, "a forwarded request before it is synced", effects);
            return;
        }
        if (isSync(packet)) {
            // ZooKeeper's processSync: answered once every proposal made before it has committed.
            if (outstanding.isEmpty()) {
                effects.add(new PeerEffect.SendQuorum(from, new QuorumPacket(QuorumPacketType.SYNC, 0)));
            } else {
                pendingSyncs.computeIfAbsent(lastProposed, k -> new ArrayList<>()).add(from);
            }
            return;
        }
        effects.add(new PeerEffect.Forwarded(from, packet));
    }

    /** A forwarded request of type sync (REQUEST data: long sessionId, int cxid, int type, ...). */
    private static boolean isSync(QuorumPacket packet) {
        byte[] d = packet.data();
        return d != null && d.length >= 16
                && (((d[12] & 0xff) << 24) | ((d[13] & 0xff) << 16) | ((d[14] & 0xff) << 8) | (d[15] & 0xff)) == SYNC_OP;
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
            startSync(effects);
        }
    }

    private void sendLeaderInfo(long sid, List<PeerEffect> effects) {
        effects.add(new PeerEffect.SendQuorum(sid, LearnerHandshake.leaderInfo(newEpoch, LearnerInfo.PROTOCOL_VERSION)));
        learners.get(sid).phase = LearnerPhase.LEADERINFO_SENT;
    }

    /**
     * A quorum acknowledged the epoch: it becomes our current epoch, but only once the history we
     * logged is durable (the rule a learner keeps at NEWLEADER, and ZooKeeper's leader keeps by
     * taking a snapshot before it sets its current epoch). A current epoch on disk over a history
     * that is not is a vote that wins every later election against servers holding transactions
     * committed before: a leader that logged a sync's transactions as a learner, made its new
     * epoch current, crashed and lost that log tail, came back and truncated them away (the
     * simulator, seed 800777). {@link #onLogDurable} tries again.
     */
    private void maybeEstablishQuorum(List<PeerEffect> effects) {
        if (phase == Phase.GATHERING_ACKS && config.voters().containsQuorum(acked)
                && host.durableZxid() >= host.lastLoggedZxid()) {
            phase = Phase.PERSISTING_CURRENT;
            epochs.makeCurrent(newEpoch, effects);
        }
    }

    /** The epoch is ours: a quorum acknowledged it and our current epoch is durable. Sync begins. */
    private void startSync(List<PeerEffect> effects) {
        if (!config.voters().containsQuorum(acked) || epochs.durableCurrentEpoch() != newEpoch) {
            throw new IllegalStateException("syncing epoch " + newEpoch + " without a quorum " + acked
                    + " or with " + epochs);
        }
        phase = Phase.SYNCING;
        deadlineTick = nowTick + config.zabTimings().initLimitTicks();
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            if (e.getValue().phase == LearnerPhase.ACKED) {
                beginSync(e.getKey(), e.getValue(), effects);
            }
        }
        maybeLead(effects);
    }

    /** Leads once a quorum acknowledged NEWLEADER, ourselves with our history durable. */
    private void maybeLead(List<PeerEffect> effects) {
        if (phase != Phase.SYNCING) {
            return;
        }
        long history = host.lastLoggedZxid();
        if (host.durableZxid() < history) {
            // We count ourselves, as ZooKeeper's leader does, and we must: a leader whose history is
            // not applied would prepare new transactions against a tree that lacks committed ones.
            return;
        }
        newLeaderAcked.add(config.sid());
        if (!config.voters().containsQuorum(newLeaderAcked)) {
            return;
        }
        phase = Phase.ESTABLISHED;
        lastCommitted = history;
        lastProposed = Math.max(history, LearnerHandshake.epochZxid(newEpoch));
        effects.add(new PeerEffect.Established(newEpoch, newLeaderAcked));
        if (history > 0) {
            effects.add(new PeerEffect.Commit(history)); // our whole history: a quorum holds it now
        }
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            if (e.getValue().phase == LearnerPhase.NEWLEADER_ACKED) {
                sendUpToDate(e.getKey(), e.getValue(), effects);
            } else if (e.getValue().snapDeferred && e.getValue().phase == LearnerPhase.ACKED) {
                e.getValue().snapDeferred = false;
                beginSync(e.getKey(), e.getValue(), effects); // a quorum holds our history under our epoch now
            }
        }
    }

    /**
     * Syncs one learner whose epoch acknowledgement arrived: the sync mode, the transactions it
     * lacks, NEWLEADER. From here on it gets every proposal and commit.
     */
    private void beginSync(long sid, Learner learner, List<PeerEffect> effects) {
        long ours = host.lastLoggedZxid();
        long theirs = learner.lastZxid;
        // What is committed: once established, what we committed; before, our whole history, which
        // the learner applies only after UPTODATE, when a quorum holds it.
        long committed = phase == Phase.ESTABLISHED ? lastCommitted : ours;
        List<TxnEnvelope> txns;
        TruncPoint trunc;
        // An epoch's start (counter 0) is no transaction: a learner at one gets no TRUNC (ZooKeeper's
        // leader checks the same), it may have applied that point.
        boolean epochStart = LearnerHandshake.isEpochStart(theirs);
        // A learner past our history: what it has beyond it is uncommitted (a leader's history holds
        // everything committed), so it cuts back to ours (ZooKeeper's TRUNC to its maxCommittedLog).
        // Its history may have gone another way before our last zxid (a later epoch's leader synced
        // it without that transaction): a Paddock learner then cuts to what it holds below and comes
        // again, for a DIFF; a ZooKeeper learner does not check, as under a ZooKeeper leader.
        if (theirs > ours && ours == committed && !epochStart) {
            effects.add(new PeerEffect.SendQuorum(sid, new QuorumPacket(QuorumPacketType.TRUNC, ours)));
            txns = List.of();
        } else if (theirs <= ours && (txns = host.historyAfter(theirs)) != null) {
            effects.add(new PeerEffect.SendQuorum(sid, new QuorumPacket(QuorumPacketType.DIFF, committed)));
            learner.diffed = true;
        } else if (theirs <= ours && !epochStart && (trunc = truncateThenDiff(theirs, committed)) != null) {
            // The learner's last zxid is not in our history: its tail went another way (transactions
            // we lack are uncommitted) after the last point of ours below it, in the same epoch, so
            // it holds that point. It cuts back to it, then takes what follows (ZooKeeper's leader
            // does the same, TRUNC to its prevProposalZxid and a DIFF, and it too refuses to send a
            // TRUNC across an epoch boundary: a learner, ZooKeeper's above all, may lack that point).
            // Not "diffed": its history up to its last zxid is not ours, and every proposal we still
            // wait on goes to it again below, for it to acknowledge after NEWLEADER.
            effects.add(new PeerEffect.SendQuorum(sid, new QuorumPacket(QuorumPacketType.TRUNC, trunc.point())));
            txns = trunc.after();
        } else {
            long point = host.snapshotPoint(theirs);
            // What the learner may hold of our history (everything it holds that is committed is in
            // it, and at or below its last zxid): a SNAP at or above that cuts nothing committed.
            long heldOfOurs = host.lastHeldAtOrBelow(theirs);
            if (phase != Phase.ESTABLISHED && theirs > point && heldOfOurs > point) {
                // Before we are established our tree lacks our history (it is applied once a quorum
                // holds it), so a SNAP now would be of a point below it: the learner would install it
                // at once and cut its durable log below transactions it may hold committed, with its
                // current epoch still vouching for them (a vote that can then win and truncate them
                // elsewhere; a review found the way with five voters). It waits until we are
                // established: a quorum then holds our history durably under our epoch, which outvotes
                // the learner's, so what a SNAP cuts from it is held where it counts. (ZooKeeper's
                // leader has no such gap: its tree holds everything it logged.) A learner with nothing
                // past the point loses nothing and goes now, and so does one whose last zxid lies
                // past the point only with transactions we do not hold (uncommitted): the last of our
                // history at or below its zxid is at or below the point, so the SNAP holds all it may
                // hold committed. Only a learner whose tail went another way across an epoch boundary
                // (or that sits at an epoch's start) after a transaction of ours above the point waits:
                // one past our history gets TRUNC above, one within an epoch TRUNC and a DIFF. If every
                // other voter is such a learner, this leadership ends at initLimit.
                learner.snapDeferred = true;
                return;
            }
            effects.add(new PeerEffect.SendSnapshot(sid, point, host.snapshot()));
            txns = host.historyAfter(point);
        }
        for (TxnEnvelope txn : txns) {
            long z = txn.zxid();
            if (!learner.voter && z > committed) {
                break; // an observer hears of the rest through INFORM once each commits
            }
            Outstanding o = outstanding.get(z);
            byte[] data = o != null ? o.data() : ProposalCodec.encodeFromHistory(txn, host.digestOf(z));
            effects.add(new PeerEffect.SendQuorum(sid, new QuorumPacket(QuorumPacketType.PROPOSAL, z, data, null)));
            if (z <= committed) {
                effects.add(new PeerEffect.SendQuorum(sid, new QuorumPacket(QuorumPacketType.COMMIT, z)));
            }
        }
        effects.add(new PeerEffect.SendQuorum(sid,
                new QuorumPacket(QuorumPacketType.NEWLEADER, LearnerHandshake.epochZxid(newEpoch))));
        learner.phase = LearnerPhase.SYNCING;
        learner.lastHeardTick = nowTick;
    }

    /** A TRUNC point and the history after it, for {@link #truncateThenDiff}. */
    private record TruncPoint(long point, List<TxnEnvelope> after) {}

    /**
     * For a learner whose last zxid {@code theirs} our history does not hold: the last zxid of our
     * history below it, if in the same epoch (the learner then holds it: an epoch's transactions are
     * one run of its leader's proposals) and committed (the learner applies up to the TRUNC point at
     * UPTODATE), and what follows it; null otherwise, or when our in-memory window does not reach
     * below {@code theirs}.
     */
    private TruncPoint truncateThenDiff(long theirs, long committed) {
        long point = host.lastHeldAtOrBelow(theirs);
        if (point <= 0 || point >= theirs || point > committed
                || LearnerHandshake.epochOf(point) != LearnerHandshake.epochOf(theirs)) {
            return null;
        }
        List<TxnEnvelope> after = host.historyAfter(point);
        return after == null ? null : new TruncPoint(point, after);
    }

    private void sendUpToDate(long sid, Learner learner, List<PeerEffect> effects) {
        effects.add(new PeerEffect.SendQuorum(sid, new QuorumPacket(QuorumPacketType.UPTODATE, -1)));
        learner.phase = LearnerPhase.SYNCED;
        learner.lastHeardTick = nowTick;
    }

    private void onLogDurable(List<PeerEffect> effects) {
        if (phase == Phase.GATHERING_ACKS) {
            maybeEstablishQuorum(effects);
        } else if (phase == Phase.SYNCING) {
            maybeLead(effects);
        } else if (phase == Phase.ESTABLISHED) {
            long durable = host.durableZxid();
            for (Map.Entry<Long, Outstanding> e : outstanding.headMap(durable, true).entrySet()) {
                e.getValue().acks().add(config.sid());
            }
            tryCommit(effects);
        }
    }

    /** Broadcasts a transaction the host prepared and handed to its log. */
    private void propose(TxnEnvelope txn, byte[] data, List<PeerEffect> effects) {
        long z = txn.zxid();
        if (phase != Phase.ESTABLISHED || z <= lastProposed || LearnerHandshake.epochOf(z) != newEpoch) {
            throw new IllegalStateException("proposal 0x" + Long.toHexString(z) + " in " + phase + " of epoch "
                    + newEpoch + " after 0x" + Long.toHexString(lastProposed));
        }
        lastProposed = z;
        if ((z & COUNTER_MASK) == COUNTER_MASK) {
            // ZooKeeper's rule (Leader.propose): the counter's last value is never proposed; the
            // leader steps down so the next election starts a new epoch. The transaction stays in
            // our log, uncommitted, like any proposal a leader made before it lost its role.
            giveUp("the zxid counter of epoch " + newEpoch + " is exhausted: re-electing for a new epoch");
            return;
        }
        lastProposalSize = data.length;
        minProposalSize = minProposalSize < 0 ? data.length : Math.min(minProposalSize, data.length);
        maxProposalSize = Math.max(maxProposalSize, data.length);
        Set<Long> acks = new TreeSet<>();
        if (host.durableZxid() >= z) {
            acks.add(config.sid());
        }
        outstanding.put(z, new Outstanding(data, acks));
        QuorumPacket proposal = new QuorumPacket(QuorumPacketType.PROPOSAL, z, data, null);
        for (Map.Entry<Long, Learner> e : learners.entrySet()) {
            if (e.getValue().voter && e.getValue().phase.forwarding()) {
                effects.add(new PeerEffect.SendQuorum(e.getKey(), proposal));
            }
        }
        tryCommit(effects);
    }

    /** Commits, in zxid order, every proposal at the head that a quorum of voters acknowledged. */
    private void tryCommit(List<PeerEffect> effects) {
        long before = lastCommitted;
        while (!outstanding.isEmpty() && config.voters().containsQuorum(outstanding.firstEntry().getValue().acks())) {
            Map.Entry<Long, Outstanding> head = outstanding.pollFirstEntry();
            long z = head.getKey();
            lastCommitted = z;
            QuorumPacket commit = new QuorumPacket(QuorumPacketType.COMMIT, z);
            QuorumPacket inform = new QuorumPacket(QuorumPacketType.INFORM, z, head.getValue().data(), null);
            for (Map.Entry<Long, Learner> e : learners.entrySet()) {
                if (e.getValue().phase.forwarding()) {
                    effects.add(new PeerEffect.SendQuorum(e.getKey(), e.getValue().voter ? commit : inform));
                }
            }
            // A learner's sync is answered right behind the commit it waited for, before the commit
            // of anything proposed after it: the learner answers its client in that order (the
            // sync, then a write the client sent after the sync).
            var due = pendingSyncs.headMap(z, true);
            for (List<Long> sids : due.values()) {
                for (long sid : sids) {
                    if (learners.containsKey(sid)) {
                        effects.add(new PeerEffect.SendQuorum(sid, new QuorumPacket(QuorumPacketType.SYNC, 0)));
                    }
                }
            }
            due.clear();
        }
        if (lastCommitted != before) {
            effects.add(new PeerEffect.Commit(lastCommitted));
        }
    }

    private void drop(long sid, String reason, List<PeerEffect> effects) {
        learners.remove(sid);
        effects.add(new PeerEffect.DropPeer(sid, reason));
    }

    private void giveUp(String reason) {
        exitReason = reason;
    }

    /** Ends the role from outside (the peer learned no quorum can follow it this round). */
    void abandon(String reason) {
        if (exitReason == null) {
            giveUp(reason);
        }
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

    /** The last zxid committed in this leadership, or -1 before it leads. */
    public long lastCommitted() {
        return lastCommitted;
    }

    /** Proposals not yet committed. */
    public int outstandingProposals() {
        return outstanding.size();
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

    /**
     * The proposals learners' syncs wait on to commit ({@code zk_pending_syncs}: ZooKeeper counts
     * the zxids waited on, not the syncs).
     */
    public int pendingSyncCount() {
        return pendingSyncs.size();
    }

    /** {@code srst}: the proposal sizes start again at -1 (ZooKeeper's StatResetCommand resets them). */
    public void resetProposalSizes() {
        lastProposalSize = -1;
        minProposalSize = -1;
        maxProposalSize = -1;
    }

    /**
     * The data sizes of this role's proposals, last, smallest and largest, as ZooKeeper's leader
     * prints them ({@code Proposal sizes last/min/max:}); {@code {-1, -1, -1}} before the first.
     * Proposals re-sent in a learner's sync are not counted.
     */
    public int[] proposalSizes() {
        return new int[] {lastProposalSize, minProposalSize, maxProposalSize};
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
