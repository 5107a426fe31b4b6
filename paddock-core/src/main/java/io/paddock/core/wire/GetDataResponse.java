package io.paddock.core.wire;

import java.util.Arrays;
import java.util.Objects;

/** The answer to getData: the node's data (null allowed) and stat. */
public record GetDataResponse(byte[] data, Stat stat) implements JuteRecord {
    public GetDataResponse {
        Objects.requireNonNull(stat, "stat");
    }

    @Override
    public void write(JuteWriter out) {
        out.writeBuffer(data);
        stat.write(out);
    }

    public static GetDataResponse read(JuteReader in) {
        return new GetDataResponse(in.readBuffer(), Stat.read(in));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetDataResponse r && Arrays.equals(data, r.data) && stat.equals(r.stat);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(data), stat);
    }

    @Override
    public String toString() {
        return "GetDataResponse[data=" + Bytes.describe(data) + ", stat=" + stat + "]";
    }
}
