package io.paddock.core.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The server's answer to a ConnectRequest: negotiated timeout, session id and password.
 * It carries the trailing {@code readOnly} byte only when the request did
 * ({@code hasReadOnlyField}); old clients would misread a frame with an extra byte.
 */
public record ConnectResponse(int protocolVersion, int timeOut, long sessionId, byte[] passwd,
                              boolean readOnly, boolean hasReadOnlyField) implements JuteRecord {

    public ConnectResponse {
        if (readOnly && !hasReadOnlyField) {
            throw new IllegalArgumentException("readOnly=true needs the readOnly field on the wire");
        }
    }

    /** The answer in the same form as {@code request}. */
    public static ConnectResponse answering(ConnectRequest request, int protocolVersion, int timeOut,
                                            long sessionId, byte[] passwd, boolean readOnly) {
        boolean withField = request.hasReadOnlyField();
        return new ConnectResponse(protocolVersion, timeOut, sessionId, passwd, readOnly && withField, withField);
    }

    @Override
    public void write(JuteWriter out) {
        out.writeInt(protocolVersion).writeInt(timeOut).writeLong(sessionId).writeBuffer(passwd);
        if (hasReadOnlyField) {
            out.writeBool(readOnly);
        }
    }

    /** Reads a whole handshake frame: the readOnly byte is present exactly when a byte is left. */
    public static ConnectResponse read(JuteReader in) {
        int protocolVersion = in.readInt();
        int timeOut = in.readInt();
        long sessionId = in.readLong();
        byte[] passwd = in.readBuffer();
        if (!in.hasRemaining()) {
            return new ConnectResponse(protocolVersion, timeOut, sessionId, passwd, false, false);
        }
        return new ConnectResponse(protocolVersion, timeOut, sessionId, passwd, in.readBool(), true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectResponse r && protocolVersion == r.protocolVersion
                && timeOut == r.timeOut && sessionId == r.sessionId && Arrays.equals(passwd, r.passwd)
                && readOnly == r.readOnly && hasReadOnlyField == r.hasReadOnlyField;
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocolVersion, timeOut, sessionId, Arrays.hashCode(passwd), readOnly,
                hasReadOnlyField);
    }

    @Override
    public String toString() {
        return "ConnectResponse[protocolVersion=" + protocolVersion + ", timeOut=" + timeOut
                + ", sessionId=0x" + Long.toHexString(sessionId) + ", passwd=" + Bytes.describe(passwd)
                + ", readOnly=" + readOnly + ", hasReadOnlyField=" + hasReadOnlyField + "]";
    }
}
