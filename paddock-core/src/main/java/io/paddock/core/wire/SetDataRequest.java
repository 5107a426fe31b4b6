package io.paddock.core.wire;

import java.util.Arrays;
import java.util.Objects;

/** setData: replace a node's data if its version matches (-1 matches any). */
public record SetDataRequest(String path, byte[] data, int version) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeBuffer(data).writeInt(version);
    }

    public static SetDataRequest read(JuteReader in) {
        return new SetDataRequest(in.readString(), in.readBuffer(), in.readInt());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetDataRequest r && Objects.equals(path, r.path) && Arrays.equals(data, r.data)
                && version == r.version;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, Arrays.hashCode(data), version);
    }

    @Override
    public String toString() {
        return "SetDataRequest[path=" + path + ", data=" + Bytes.describe(data) + ", version=" + version + "]";
    }
}
