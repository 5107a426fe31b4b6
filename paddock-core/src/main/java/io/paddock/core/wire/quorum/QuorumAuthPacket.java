package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;

/**
 * ZooKeeper's quorum SASL message ({@code QuorumAuthPacket} in zookeeper.jute: long magic, int
 * status, buffer token), written unframed on an election or learner connection before its other
 * traffic where {@code quorum.auth.enableSasl} is on: by the connecting side right after its
 * {@link InitialMessage} (election) or first (learner), answered by the accepting side, until the
 * accepting side says SUCCESS or ERROR. The magic is negative, so that the first eight bytes tell
 * it from a frame or a quorum packet ({@link #startsWithMagic}).
 *
 * @param token the SASL token; null where ZooKeeper writes none (a -1 length)
 */
public record QuorumAuthPacket(long magic, int status, byte[] token) {
    /** ZooKeeper's QuorumAuth.QUORUM_AUTH_MAGIC_NUMBER. */
    public static final long MAGIC = -0xa0dbcafecafe1234L;
    public static final int IN_PROGRESS = 0;
    public static final int SUCCESS = 1;
    public static final int ERROR = -1;
    /**
     * The largest token taken: a DIGEST-MD5 token is a few hundred bytes, a Kerberos one a few
     * KiB; a peer's length past this breaks the connection.
     */
    public static final int TOKEN_BYTES_MAX = 64 * 1024;

    /** A packet with ZooKeeper's magic. */
    public static QuorumAuthPacket of(int status, byte[] token) {
        return new QuorumAuthPacket(MAGIC, status, token);
    }

    public byte[] encode() {
        JuteWriter w = new JuteWriter(16 + (token == null ? 0 : token.length));
        w.writeLong(magic).writeInt(status).writeBuffer(token);
        return w.toByteArray();
    }

    /** Whether the eight bytes at {@code offset} are ZooKeeper's magic (needs at least eight). */
    public static boolean startsWithMagic(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return v == MAGIC;
    }

    /**
     * Reads one packet from the start of what has arrived.
     *
     * @throws PeerProtocolException for another magic, a status ZooKeeper does not know, or a
     *     token length below -1 or past {@value #TOKEN_BYTES_MAX}
     */
    public static DecodeResult<QuorumAuthPacket> decode(byte[] bytes, int offset, int length) throws PeerProtocolException {
        return PeerInput.attempt(bytes, offset, length, in -> {
            long magic = in.readLong("quorum auth magic");
            if (magic != MAGIC) {
                throw new PeerProtocolException("quorum auth packet with magic 0x" + Long.toHexString(magic));
            }
            int status = in.readInt("quorum auth status");
            if (status != IN_PROGRESS && status != SUCCESS && status != ERROR) {
                throw new PeerProtocolException("quorum auth packet with status " + status);
            }
            return new QuorumAuthPacket(magic, status, in.readBuffer("quorum auth token", TOKEN_BYTES_MAX));
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuorumAuthPacket p && magic == p.magic && status == p.status
                && java.util.Arrays.equals(token, p.token);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(magic) * 31 * 31 + status * 31 + java.util.Arrays.hashCode(token);
    }

    @Override
    public String toString() {
        return "QuorumAuthPacket[status=" + status + ", token=" + (token == null ? "null" : token.length + " bytes") + "]";
    }
}
