package io.paddock.core.wire.quorum;

import io.paddock.core.wire.Id;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link QuorumPacket}s from a quorum-port stream, where ZooKeeper writes them back to back
 * with no frame length ({@code BinaryOutputArchive} over a {@code BufferedOutputStream}). The
 * caller keeps what has arrived and calls {@link #decode} on it; each call answers one of:
 *
 * <ul>
 *   <li>{@link DecodeResult.Complete}: one packet and the bytes it took (drop them and call again);
 *   <li>{@link DecodeResult.NeedMore}: a valid prefix, with the total the packet needs at least;
 *   <li>{@link PeerProtocolException}: no packet can start like this; drop the connection.
 * </ul>
 *
 * <p>Assumes nothing about the bytes. Guarantees: the data length is checked against
 * {@code dataBytesMax} (a SNAP's against {@code snapBytesMax}) and the authinfo against {@code
 * authinfoBytesMax} (the whole vector's encoding) before anything is allocated, and nothing is
 * copied until the whole packet is there, so
 * a packet that trickles in costs a scan of its lengths per attempt, not a copy. Any packet type is
 * accepted; what a type means is the roles' business. A vector count below -1 is refused (ZooKeeper
 * reads it as an empty vector; no writer produces it). Immutable: one decoder may serve every
 * connection.
 */
public final class QuorumPacketDecoder {
    /**
     * ZooKeeper's limit on one buffer or string on the quorum port with default settings:
     * {@code jute.maxbuffer} (0xfffff) plus {@code zookeeper.jute.maxbuffer.extrasize} (which
     * defaults to jute.maxbuffer), as {@code BinaryInputArchive.checkLength} applies it.
     */
    public static final int DATA_BYTES_MAX_DEFAULT = 0xfffff + 0xfffff;
    /**
     * Our limit on a packet's whole authinfo vector: a session's auth ids are a few short strings.
     * (ZooKeeper bounds each string by the limit above and the count not at all.)
     */
    public static final int AUTHINFO_BYTES_MAX_DEFAULT = 64 * 1024;
    /** The smallest possible packet: type, zxid, a null buffer, a null vector. */
    static final int PACKET_BYTES_MIN = 4 + 8 + 4 + 4;
    /** The most one Java array holds, and so the most one SNAP's data can be. */
    public static final int SNAP_BYTES_MAX_CEILING = Integer.MAX_VALUE - 8;

    private final int dataBytesMax;
    private final int authinfoBytesMax;
    /** The data limit of a SNAP packet, whose data is the leader's whole snapshot. */
    private final int snapBytesMax;

    public QuorumPacketDecoder(int dataBytesMax, int authinfoBytesMax) {
        this(dataBytesMax, authinfoBytesMax, dataBytesMax);
    }

    /**
     * {@code snapBytesMax} bounds the data of a SNAP packet instead of {@code dataBytesMax}: a
     * Paddock leader sends its whole snapshot as that one buffer (ZooKeeper streams it after the
     * packet instead, and bounds each record of it, not the whole).
     */
    public QuorumPacketDecoder(int dataBytesMax, int authinfoBytesMax, int snapBytesMax) {
        if (dataBytesMax < 0 || authinfoBytesMax < 0 || snapBytesMax < 0) {
            throw new IllegalArgumentException("limits must be >= 0: " + dataBytesMax + ", " + authinfoBytesMax
                    + ", " + snapBytesMax);
        }
        this.dataBytesMax = dataBytesMax;
        this.authinfoBytesMax = authinfoBytesMax;
        this.snapBytesMax = snapBytesMax;
    }

    /** A decoder with ZooKeeper's default data limit and our authinfo limit, for SNAP too. */
    public static QuorumPacketDecoder withDefaultLimits() {
        return new QuorumPacketDecoder(DATA_BYTES_MAX_DEFAULT, AUTHINFO_BYTES_MAX_DEFAULT);
    }

    /**
     * The decoder of a learner's connection to its leader: the default limits, except that a SNAP
     * may carry up to {@code snapBytesMax} (at most {@link #SNAP_BYTES_MAX_CEILING}).
     */
    public static QuorumPacketDecoder forLearner(long snapBytesMax) {
        int snap = (int) Math.max(DATA_BYTES_MAX_DEFAULT, Math.min(SNAP_BYTES_MAX_CEILING, snapBytesMax));
        return new QuorumPacketDecoder(DATA_BYTES_MAX_DEFAULT, AUTHINFO_BYTES_MAX_DEFAULT, snap);
    }

    public int dataBytesMax() {
        return dataBytesMax;
    }

    public int snapBytesMax() {
        return snapBytesMax;
    }

    public int authinfoBytesMax() {
        return authinfoBytesMax;
    }

    /** Reads one packet from the start of {@code length} bytes at {@code offset} (see the class comment). */
    public DecodeResult<QuorumPacket> decode(byte[] bytes, int offset, int length) throws PeerProtocolException {
        DecodeResult<Integer> extent = PeerInput.attempt(bytes, offset, length, this::scan);
        if (extent instanceof DecodeResult.NeedMore<Integer> more) {
            return new DecodeResult.NeedMore<>(more.bytesNeeded());
        }
        int packetLength = ((DecodeResult.Complete<Integer>) extent).length();
        QuorumPacket packet = read(PeerInput.of(bytes, offset, packetLength));
        return new DecodeResult.Complete<>(packet, packetLength);
    }

    /** Reads a buffer that must hold exactly one packet (a test or a stored packet). */
    public QuorumPacket decodeWhole(byte[] bytes) throws PeerProtocolException {
        return PeerInput.readWhole(bytes, this::read, "quorum packet");
    }

    /** Walks the packet's lengths without allocating; the value is unused, the length is the point. */
    private Integer scan(PeerInput in) throws PeerProtocolException {
        int type = in.readInt("type");
        in.skip(8, "zxid");
        int dataLength = type == QuorumPacketType.SNAP
                ? in.readLength("SNAP data (the leader's snapshot)", snapBytesMax, true)
                : in.readLength("data", dataBytesMax, true);
        in.skip(Math.max(0, dataLength), "data");
        int count = readAuthinfoCount(in);
        int authinfoStart = in.consumed();
        for (int i = 0; i < count; i++) {
            for (int part = 0; part < 2; part++) {
                int budget = authinfoBytesMax - (in.consumed() - authinfoStart) - 4;
                int stringLength = in.readLength("authinfo string", budget, false);
                in.skip(stringLength, "authinfo string");
            }
        }
        return in.consumed();
    }

    private QuorumPacket read(PeerInput in) throws PeerProtocolException {
        int type = in.readInt("type");
        long zxid = in.readLong("zxid");
        byte[] data = in.readBuffer("data", type == QuorumPacketType.SNAP ? snapBytesMax : dataBytesMax);
        int count = readAuthinfoCount(in);
        List<Id> authinfo = null;
        if (count >= 0) {
            authinfo = new ArrayList<>(Math.min(count, 8));
            for (int i = 0; i < count; i++) {
                authinfo.add(in.readId("authinfo", authinfoBytesMax));
            }
        }
        return new QuorumPacket(type, zxid, data, authinfo);
    }

    /** -1 (null) or a count each of whose Ids (8 bytes at least) fits in the authinfo limit. */
    private int readAuthinfoCount(PeerInput in) throws PeerProtocolException {
        return in.readLength("authinfo count", authinfoBytesMax / 8, true);
    }
}
