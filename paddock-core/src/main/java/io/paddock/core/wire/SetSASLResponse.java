package io.paddock.core.wire;

import java.util.Arrays;

/** The server's SASL challenge or final token, answering a GetSASLRequest. */
public record SetSASLResponse(byte[] token) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeBuffer(token);
    }

    public static SetSASLResponse read(JuteReader in) {
        return new SetSASLResponse(in.readBuffer());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetSASLResponse r && Arrays.equals(token, r.token);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(token);
    }

    @Override
    public String toString() {
        return "SetSASLResponse[token=" + Bytes.describe(token) + "]";
    }
}
