package io.paddock.core.zab;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.DecodeResult;
import io.paddock.core.wire.quorum.ZooKeeperSnapReader;
import io.paddock.core.wire.quorum.ZooKeeperSnapWriter;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.core.wire.quorum.Revalidate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The learner's side of Zab discovery (ZooKeeper's {@code Learner.registerWithLeader}) and of
 * staying with the leader, shared by {@link FollowerRole} and {@link ObserverRole}: they differ in
 * the packet they introduce themselves with and in whether the leader counts them.
 *
 * <p><b>Assumes</b>: the election named the leader; the connection to it is ordered and lossless
 * while it lasts, and its loss is a {@link PeerEvent.PeerDown}; epoch writes complete in order.
 *
 * <p><b>Guarantees</b>:
 * <ol>
 *   <li>It reports its accepted epoch (FOLLOWERINFO / OBSERVERINFO), again after a failed connection,
 *       until LEADERINFO arrives; if none does within {@code initLimitTicks}, it gives up.
 *   <li>On LEADERINFO with an epoch above its accepted epoch it persists that epoch as accepted and
 *       sends ACKEPOCH (its current epoch, last zxid) only once the write is durable; with an equal
 *       epoch it answers -1 (its ack does not count again), also only once the epoch is durable;
 *       with a lower epoch it gives up (that leader is stale).
 *   <li>It answers every leader PING (with its clients' sessions, {@link ZabHost#takeTouchedSessions}),
 *       and gives up when the leader is silent for more than {@code syncLimitTicks} once synced
 *       ({@code initLimitTicks} before), or when the connection closes after LEADERINFO; a peer that
 *       is not its leader gets its connection dropped.
 *   <li><b>Sync</b>: after ACKEPOCH it takes the leader's sync mode: DIFF (nothing to change), TRUNC
 *       (drop the history after a zxid; refused below what it applied, which is committed, and cut
 *       short, to sync again, when its history does not hold that zxid), or SNAP
 *       (the leader's state replaces its own). Every PROPOSAL is logged; COMMITs are remembered but
 *       applied only once UPTODATE arrives.
 *   <li>On NEWLEADER it waits until everything it logged is durable, then persists the new epoch as
 *       its current epoch, then acknowledges NEWLEADER (ZOOKEEPER-3911's lesson: a learner that
 *       acknowledged holds the history it acknowledged, and a current epoch never claims a history
 *       that is not on disk). Then it acknowledges the proposals it logged during sync that were
 *       not committed (a voter), and every later proposal once durable.
 *   <li>On UPTODATE it applies what was committed and serves clients ({@link PeerEffect.Synced});
 *       from then on every COMMIT (an observer: INFORM) is applied as it comes.
 * </ol>
 */
public abstract sealed class LearnerRole implements Role permits FollowerRole, ObserverRole {
    /** Where this learner stands with its leader. */
    public enum Phase {
        /** Learner info sent (or to be re-sent); waiting for LEADERINFO. */
        CONNECTING,
        /** LEADERINFO received; waiting for the new accepted epoch to be durable before ACKEPOCH. */
        PERSISTING,
        /** ACKEPOCH sent; waiting for the sync mode (DIFF, TRUNC or SNAP). */
        ACKED,
        /** Taking the leader's transactions; waiting for NEWLEADER. */
        SYNCING,
        /** NEWLEADER came: waiting for the history, then the current epoch, to be durable before its ACK. */
        PERSISTING_HISTORY,
        /** NEWLEADER acknowledged; waiting for UPTODATE. */
        NEWLEADER_ACKED,
        /** Following (or observing) the established leader, serving clients. */
        SYNCED
    }

    private static final long NO_RETRY = Long.MAX_VALUE;

    private final PeerConfig config;
    private final Epochs epochs;
    private final ZabHost host;
    private final long leaderSid;
    private Phase phase = Phase.CONNECTING;
    private long nowTick;
    private long lastHeardTick;
    private long retryAtTick = NO_RETRY;
    private long newEpoch = -1;
    private int ackCurrentEpoch;
    private String exitReason;
    /** The highest COMMIT (or INFORM) heard; applied once synced. */
    private long commitMark;
    /** Proposals logged during sync, to acknowledge after NEWLEADER's ACK unless committed by then. */
    private final List<Long> syncProposals = new ArrayList<>();
    /** Proposals logged after NEWLEADER's ACK, to acknowledge once durable, oldest first. */
    private final ArrayDeque<Long> toAck = new ArrayDeque<>();
    private long newLeaderZxid;
    /**
     * The zxid of the snapshot installed in this sync (SNAP), or -1. A transaction up to it is in the
     * tree already and is skipped. Every transaction logged while syncing (before NEWLEADER) is
     * marked to be applied as a replay: after a SNAP it may be in the snapshot too (a ZooKeeper
     * leader serializes its tree while it applies and forwards transactions, and sends them all
     * before NEWLEADER), and after a sync that was cut short after one, the next sync (by DIFF)
     * sends the rest of them. On a tree that holds none of them a replay is the plain apply.
     */
    private long snapZxid = -1;
    /** The history is durable and the current epoch asked for; NEWLEADER's ACK waits for the epoch. */
    private boolean pendingNewLeaderAck;

    LearnerRole(PeerConfig config, Epochs epochs, ZabHost host, long leaderSid, long nowTick,
            List<PeerEffect> effects) {
        this(config, epochs, host, leaderSid, nowTick, 0, effects);
    }

    /**
     * As the other constructor, sending its learner info only after {@code firstInfoDelayTicks}
     * (a back-off after syncs that failed, see {@link QuorumPeerCore}); 0 sends it at once.
     */
    LearnerRole(PeerConfig config, Epochs epochs, ZabHost host, long leaderSid, long nowTick,
            int firstInfoDelayTicks, List<PeerEffect> effects) {
        if (leaderSid == config.sid() || !config.voters().isVoter(leaderSid)) {
            throw new IllegalArgumentException("server " + config.sid() + " cannot learn from " + leaderSid);
        }
        this.config = config;
        this.epochs = epochs;
        this.leaderSid = leaderSid;
        this.host = host;
        this.nowTick = nowTick;
        this.lastHeardTick = nowTick;
        if (firstInfoDelayTicks > 0) {
            retryAtTick = nowTick + firstInfoDelayTicks;
        } else {
            sendInfo(effects);
        }
    }

    /** True if the leader had answered (LEADERINFO) but the sync did not finish: a failed sync. */
    final boolean failedInSync() {
        return phase != Phase.CONNECTING && phase != Phase.SYNCED;
    }

    /** FOLLOWERINFO or OBSERVERINFO. */
    abstract QuorumPacket infoPacket(long acceptedEpoch, LearnerInfo info);

    @Override
    public final void step(PeerEvent event, List<PeerEffect> effects) {
        if (exitReason != null) {
            throw new IllegalStateException("role already ended: " + exitReason);
        }
        if (event instanceof PeerEvent.Tick tick) {
            nowTick = Math.max(nowTick, tick.nowTick());
            onTick(effects);
        } else if (event instanceof PeerEvent.QuorumReceived received) {
            if (received.fromSid() != leaderSid) {
                effects.add(new PeerEffect.DropPeer(received.fromSid(), "not leading: following " + leaderSid));
                return;
            }
            lastHeardTick = nowTick;
            onPacket(received.packet(), effects);
        } else if (event instanceof PeerEvent.SnapshotReceived received) {
            if (received.fromSid() != leaderSid) {
                effects.add(new PeerEffect.DropPeer(received.fromSid(), "not leading: following " + leaderSid));
                return;
            }
            lastHeardTick = nowTick;
            onSyncMode(QuorumPacketType.SNAP, received.zxid(), received.snapshot(), null, effects);
        } else if (event instanceof PeerEvent.Streaming streaming) {
            if (streaming.fromSid() == leaderSid) {
                lastHeardTick = nowTick; // a snapshot is on its way, however long it takes
            }
        } else if (event instanceof PeerEvent.PeerDown down) {
            onPeerDown(down.sid());
        } else if (event instanceof PeerEvent.EpochsPersisted) {
            maybeAck(effects);
            maybeAckNewLeader(effects);
        } else if (event instanceof PeerEvent.LogDurable) {
            maybePersistHistory(effects);
            ackDurable(effects);
        }
    }

    private void onTick(List<PeerEffect> effects) {
        int limitTicks = phase == Phase.SYNCED
                ? config.zabTimings().syncLimitTicks() : config.zabTimings().initLimitTicks();
        if (nowTick - lastHeardTick > limitTicks) {
            giveUp("leader " + leaderSid + " silent for more than " + limitTicks + " ticks in " + phase);
            return;
        }
        if (phase == Phase.CONNECTING && nowTick >= retryAtTick) {
            sendInfo(effects);
        }
    }

    private void onPeerDown(long sid) {
        if (sid != leaderSid) {
            return;
        }
        if (phase == Phase.CONNECTING) {
            retryAtTick = nowTick + config.zabTimings().learnerRetryTicks(); // it may not lead yet
        } else {
            giveUp("connection to leader " + leaderSid + " closed in " + phase);
        }
    }

    private void onPacket(QuorumPacket packet, List<PeerEffect> effects) {
        try {
            switch (packet.type()) {
                case QuorumPacketType.LEADERINFO -> onLeaderInfo(packet, effects);
                case QuorumPacketType.PING -> onPing(packet, effects);
                case QuorumPacketType.DIFF, QuorumPacketType.TRUNC, QuorumPacketType.SNAP ->
                        onSyncMode(packet.type(), packet.zxid(), null, packet.data(), effects);
                case QuorumPacketType.PROPOSAL -> onProposal(packet, effects);
                case QuorumPacketType.COMMIT -> {
                    if (!observerIgnores(packet.type())) {
                        onCommit(packet.zxid(), effects);
                    }
                }
                case QuorumPacketType.INFORM -> onInform(packet, effects);
                case QuorumPacketType.NEWLEADER -> onNewLeader(packet, effects);
                case QuorumPacketType.UPTODATE -> onUpToDate(effects);
                case QuorumPacketType.SYNC -> {
                    if (phase != Phase.SYNCED) {
                        giveUp("SYNC in " + phase);
                    } else {
                        effects.add(new PeerEffect.SyncAnswered());
                    }
                }
                case QuorumPacketType.REVALIDATE -> {
                    Revalidate.Answer answer = Revalidate.readAnswer(packet);
                    effects.add(new PeerEffect.Revalidated(answer.sessionId(), answer.valid()));
                }
                default -> giveUp("unexpected " + QuorumPacketType.name(packet.type()) + " from leader in " + phase);
            }
        } catch (PeerProtocolException e) {
            giveUp("bad packet from leader: " + e.getMessage());
        }
    }

    private void onLeaderInfo(QuorumPacket packet, List<PeerEffect> effects) throws PeerProtocolException {
        if (phase != Phase.CONNECTING) {
            giveUp("LEADERINFO in " + phase);
            return;
        }
        int version = LearnerHandshake.leaderProtocolVersion(packet);
        if (version < LearnerInfo.PROTOCOL_VERSION) {
            giveUp("leader protocol 0x" + Integer.toHexString(version) + " is older than 0x10000");
            return;
        }
        long epoch = LearnerHandshake.epochOf(packet.zxid());
        long accepted = epochs.acceptedEpoch();
        if (epoch < accepted) {
            giveUp("leader's epoch " + epoch + " is below our accepted epoch " + accepted);
            return;
        }
        newEpoch = epoch;
        phase = Phase.PERSISTING;
        retryAtTick = NO_RETRY;
        if (epoch > accepted) {
            ackCurrentEpoch = (int) epochs.durableCurrentEpoch();
            epochs.accept(epoch, effects);
        } else {
            ackCurrentEpoch = LearnerHandshake.EPOCH_ALREADY_ACCEPTED; // we acked this epoch before
            maybeAck(effects);
        }
    }

    /** The durability rule: ACKEPOCH never leaves before the epoch it acknowledges is on disk. */
    private void maybeAck(List<PeerEffect> effects) {
        if (phase == Phase.PERSISTING && epochs.durableAcceptedEpoch() >= newEpoch) {
            effects.add(new PeerEffect.SendQuorum(leaderSid,
                    LearnerHandshake.ackEpoch(ackCurrentEpoch, host.lastLoggedZxid())));
            phase = Phase.ACKED;
        }
    }

    /**
     * The sync mode: DIFF, TRUNC, or SNAP with its snapshot either read already ({@code snapshot},
     * streamed in ZooKeeper's format and read by the shell) or in the packet's {@code data} (the
     * stream whole, or our own format as Paddock leaders once sent it).
     */
    private void onSyncMode(int type, long z, SnapshotData snapshot, byte[] data, List<PeerEffect> effects) {
        if (phase != Phase.ACKED) {
            giveUp(QuorumPacketType.name(type) + " in " + phase);
            return;
        }
        phase = Phase.SYNCING;
        // The leader's committed point (ZooKeeper's leaders send their last processed zxid with DIFF,
        // and TRUNC or SNAP to a committed point): committed once UPTODATE says a quorum holds it.
        commitMark = Math.max(commitMark, z);
        switch (type) {
            case QuorumPacketType.TRUNC -> {
                long applied = host.appliedZxid();
                if (z < applied && LearnerHandshake.isEpochStart(applied) && applied < host.lastLoggedZxid()) {
                    // We applied an epoch's start (e:0, a ZooKeeper leader's SNAP) and logged past it;
                    // the leader's history ends below e:0, and holds everything committed: nothing of
                    // epoch e after e:0 is committed. Cut back to e:0 and come again: at e:0 we get no
                    // TRUNC but a SNAP, which we take below that label (see SNAP).
                    effects.add(new PeerEffect.Truncate(applied));
                    giveUp("leader asks to truncate to 0x" + Long.toHexString(z) + ", below the epoch start 0x"
                            + Long.toHexString(applied) + " we applied: cut to it instead, to sync again");
                    return;
                }
                if (z < applied) {
                    giveUp("leader asks to truncate to 0x" + Long.toHexString(z) + ", below the committed 0x"
                            + Long.toHexString(applied) + " we applied");
                    return;
                }
                long held = host.lastHeldAtOrBelow(z);
                if (held != z) {
                    // The leader's history ends at z and ours does not hold z: ours went another way
                    // before it (a later epoch's leader synced us to a history without z), so cutting
                    // to z and acknowledging NEWLEADER would claim transactions we lack. What we hold
                    // past z is uncommitted (a leader's history holds everything committed), so we cut
                    // to what we hold below it and try again: the leader then sends what we lack.
                    if (held >= 0 && held < host.lastLoggedZxid()) {
                        effects.add(new PeerEffect.Truncate(held));
                    }
                    giveUp("leader asks to truncate to 0x" + Long.toHexString(z) + ", which our history does not hold:"
                            + " cut to 0x" + Long.toHexString(held) + " instead, to sync again");
                    return;
                }
                if (z < host.lastLoggedZxid()) {
                    effects.add(new PeerEffect.Truncate(z));
                }
            }
            case QuorumPacketType.SNAP -> {
                if (snapshot == null) {
                    byte[] bytes = data == null ? new byte[0] : data;
                    String origin = "SNAP from server " + leaderSid;
                    try {
                        snapshot = ZooKeeperSnapWriter.isStream(bytes) ? readStream(bytes, z, origin)
                                : SnapshotData.decode(bytes, origin);
                    } catch (CorruptSnapshotException | PeerProtocolException | RuntimeException e) {
                        giveUp("the leader's snapshot does not decode: " + e.getMessage());
                        return;
                    }
                }
                String problem = snapshot.installProblem();
                if (problem != null) {
                    giveUp("the leader's snapshot cannot be installed: " + problem);
                    return;
                }
                // A SNAP below what we applied would roll committed state back, unless what we applied
                // is an epoch's start (e:0: a ZooKeeper leader's SNAP says so before its first write).
                // That label names no transaction: the state under it holds what was committed before
                // epoch e, which every later leader's history holds too, whatever epoch it ends in (one
                // elected while we were away may end in e-1). Refusing it, we could never sync with
                // that leader: it has no DIFF from e:0 and sends no TRUNC to an epoch's start.
                if (snapshot.header().lastZxid() != z || (z < host.appliedZxid() && !LearnerHandshake.isEpochStart(host.appliedZxid()))) {
                    giveUp("SNAP 0x" + Long.toHexString(z) + " holds a snapshot at 0x"
                            + Long.toHexString(snapshot.header().lastZxid()) + "; we applied 0x"
                            + Long.toHexString(host.appliedZxid()));
                    return;
                }
                effects.add(new PeerEffect.InstallSnapshot(z, snapshot));
                snapZxid = z;
            }
            default -> { } // DIFF: what follows is all we lack
        }
    }

    /** A SNAP's data as ZooKeeper's stream (the shell hands the stream over whole, bounded already). */
    private static SnapshotData readStream(byte[] data, long zxid, String origin) throws PeerProtocolException {
        ZooKeeperSnapReader reader = new ZooKeeperSnapReader(zxid, 0, Long.MAX_VALUE, origin);
        DecodeResult<Object> r = reader.decode(data, 0, data.length);
        if (!(r instanceof DecodeResult.Complete<Object> c) || !(c.value() instanceof SnapshotData snapshot)) {
            throw new PeerProtocolException(origin + ": ZooKeeper snapshot cut short at " + reader.consumed() + " of "
                    + data.length + " bytes");
        }
        if (c.length() != data.length) {
            throw new PeerProtocolException(origin + ": " + (data.length - c.length()) + " bytes after the signature");
        }
        return snapshot;
    }

    /**
     * An observer's leader sends it INFORM once it is synced; a PROPOSAL or COMMIT then is ignored,
     * as ZooKeeper's Observer does (a voter's packet sent to it, logged, would make the INFORM of
     * the same zxid end the role).
     */
    private boolean observerIgnores(int type) {
        return this instanceof ObserverRole && phase == Phase.SYNCED
                && (type == QuorumPacketType.PROPOSAL || type == QuorumPacketType.COMMIT);
    }

    private void onProposal(QuorumPacket packet, List<PeerEffect> effects) throws PeerProtocolException {
        if (observerIgnores(packet.type())) {
            return;
        }
        if (phase.compareTo(Phase.SYNCING) < 0) {
            giveUp("PROPOSAL in " + phase);
            return;
        }
        if (!logTxn(packet, effects)) {
            return;
        }
        if (phase == Phase.NEWLEADER_ACKED || phase == Phase.SYNCED) {
            toAck.add(packet.zxid());
        } else {
            syncProposals.add(packet.zxid());
        }
    }

    /** Logs a PROPOSAL's or INFORM's transaction, which must come after everything logged. */
    private boolean logTxn(QuorumPacket packet, List<PeerEffect> effects) throws PeerProtocolException {
        long z = packet.zxid();
        if (z <= snapZxid) {
            return false; // in the snapshot installed in this sync (a ZooKeeper leader sends those too)
        }
        if (z <= host.lastLoggedZxid()) {
            giveUp("transaction 0x" + Long.toHexString(z) + " after 0x" + Long.toHexString(host.lastLoggedZxid()));
            return false;
        }
        ZabTxnCodec.Decoded txn = ProposalCodec.decode(packet.data(), z);
        effects.add(new PeerEffect.LogTxn(txn.envelope(), txn.digest(), phase == Phase.SYNCING));
        return true;
    }

    private void onCommit(long z, List<PeerEffect> effects) {
        if (phase.compareTo(Phase.SYNCING) < 0 || z > host.lastLoggedZxid()) {
            giveUp("COMMIT of 0x" + Long.toHexString(z) + " in " + phase + " with history up to 0x"
                    + Long.toHexString(host.lastLoggedZxid()));
            return;
        }
        if (z > commitMark && z > host.appliedZxid() && !host.holdsAboveApplied(z)) {
            // A leader commits only what it proposed to us: a zxid between our transactions (an
            // epoch's gap) would apply everything logged up to it. ZooKeeper's follower stops on
            // such a COMMIT (UNMATCHED_TXN_COMMIT); we give the role up and sync again.
            giveUp("COMMIT of 0x" + Long.toHexString(z) + ", which is no transaction we logged");
            return;
        }
        if (z > commitMark) {
            commitMark = z;
            if (phase == Phase.SYNCED) {
                effects.add(new PeerEffect.Commit(z));
            }
        }
    }

    private void onInform(QuorumPacket packet, List<PeerEffect> effects) throws PeerProtocolException {
        if (phase.compareTo(Phase.SYNCING) < 0 || !(this instanceof ObserverRole)) {
            giveUp("INFORM in " + phase + " of a " + state());
            return;
        }
        if (logTxn(packet, effects)) {
            onCommitAfterLog(packet.zxid(), effects);
        }
    }

    /** INFORM: committed as it is logged (the host applies it at once, as any commit). */
    private void onCommitAfterLog(long z, List<PeerEffect> effects) {
        commitMark = z;
        if (phase == Phase.SYNCED) {
            effects.add(new PeerEffect.Commit(z));
        }
    }

    private void onNewLeader(QuorumPacket packet, List<PeerEffect> effects) {
        if (phase != Phase.SYNCING || packet.zxid() != LearnerHandshake.epochZxid(newEpoch)) {
            giveUp("NEWLEADER 0x" + Long.toHexString(packet.zxid()) + " in " + phase + " of epoch " + newEpoch);
            return;
        }
        if (commitMark > host.lastLoggedZxid()) {
            // The sync's mode named a committed point beyond the history it sent (an honest leader's
            // DIFF, TRUNC or SNAP point is in it): acknowledged, everything up to it would be applied
            // as committed when it comes, whatever the leader commits.
            giveUp("the sync says 0x" + Long.toHexString(commitMark) + " is committed but sent history up to 0x"
                    + Long.toHexString(host.lastLoggedZxid()) + " only");
            return;
        }
        newLeaderZxid = packet.zxid();
        phase = Phase.PERSISTING_HISTORY;
        maybePersistHistory(effects);
    }

    /** The durability rule of NEWLEADER: the synced history first, then the current epoch, then the ACK. */
    private void maybePersistHistory(List<PeerEffect> effects) {
        if (phase != Phase.PERSISTING_HISTORY || pendingNewLeaderAck || host.durableZxid() < host.lastLoggedZxid()) {
            return;
        }
        pendingNewLeaderAck = true;
        if (epochs.currentEpoch() < newEpoch) {
            epochs.makeCurrent(newEpoch, effects);
        }
        maybeAckNewLeader(effects);
    }

    private void maybeAckNewLeader(List<PeerEffect> effects) {
        if (!pendingNewLeaderAck || epochs.durableCurrentEpoch() < newEpoch) {
            return;
        }
        pendingNewLeaderAck = false;
        phase = Phase.NEWLEADER_ACKED;
        effects.add(new PeerEffect.SendQuorum(leaderSid, new QuorumPacket(QuorumPacketType.ACK, newLeaderZxid)));
        for (long z : syncProposals) { // in order, and all before any later proposal
            if (z > commitMark) {
                toAck.add(z);
            }
        }
        syncProposals.clear();
        ackDurable(effects);
    }

    /** Acknowledges the proposals logged after NEWLEADER's ACK that are durable now (voters only). */
    private void ackDurable(List<PeerEffect> effects) {
        if (phase != Phase.NEWLEADER_ACKED && phase != Phase.SYNCED) {
            return;
        }
        long durable = host.durableZxid();
        while (!toAck.isEmpty() && toAck.peekFirst() <= durable) {
            long z = toAck.pollFirst();
            if (this instanceof FollowerRole) {
                effects.add(new PeerEffect.SendQuorum(leaderSid, new QuorumPacket(QuorumPacketType.ACK, z)));
            }
        }
    }

    private void onUpToDate(List<PeerEffect> effects) {
        if (phase != Phase.NEWLEADER_ACKED) {
            giveUp("UPTODATE in " + phase);
            return;
        }
        phase = Phase.SYNCED;
        effects.add(new PeerEffect.Synced(newEpoch, leaderSid));
        if (commitMark > host.appliedZxid()) {
            effects.add(new PeerEffect.Commit(commitMark));
        }
    }

    private void onPing(QuorumPacket packet, List<PeerEffect> effects) {
        if (phase.compareTo(Phase.ACKED) < 0) {
            giveUp("PING from leader in " + phase);
            return;
        }
        List<Ping.SessionTouch> touches = phase == Phase.SYNCED ? host.takeTouchedSessions() : List.of();
        effects.add(new PeerEffect.SendQuorum(leaderSid, Ping.reply(packet, touches)));
    }

    private void sendInfo(List<PeerEffect> effects) {
        retryAtTick = NO_RETRY;
        LearnerInfo info = new LearnerInfo(config.sid(), LearnerInfo.PROTOCOL_VERSION, 0);
        effects.add(new PeerEffect.SendQuorum(leaderSid, infoPacket(epochs.acceptedEpoch(), info)));
    }

    private void giveUp(String reason) {
        exitReason = reason;
    }

    /** Ends the role from outside (the peer learned the server it elected will not lead). */
    final void abandon(String reason) {
        if (exitReason == null) {
            giveUp(reason);
        }
    }

    @Override
    public final String exitReason() {
        return exitReason;
    }

    @Override
    public final long establishedEpoch() {
        return phase == Phase.SYNCED ? newEpoch : -1;
    }

    public final long leaderSid() {
        return leaderSid;
    }

    public final Phase phase() {
        return phase;
    }

    @Override
    public final List<Long> connectedPeers() {
        return List.of(leaderSid);
    }
}
