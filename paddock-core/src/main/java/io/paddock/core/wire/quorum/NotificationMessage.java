package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;
import java.util.Arrays;

/**
 * One Fast Leader Election notification, the body of an {@link ElectionFrame}, as ZooKeeper's
 * {@code FastLeaderElection} builds it ({@code buildMsg}) and reads it ({@code WorkerReceiver}).
 *
 * <pre>
 * offset  field                       since
 *  0      int  state                  0 LOOKING, 1 FOLLOWING, 2 LEADING, 3 OBSERVING
 *  4      long leader                 proposed leader's sid
 * 12      long zxid                   proposed leader's last zxid
 * 20      long electionEpoch          the sender's round (logical clock)
 * 28      long peerEpoch              proposed leader's epoch           (absent in the 28-byte form)
 * 36      int  version                2 (CURRENTVERSION) today          (ignored in the 40-byte form)
 * 40      int  configLength           only when version > 1
 * 44      byte config[configLength]   the sender's dynamic config, UTF-8
 * </pre>
 *
 * <p>Forms ZooKeeper 3.9 accepts, and what we decode each to (as ZooKeeper does):
 * <ul>
 *   <li>fewer than 28 bytes: refused;
 *   <li>exactly 28 bytes: peerEpoch is taken from the zxid ({@code zxid >> 32}), version 0, no config;
 *   <li>exactly 40 bytes: version 0 (the 4 bytes at 36 are not read), no config;
 *   <li>otherwise: peerEpoch and version are read (so 29-39 bytes are refused); when version > 1
 *       the config length (0 .. the bytes that follow) and the config; when version <= 1 no
 *       config. Bytes after the last field read are ignored, as ZooKeeper ignores them, so a
 *       later version may append fields.
 * </ul>
 * A state outside 0..3 is refused (ZooKeeper skips such a message and keeps the connection; the
 * frame boundary is intact, so a shell may do the same).
 *
 * @param config the sender's dynamic configuration; null when the message had none (version
 *     <= 1: a server older than ZooKeeper 3.5), possibly empty otherwise
 */
public record NotificationMessage(int state, long leader, long zxid, long electionEpoch, long peerEpoch,
        int version, byte[] config) {
    public static final int LOOKING = 0;
    public static final int FOLLOWING = 1;
    public static final int LEADING = 2;
    public static final int OBSERVING = 3;
    /** ZooKeeper's {@code Notification.CURRENTVERSION}: the form with a config. */
    public static final int CURRENT_VERSION = 2;
    static final int OLDEST_FORM_BYTES = 28;
    static final int PEER_EPOCH_FORM_BYTES = 40;
    static final int CURRENT_FORM_HEADER_BYTES = 44;

    public NotificationMessage {
        if (state < LOOKING || state > OBSERVING) {
            throw new IllegalArgumentException("state outside 0..3: " + state);
        }
        if ((config != null) != (version > 1)) {
            throw new IllegalArgumentException("a config comes exactly with version > 1: version "
                    + version + ", config " + (config == null ? "null" : config.length + " bytes"));
        }
    }

    /** A notification in the current form (version 2), the one Paddock sends. */
    public static NotificationMessage current(int state, long leader, long zxid, long electionEpoch,
            long peerEpoch, byte[] config) {
        return new NotificationMessage(state, leader, zxid, electionEpoch, peerEpoch, CURRENT_VERSION, config);
    }

    /** The body ZooKeeper's {@code buildMsg} writes (current form only: version > 1, with config). */
    public byte[] encode() {
        if (config == null) {
            throw new IllegalStateException("only the current form (with a config) is written: " + this);
        }
        return new JuteWriter(CURRENT_FORM_HEADER_BYTES + config.length)
                .writeInt(state).writeLong(leader).writeLong(zxid).writeLong(electionEpoch).writeLong(peerEpoch)
                .writeInt(version).writeInt(config.length).writeRaw(config, 0, config.length)
                .toByteArray();
    }

    /**
     * Reads one notification from a whole frame body (see the class comment for the forms).
     *
     * @throws PeerProtocolException for a body ZooKeeper 3.9 would not accept, or a state outside 0..3
     */
    public static NotificationMessage decode(byte[] body) throws PeerProtocolException {
        if (body.length < OLDEST_FORM_BYTES) {
            throw new PeerProtocolException("notification of " + body.length + " bytes, under " + OLDEST_FORM_BYTES);
        }
        PeerInput in = PeerInput.of(body);
        int state = in.readInt("state");
        if (state < LOOKING || state > OBSERVING) {
            throw new PeerProtocolException("notification with unknown state " + state);
        }
        long leader = in.readLong("leader");
        long zxid = in.readLong("zxid");
        long electionEpoch = in.readLong("electionEpoch");
        if (body.length == OLDEST_FORM_BYTES) {
            return new NotificationMessage(state, leader, zxid, electionEpoch, zxid >> 32, 0, null);
        }
        long peerEpoch = in.readLong("peerEpoch");
        if (body.length == PEER_EPOCH_FORM_BYTES) {
            return new NotificationMessage(state, leader, zxid, electionEpoch, peerEpoch, 0, null);
        }
        int version = in.readInt("version");
        if (version <= 1) {
            return new NotificationMessage(state, leader, zxid, electionEpoch, peerEpoch, version, null);
        }
        int configLength = in.readLength("config", in.remaining() - 4, false);
        byte[] config = in.readBytes(configLength, "config");
        return new NotificationMessage(state, leader, zxid, electionEpoch, peerEpoch, version, config);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationMessage n && state == n.state && leader == n.leader && zxid == n.zxid
                && electionEpoch == n.electionEpoch && peerEpoch == n.peerEpoch && version == n.version
                && Arrays.equals(config, n.config);
    }

    @Override
    public int hashCode() {
        long h = ((state * 31L + leader) * 31 + zxid) * 31 + electionEpoch;
        return (Long.hashCode(h * 31 + peerEpoch) * 31 + version) * 31 + Arrays.hashCode(config);
    }

    @Override
    public String toString() {
        return "NotificationMessage[state=" + state + ", leader=" + leader + ", zxid=0x" + Long.toHexString(zxid)
                + ", electionEpoch=" + electionEpoch + ", peerEpoch=" + peerEpoch + ", version=" + version
                + ", config=" + (config == null ? "null" : "byte[" + config.length + "]") + "]";
    }
}
