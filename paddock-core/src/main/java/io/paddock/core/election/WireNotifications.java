package io.paddock.core.election;

import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.PeerProtocolException;

/**
 * Maps the election's {@link Notification} to and from ZooKeeper's notification on the wire
 * ({@link NotificationMessage}): the vote's leader, zxid and epoch are the message's leader, zxid
 * and peerEpoch; the round is its electionEpoch; {@link ServerState}'s order is ZooKeeper's
 * {@code QuorumPeer.ServerState}, so the state is the ordinal. The config the message carries is
 * the shell's (reconfiguration is not modelled in the election core).
 */
public final class WireNotifications {
    private static final ServerState[] STATES = ServerState.values();

    private WireNotifications() {}

    /** The current-form message for {@code n}, with the sender's dynamic config (possibly empty). */
    public static NotificationMessage toWire(Notification n, byte[] config) {
        Vote v = n.vote();
        return NotificationMessage.current(n.state().ordinal(), v.leaderSid(), v.zxid(), n.round(), v.epoch(), config);
    }

    /**
     * The highest round a notification may carry: a server's round grows by one per election it
     * starts, so no server comes near it, while a round at {@code Long.MAX_VALUE} taken from a peer
     * would overflow at this server's next election.
     */
    public static final long ROUND_MAX = Long.MAX_VALUE / 2;

    /**
     * The election's view of a peer's message.
     *
     * @throws PeerProtocolException for a negative round (no ZooKeeper server sends one; the
     *     election core's rounds start at 0) or one above {@link #ROUND_MAX}
     */
    public static Notification fromWire(NotificationMessage m) throws PeerProtocolException {
        if (m.electionEpoch() < 0 || m.electionEpoch() > ROUND_MAX) {
            throw new PeerProtocolException("notification with round " + m.electionEpoch() + " outside [0, "
                    + ROUND_MAX + "]");
        }
        return new Notification(new Vote(m.leader(), m.zxid(), m.peerEpoch()), m.electionEpoch(), STATES[m.state()]);
    }
}
