package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * PING on the quorum port, both ways, as ZooKeeper 3.9 sends it once a learner is synced:
 *
 * <pre>
 * leader -> learner  PING  zxid = the leader's last proposed zxid   data = null
 * learner -> leader  PING  zxid = the same                          data = touches, authinfo = the ping's
 * touches: zero or more of { long sessionId; int timeoutMs }  (12 bytes each, no count)
 * </pre>
 *
 * The learner reports the sessions its clients touched since its last reply ({@code Learner.ping});
 * the leader reads pairs until the data ends ({@code LearnerHandler}), so data that is not a whole
 * number of pairs is refused, and so is null (ZooKeeper's leader would fail on it).
 */
public final class Ping {
    static final int TOUCH_BYTES = 12;

    /** One session a learner's client touched, with the timeout that session negotiated. */
    public record SessionTouch(long sessionId, int timeoutMs) {}

    private Ping() {}

    public static QuorumPacket fromLeader(long lastProposedZxid) {
        return new QuorumPacket(QuorumPacketType.PING, lastProposedZxid, null, null);
    }

    /** The learner's answer to {@code ping}: same zxid and authinfo, with its touched sessions. */
    public static QuorumPacket reply(QuorumPacket ping, List<SessionTouch> touches) {
        JuteWriter out = new JuteWriter(TOUCH_BYTES * touches.size());
        for (SessionTouch t : touches) {
            out.writeLong(t.sessionId()).writeInt(t.timeoutMs());
        }
        return new QuorumPacket(QuorumPacketType.PING, ping.zxid(), out.toByteArray(), ping.authinfo());
    }

    /** The touched sessions in a learner's PING, in the order sent. */
    public static List<SessionTouch> touches(QuorumPacket reply) throws PeerProtocolException {
        byte[] data = reply.data();
        if (reply.type() != QuorumPacketType.PING || data == null || data.length % TOUCH_BYTES != 0) {
            throw new PeerProtocolException("a learner's PING needs data of whole (long, int) pairs: " + reply);
        }
        PeerInput in = PeerInput.of(data);
        List<SessionTouch> out = new ArrayList<>(data.length / TOUCH_BYTES);
        while (in.remaining() > 0) {
            out.add(new SessionTouch(in.readLong("sessionId"), in.readInt("timeoutMs")));
        }
        return out;
    }
}
