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
 * {@code dataBytesMax} and the authinfo against {@code authinfoBytesMax} (the whole vector's
 * encoding) before anything is allocated, and nothing is copied until the whole packet is there, so
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

    private final int dataBytesMax;
    private final int authinfoBytesMax;

    public QuorumPacketDecoder(int dataBytesMax, int authinfoBytesMax) {
        if (dataBytesMax < 0 || authinfoBytesMax < 0) {
            throw new IllegalArgumentException("limits must be >= 0: " + dataBytesMax + ", " + authinfoBytesMax);
        }
        this.dataBytesMax = dataBytesMax;
        this.authinfoBytesMax = authinfoBytesMax;
    }

    /** A decoder with ZooKeeper's default data limit and our authinfo limit. */
    public static QuorumPacketDecoder withDefaultLimits() {
        return new QuorumPacketDecoder(DATA_BYTES_MAX_DEFAULT, AUTHINFO_BYTES_MAX_DEFAULT);
    }

    public int dataBytesMax() {
        return dataBytesMax;
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
        in.skip(12, "type and zxid");
        int dataLength = in.readLength("data", dataBytesMax, true);
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
        byte[] data = in.readBuffer("data", dataBytesMax);
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
