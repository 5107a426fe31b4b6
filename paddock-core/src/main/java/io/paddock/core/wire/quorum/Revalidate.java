package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;

/**
 * REVALIDATE on the quorum port: a learner asks its leader whether a session a client reconnects
 * with is still alive, as ZooKeeper 3.9.5 exchanges it ({@code Learner.validateSession},
 * {@code Leader.revalidateSession}, {@code Learner.revalidate}), with DataOutputStream bytes:
 *
 * <pre>
 * learner -> leader  REVALIDATE  zxid = -1   data = long sessionId, int timeoutMs     authinfo = null
 * leader -> learner  REVALIDATE  the asking packet with its data replaced:
 *                                            data = long sessionId, boolean valid (1 byte)
 * </pre>
 *
 * The leader answers in the learner's own packet ({@code qp.setData}), so the answer keeps its
 * zxid and authinfo. Stricter than ZooKeeper's readers (which ignore bytes after the fields and
 * take any non-zero byte as true): the data must be exactly 12 or 9 bytes and the boolean 0 or 1;
 * ZooKeeper writes nothing else.
 */
public final class Revalidate {
    static final int ASK_BYTES = 12;
    static final int ANSWER_BYTES = 9;
    /** The zxid ZooKeeper's learner puts in a REVALIDATE (nobody reads it). */
    public static final long ZXID = -1;

    /** A learner's question: is this session, with this timeout, still valid? */
    public record Ask(long sessionId, int timeoutMs) {}

    /** The leader's answer for one session. */
    public record Answer(long sessionId, boolean valid) {}

    private Revalidate() {}

    public static QuorumPacket ask(long sessionId, int timeoutMs) {
        return new QuorumPacket(QuorumPacketType.REVALIDATE, ZXID,
                new JuteWriter(ASK_BYTES).writeLong(sessionId).writeInt(timeoutMs).toByteArray(), null);
    }

    /** The leader's reply to {@code ask}: the same packet, its data now the session and the verdict. */
    public static QuorumPacket answer(QuorumPacket ask, long sessionId, boolean valid) {
        return new QuorumPacket(QuorumPacketType.REVALIDATE, ask.zxid(),
                new JuteWriter(ANSWER_BYTES).writeLong(sessionId).writeBool(valid).toByteArray(), ask.authinfo());
    }

    /** The question in a learner's REVALIDATE (untrusted). */
    public static Ask readAsk(QuorumPacket packet) throws PeerProtocolException {
        PeerInput in = PeerInput.of(data(packet, ASK_BYTES, "a learner's"));
        return new Ask(in.readLong("sessionId"), in.readInt("timeoutMs"));
    }

    /** The answer in a leader's REVALIDATE (untrusted). */
    public static Answer readAnswer(QuorumPacket packet) throws PeerProtocolException {
        PeerInput in = PeerInput.of(data(packet, ANSWER_BYTES, "a leader's"));
        long sessionId = in.readLong("sessionId");
        byte valid = in.readBytes(1, "valid")[0];
        if (valid != 0 && valid != 1) {
            throw new PeerProtocolException("REVALIDATE answer: boolean byte " + valid);
        }
        return new Answer(sessionId, valid == 1);
    }

    private static byte[] data(QuorumPacket packet, int bytes, String whose) throws PeerProtocolException {
        byte[] data = packet.data();
        if (packet.type() != QuorumPacketType.REVALIDATE || data == null || data.length != bytes) {
            throw new PeerProtocolException(whose + " REVALIDATE needs data of " + bytes + " bytes: " + packet);
        }
        return data;
    }
}
