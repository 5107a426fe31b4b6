package io.paddock.core.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** createTTL: like {@link CreateRequest} for the TTL modes, with the node's ttl in milliseconds. */
public record CreateTTLRequest(String path, byte[] data, List<Acl> acl, int flags, long ttl)
        implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeBuffer(data);
        Acl.writeList(out, acl);
        out.writeInt(flags).writeLong(ttl);
    }

    public static CreateTTLRequest read(JuteReader in) {
        return new CreateTTLRequest(in.readString(), in.readBuffer(), Acl.readList(in), in.readInt(),
                in.readLong());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CreateTTLRequest r && Objects.equals(path, r.path)
                && Arrays.equals(data, r.data) && Objects.equals(acl, r.acl) && flags == r.flags
                && ttl == r.ttl;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, Arrays.hashCode(data), acl, flags, ttl);
    }

    @Override
    public String toString() {
        return "CreateTTLRequest[path=" + path + ", data=" + Bytes.describe(data) + ", acl=" + acl
                + ", flags=" + flags + ", ttl=" + ttl + "]";
    }
}
