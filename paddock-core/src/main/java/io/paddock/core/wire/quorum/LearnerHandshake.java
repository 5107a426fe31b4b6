package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;

/**
 * The learner handshake on the quorum port (discovery), as ZooKeeper 3.9's {@code Learner} and
 * {@code LearnerHandler} exchange it, with each packet's zxid and data conventions:
 *
 * <pre>
 * learner -> leader  FOLLOWERINFO / OBSERVERINFO  zxid = acceptedEpoch << 32   data = {@link LearnerInfo}
 * leader -> learner  LEADERINFO                   zxid = newEpoch << 32        data = int protocolVersion (0x10000)
 * learner -> leader  ACKEPOCH                     zxid = last logged zxid      data = int currentEpoch, or -1
 * </pre>
 *
 * ACKEPOCH's -1 ({@link #EPOCH_ALREADY_ACCEPTED}) means the learner had already accepted the new
 * epoch, so this reply carries its last zxid but does not count as an ack of the epoch. Epochs
 * travel as the high 32 bits of a zxid, read with an arithmetic shift ({@code zxid >> 32}) as
 * ZooKeeper's {@code ZxidUtils} reads them; ACKEPOCH's epoch is an int (ZooKeeper casts). None of
 * these packets carries authinfo (null). After ACKEPOCH comes sync (DIFF / TRUNC / SNAP, then
 * NEWLEADER and UPTODATE): part 2.
 *
 * <p>The payload readers accept what ZooKeeper's readers accept: the int is the data's first 4
 * bytes and later bytes are ignored; null or shorter data is refused.
 */
public final class LearnerHandshake {
    /** ACKEPOCH's current-epoch value for "I had already accepted this epoch". */
    public static final int EPOCH_ALREADY_ACCEPTED = -1;

    private LearnerHandshake() {}

    /** ZooKeeper's {@code ZxidUtils.makeZxid(epoch, 0)}. */
    public static long epochZxid(long epoch) {
        return epoch << 32;
    }

    /** ZooKeeper's {@code ZxidUtils.getEpochFromZxid}. */
    public static long epochOf(long zxid) {
        return zxid >> 32;
    }

    /**
     * Whether {@code zxid} is an epoch's start (counter 0, not 0 itself): a label a ZooKeeper leader
     * puts on its state once established, before its first write (a SNAP's, its answers'), naming
     * no transaction; ZooKeeper's leaders check it as {@code isPeerNewEpochZxid}.
     */
    public static boolean isEpochStart(long zxid) {
        return zxid != 0 && (zxid & 0xffffffffL) == 0;
    }

    public static QuorumPacket followerInfo(long acceptedEpoch, LearnerInfo info) {
        return new QuorumPacket(QuorumPacketType.FOLLOWERINFO, epochZxid(acceptedEpoch), info.encode(), null);
    }

    public static QuorumPacket observerInfo(long acceptedEpoch, LearnerInfo info) {
        return new QuorumPacket(QuorumPacketType.OBSERVERINFO, epochZxid(acceptedEpoch), info.encode(), null);
    }

    public static QuorumPacket leaderInfo(long newEpoch, int protocolVersion) {
        return new QuorumPacket(QuorumPacketType.LEADERINFO, epochZxid(newEpoch), intData(protocolVersion), null);
    }

    /** {@code currentEpoch} is the learner's current epoch, or {@link #EPOCH_ALREADY_ACCEPTED}. */
    public static QuorumPacket ackEpoch(int currentEpoch, long lastLoggedZxid) {
        return new QuorumPacket(QuorumPacketType.ACKEPOCH, lastLoggedZxid, intData(currentEpoch), null);
    }

    /** The learner info of a FOLLOWERINFO or OBSERVERINFO packet. */
    public static LearnerInfo learnerInfo(QuorumPacket packet) throws PeerProtocolException {
        expect(packet, QuorumPacketType.FOLLOWERINFO, QuorumPacketType.OBSERVERINFO);
        return LearnerInfo.decode(packet.data());
    }

    /** The leader's protocol version in a LEADERINFO packet. */
    public static int leaderProtocolVersion(QuorumPacket packet) throws PeerProtocolException {
        expect(packet, QuorumPacketType.LEADERINFO, QuorumPacketType.LEADERINFO);
        return firstInt(packet);
    }

    /** The learner's current epoch (or {@link #EPOCH_ALREADY_ACCEPTED}) in an ACKEPOCH packet. */
    public static int ackedCurrentEpoch(QuorumPacket packet) throws PeerProtocolException {
        expect(packet, QuorumPacketType.ACKEPOCH, QuorumPacketType.ACKEPOCH);
        return firstInt(packet);
    }

    private static void expect(QuorumPacket packet, int type, int orType) throws PeerProtocolException {
        if (packet.type() != type && packet.type() != orType) {
            throw new PeerProtocolException("expected " + QuorumPacketType.name(type)
                    + (orType == type ? "" : " or " + QuorumPacketType.name(orType)) + ", got " + packet);
        }
    }

    private static int firstInt(QuorumPacket packet) throws PeerProtocolException {
        byte[] data = packet.data();
        if (data == null || data.length < 4) {
            throw new PeerProtocolException(QuorumPacketType.name(packet.type()) + " data of "
                    + (data == null ? "null" : data.length + " bytes") + ": needs an int");
        }
        return PeerInput.of(data, 0, 4).readInt(QuorumPacketType.name(packet.type()));
    }

    private static byte[] intData(int value) {
        return new JuteWriter(4).writeInt(value).toByteArray();
    }
}
