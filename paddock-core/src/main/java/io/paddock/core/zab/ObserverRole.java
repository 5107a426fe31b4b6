package io.paddock.core.zab;

import io.paddock.core.election.ServerState;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.QuorumPacket;
import java.util.List;

/**
 * An observer joining the leader: introduces itself with OBSERVERINFO. It persists the leader's
 * epoch and acknowledges it like a follower (ZooKeeper's observers run the same handshake), but the
 * leader never counts it for a quorum. What it assumes and guarantees: {@link LearnerRole}.
 */
public final class ObserverRole extends LearnerRole {

    public ObserverRole(PeerConfig config, Epochs epochs, ZabHost host, long leaderSid, long nowTick,
            List<PeerEffect> effects) {
        this(config, epochs, host, leaderSid, nowTick, 0, effects);
    }

    /** As the public constructor, its learner info sent after {@code firstInfoDelayTicks} (see LearnerRole). */
    ObserverRole(PeerConfig config, Epochs epochs, ZabHost host, long leaderSid, long nowTick, int firstInfoDelayTicks,
            List<PeerEffect> effects) {
        super(requireObserver(config), epochs, host, leaderSid, nowTick, firstInfoDelayTicks, effects);
    }

    private static PeerConfig requireObserver(PeerConfig config) {
        if (!config.isObserver()) {
            throw new IllegalArgumentException("a voter cannot observe: " + config.sid());
        }
        return config;
    }

    @Override
    QuorumPacket infoPacket(long acceptedEpoch, LearnerInfo info) {
        return LearnerHandshake.observerInfo(acceptedEpoch, info);
    }

    @Override
    public ServerState state() {
        return ServerState.OBSERVING;
    }
}
