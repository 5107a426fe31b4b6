package io.paddock.core.zab;

import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
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
 *   <li>It answers every leader PING, and gives up when the leader is silent for more than
 *       {@code syncLimitTicks} once synced ({@code initLimitTicks} before), or when the connection
 *       closes after LEADERINFO; a peer that is not its leader gets its connection dropped.
 * </ol>
 *
 * <p><b>Where part 2 goes</b>: between {@code ACKED} and {@code SYNCED}. Today the leader's first
 * PING marks the learner synced. Replication puts DIFF / TRUNC / SNAP there, then NEWLEADER (persist
 * the synced history and the new current epoch, then ACK) and UPTODATE, after which broadcast.
 */
public abstract sealed class LearnerRole implements Role permits FollowerRole, ObserverRole {
    /** Where this learner stands with its leader. */
    public enum Phase {
        /** Learner info sent (or to be re-sent); waiting for LEADERINFO. */
        CONNECTING,
        /** LEADERINFO received; waiting for the new accepted epoch to be durable before ACKEPOCH. */
        PERSISTING,
        /** ACKEPOCH sent; waiting for sync (part 2) / the first PING. */
        ACKED,
        /** Following (or observing) the established leader. */
        SYNCED
    }

    private static final long NO_RETRY = Long.MAX_VALUE;

    private final PeerConfig config;
    private final Epochs epochs;
    private final long leaderSid;
    private final long lastZxid;
    private Phase phase = Phase.CONNECTING;
    private long nowTick;
    private long lastHeardTick;
    private long retryAtTick = NO_RETRY;
    private long newEpoch = -1;
    private int ackCurrentEpoch;
    private String exitReason;

    LearnerRole(PeerConfig config, Epochs epochs, long leaderSid, long lastZxid, long nowTick,
            List<PeerEffect> effects) {
        if (leaderSid == config.sid() || !config.voters().isVoter(leaderSid)) {
            throw new IllegalArgumentException("server " + config.sid() + " cannot learn from " + leaderSid);
        }
        this.config = config;
        this.epochs = epochs;
        this.leaderSid = leaderSid;
        this.lastZxid = lastZxid;
        this.nowTick = nowTick;
        this.lastHeardTick = nowTick;
        sendInfo(effects);
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
        } else if (event instanceof PeerEvent.PeerDown down) {
            onPeerDown(down.sid());
        } else if (event instanceof PeerEvent.EpochsPersisted) {
            maybeAck(effects);
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
            effects.add(new PeerEffect.SendQuorum(leaderSid, LearnerHandshake.ackEpoch(ackCurrentEpoch, lastZxid)));
            phase = Phase.ACKED;
        }
    }

    private void onPing(QuorumPacket packet, List<PeerEffect> effects) {
        if (phase == Phase.ACKED) {
            // PART 2: NEWLEADER makes the epoch current (after the synced history is durable, before
            // its ACK) and UPTODATE marks the learner synced. Until then the first PING stands in for both.
            phase = Phase.SYNCED;
            if (epochs.currentEpoch() < newEpoch) {
                epochs.makeCurrent(newEpoch, effects);
            }
            effects.add(new PeerEffect.Synced(newEpoch, leaderSid));
        }
        if (phase != Phase.SYNCED) {
            giveUp("PING from leader in " + phase);
            return;
        }
        effects.add(new PeerEffect.SendQuorum(leaderSid, Ping.reply(packet, List.of())));
    }

    private void sendInfo(List<PeerEffect> effects) {
        retryAtTick = NO_RETRY;
        LearnerInfo info = new LearnerInfo(config.sid(), LearnerInfo.PROTOCOL_VERSION, 0);
        effects.add(new PeerEffect.SendQuorum(leaderSid, infoPacket(epochs.acceptedEpoch(), info)));
    }

    private void giveUp(String reason) {
        exitReason = reason;
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
