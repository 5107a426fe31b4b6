package io.paddock.core.storage;

import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.WireException;
import java.util.Arrays;

/** A live session as a snapshot keeps it: enough to re-add it to the session table. */
public record SnapshotSession(long id, int timeoutMs, byte[] passwd) {
    public SnapshotSession {
        if (passwd == null) {
            throw new IllegalArgumentException("session 0x" + Long.toHexString(id) + " has no password");
        }
    }

    void write(JuteWriter out) {
        out.writeLong(id).writeInt(timeoutMs).writeBuffer(passwd);
    }

    static SnapshotSession read(JuteReader in) {
        long id = in.readLong();
        int timeoutMs = in.readInt();
        byte[] passwd = in.readBuffer();
        if (passwd == null) {
            throw new WireException("session 0x" + Long.toHexString(id) + " with a null password");
        }
        return new SnapshotSession(id, timeoutMs, passwd);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotSession s && s.id == id && s.timeoutMs == timeoutMs
                && Arrays.equals(s.passwd, passwd);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(passwd);
    }

    @Override
    public String toString() {
        return "SnapshotSession[id=0x" + Long.toHexString(id) + ", timeoutMs=" + timeoutMs
                + ", passwd=" + passwd.length + " bytes]";
    }
}
