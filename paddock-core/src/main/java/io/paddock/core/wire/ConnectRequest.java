package io.paddock.core.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The first frame a client sends. Clients older than ZooKeeper 3.4 (and some non-Java clients
 * today) leave out the trailing {@code readOnly} byte; {@code hasReadOnlyField} records which
 * form was received so the server can answer in the same form.
 */
public record ConnectRequest(int protocolVersion, long lastZxidSeen, int timeOut, long sessionId,
                             byte[] passwd, boolean readOnly, boolean hasReadOnlyField)
        implements JuteRecord {

    public ConnectRequest {
        if (readOnly && !hasReadOnlyField) {
            throw new IllegalArgumentException("readOnly=true needs the readOnly field on the wire");
        }
    }

    /** The current form, with the readOnly byte. */
    public ConnectRequest(int protocolVersion, long lastZxidSeen, int timeOut, long sessionId,
                          byte[] passwd, boolean readOnly) {
        this(protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly, true);
    }

    @Override
    public void write(JuteWriter out) {
        out.writeInt(protocolVersion).writeLong(lastZxidSeen).writeInt(timeOut)
                .writeLong(sessionId).writeBuffer(passwd);
        if (hasReadOnlyField) {
            out.writeBool(readOnly);
        }
    }

    /** Reads a whole handshake frame: the readOnly byte is present exactly when a byte is left. */
    public static ConnectRequest read(JuteReader in) {
        int protocolVersion = in.readInt();
        long lastZxidSeen = in.readLong();
        int timeOut = in.readInt();
        long sessionId = in.readLong();
        byte[] passwd = in.readBuffer();
        if (!in.hasRemaining()) {
            return new ConnectRequest(protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, false, false);
        }
        boolean readOnly = in.readBool();
        return new ConnectRequest(protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly, true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectRequest r && protocolVersion == r.protocolVersion
                && lastZxidSeen == r.lastZxidSeen && timeOut == r.timeOut && sessionId == r.sessionId
                && Arrays.equals(passwd, r.passwd) && readOnly == r.readOnly
                && hasReadOnlyField == r.hasReadOnlyField;
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocolVersion, lastZxidSeen, timeOut, sessionId, Arrays.hashCode(passwd),
                readOnly, hasReadOnlyField);
    }

    @Override
    public String toString() {
        return "ConnectRequest[protocolVersion=" + protocolVersion + ", lastZxidSeen=0x"
                + Long.toHexString(lastZxidSeen) + ", timeOut=" + timeOut + ", sessionId=0x"
                + Long.toHexString(sessionId) + ", passwd=" + Bytes.describe(passwd) + ", readOnly="
                + readOnly + ", hasReadOnlyField=" + hasReadOnlyField + "]";
    }
}
