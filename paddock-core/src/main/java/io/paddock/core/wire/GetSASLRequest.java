package io.paddock.core.wire;

import java.util.Arrays;

/** A SASL token from the client (op code sasl). */
public record GetSASLRequest(byte[] token) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeBuffer(token);
    }

    public static GetSASLRequest read(JuteReader in) {
        return new GetSASLRequest(in.readBuffer());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetSASLRequest r && Arrays.equals(token, r.token);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(token);
    }

    @Override
    public String toString() {
        return "GetSASLRequest[token=" + Bytes.describe(token) + "]";
    }
}
