package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;

/**
 * How ZooKeeper's {@code QuorumCnxManager} frames messages on an election connection, after the
 * {@link InitialMessage}: a 4-byte big-endian length, then that many bytes of body (one
 * {@link NotificationMessage}).
 *
 * <p>Two layers, as in ZooKeeper: a bad frame length (0, negative, or over
 * {@value #BODY_BYTES_MAX}) breaks the connection, since nothing after it can be trusted; a body
 * that does not decode ({@link NotificationMessage#decode}) is one bad message on an intact stream,
 * which ZooKeeper skips.
 */
public final class ElectionFrame {
    /** The largest body accepted (ZooKeeper's {@code QuorumCnxManager.PACKETMAXSIZE}, 512 KiB). */
    public static final int BODY_BYTES_MAX = 512 * 1024;

    private ElectionFrame() {}

    /** One notification, framed as ZooKeeper's {@code SendWorker} writes it. */
    public static byte[] encode(NotificationMessage message) {
        byte[] body = message.encode();
        if (body.length > BODY_BYTES_MAX) {
            throw new IllegalArgumentException("notification of " + body.length + " bytes is over " + BODY_BYTES_MAX);
        }
        return new JuteWriter(4 + body.length).writeInt(body.length).writeRaw(body, 0, body.length).toByteArray();
    }

    /**
     * Reads one frame from the start of what has arrived on an election connection.
     *
     * @return the frame's body and the bytes the frame took, or how many bytes it needs at least
     * @throws PeerProtocolException when the length is 0, negative, or over {@value #BODY_BYTES_MAX}
     *     (ZooKeeper breaks the connection then)
     */
    public static DecodeResult<byte[]> decode(byte[] bytes, int offset, int length) throws PeerProtocolException {
        return PeerInput.attempt(bytes, offset, length, in -> {
            int bodyLength = in.readInt("election frame length");
            if (bodyLength <= 0 || bodyLength > BODY_BYTES_MAX) {
                throw new PeerProtocolException("election frame length " + bodyLength + " outside [1, " + BODY_BYTES_MAX + "]");
            }
            return in.readBytes(bodyLength, "election frame");
        });
    }
}
