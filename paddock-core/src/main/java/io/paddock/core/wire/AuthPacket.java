package io.paddock.core.wire;

import java.util.Arrays;
import java.util.Objects;

/** addAuth: credentials {@code auth} for {@code scheme} (e.g. digest "user:password"). */
public record AuthPacket(int type, String scheme, byte[] auth) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeInt(type).writeString(scheme).writeBuffer(auth);
    }

    public static AuthPacket read(JuteReader in) {
        return new AuthPacket(in.readInt(), in.readString(), in.readBuffer());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthPacket r && type == r.type && Objects.equals(scheme, r.scheme)
                && Arrays.equals(auth, r.auth);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, scheme, Arrays.hashCode(auth));
    }

    /** Never prints the credentials. */
    @Override
    public String toString() {
        return "AuthPacket[type=" + type + ", scheme=" + scheme + ", auth=" + Bytes.describe(auth) + "]";
    }
}
