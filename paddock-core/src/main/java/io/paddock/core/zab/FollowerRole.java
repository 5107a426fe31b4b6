package io.paddock.core.zab;

import io.paddock.core.election.ServerState;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.QuorumPacket;
import java.util.List;

/**
 * A voter following the leader it elected: introduces itself with FOLLOWERINFO, so its epoch
 * acknowledgement counts toward the leader's quorum. What it assumes and guarantees: {@link
 * LearnerRole}.
 */
public final class FollowerRole extends LearnerRole {

    public FollowerRole(PeerConfig config, Epochs epochs, ZabHost host, long leaderSid, long nowTick,
            List<PeerEffect> effects) {
        this(config, epochs, host, leaderSid, nowTick, 0, effects);
    }

    /** As the public constructor, its learner info sent after {@code firstInfoDelayTicks} (see LearnerRole). */
    FollowerRole(PeerConfig config, Epochs epochs, ZabHost host, long leaderSid, long nowTick, int firstInfoDelayTicks,
            List<PeerEffect> effects) {
        super(requireVoter(config), epochs, host, leaderSid, nowTick, firstInfoDelayTicks, effects);
    }

    private static PeerConfig requireVoter(PeerConfig config) {
        if (config.isObserver()) {
            throw new IllegalArgumentException("an observer cannot follow: " + config.sid());
        }
        return config;
    }

    @Override
    QuorumPacket infoPacket(long acceptedEpoch, LearnerInfo info) {
        return LearnerHandshake.followerInfo(acceptedEpoch, info);
    }

    @Override
    public ServerState state() {
        return ServerState.FOLLOWING;
    }
}
