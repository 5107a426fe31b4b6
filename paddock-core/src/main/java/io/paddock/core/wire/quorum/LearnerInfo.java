package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;

/**
 * What a follower or observer tells the leader first (jute
 * {@code org.apache.zookeeper.server.quorum.LearnerInfo}), carried in the data of a FOLLOWERINFO or
 * OBSERVERINFO packet:
 *
 * <pre>
 *  0  long serverid          the learner's sid
 *  8  int  protocolVersion   0x10000 in ZooKeeper 3.9 ({@link #PROTOCOL_VERSION})
 * 12  long configVersion     the learner's last activated config (since 3.5)
 * </pre>
 *
 * ZooKeeper's {@code LearnerHandler} reads the fields that fit in the data (at least 8 bytes for the
 * sid, 12 for the protocol version, 20 for the config version) and ignores any bytes after them;
 * so do we, and {@link #form} says which fields were there. A learner whose protocol version is
 * under 0x10000 gets no LEADERINFO (the handshake before learner protocol 0x10000: the leader
 * takes the epoch from FOLLOWERINFO's zxid and sends NEWLEADER first). Null or shorter data is refused:
 * ZooKeeper makes up a negative sid for such a learner, which no configuration can place.
 */
public record LearnerInfo(long sid, int protocolVersion, long configVersion, Form form) {
    /** The learner protocol version ZooKeeper 3.9 sends (and Paddock sends). */
    public static final int PROTOCOL_VERSION = 0x10000;

    /** Which fields the data held. */
    public enum Form {
        /** 8 bytes: the sid alone; protocolVersion and configVersion read as 0. */
        SID_ONLY(8),
        /** 12 bytes: sid and protocol version; configVersion reads as 0 and is not checked. */
        NO_CONFIG_VERSION(12),
        /** 20 bytes: the whole record, what ZooKeeper 3.5 and later send. */
        CURRENT(20);

        final int bytes;

        Form(int bytes) {
            this.bytes = bytes;
        }
    }

    public LearnerInfo {
        if (form == null) {
            throw new IllegalArgumentException("form is null");
        }
        if (form == Form.SID_ONLY && protocolVersion != 0 || form != Form.CURRENT && configVersion != 0) {
            throw new IllegalArgumentException("fields outside form " + form + " must be 0");
        }
    }

    /** The current form, the one Paddock sends. */
    public LearnerInfo(long sid, int protocolVersion, long configVersion) {
        this(sid, protocolVersion, configVersion, Form.CURRENT);
    }

    /** The fields of this form, as ZooKeeper's jute record writes them (the older forms are its prefixes). */
    public byte[] encode() {
        JuteWriter out = new JuteWriter(form.bytes).writeLong(sid);
        if (form != Form.SID_ONLY) {
            out.writeInt(protocolVersion);
        }
        if (form == Form.CURRENT) {
            out.writeLong(configVersion);
        }
        return out.toByteArray();
    }

    /**
     * Reads a FOLLOWERINFO or OBSERVERINFO packet's data as ZooKeeper's leader does.
     *
     * @throws PeerProtocolException when the data is null or under 8 bytes
     */
    public static LearnerInfo decode(byte[] data) throws PeerProtocolException {
        if (data == null || data.length < Form.SID_ONLY.bytes) {
            throw new PeerProtocolException("learner info of " + (data == null ? "null" : data.length + " bytes")
                    + ": the sid needs 8");
        }
        PeerInput in = PeerInput.of(data);
        long sid = in.readLong("sid");
        if (data.length < Form.NO_CONFIG_VERSION.bytes) {
            return new LearnerInfo(sid, 0, 0, Form.SID_ONLY);
        }
        int protocolVersion = in.readInt("protocolVersion");
        if (data.length < Form.CURRENT.bytes) {
            return new LearnerInfo(sid, protocolVersion, 0, Form.NO_CONFIG_VERSION);
        }
        return new LearnerInfo(sid, protocolVersion, in.readLong("configVersion"), Form.CURRENT);
    }
}
