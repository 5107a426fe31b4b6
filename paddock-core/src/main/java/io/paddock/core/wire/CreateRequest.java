package io.paddock.core.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * create, create2 and createContainer: a node at {@code path} with {@code data} and
 * {@code acl}; {@code flags} is a {@link CreateFlags} value.
 */
public record CreateRequest(String path, byte[] data, List<Acl> acl, int flags) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeBuffer(data);
        Acl.writeList(out, acl);
        out.writeInt(flags);
    }

    public static CreateRequest read(JuteReader in) {
        return new CreateRequest(in.readString(), in.readBuffer(), Acl.readList(in), in.readInt());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CreateRequest r && Objects.equals(path, r.path) && Arrays.equals(data, r.data)
                && Objects.equals(acl, r.acl) && flags == r.flags;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, Arrays.hashCode(data), acl, flags);
    }

    @Override
    public String toString() {
        return "CreateRequest[path=" + path + ", data=" + Bytes.describe(data) + ", acl=" + acl
                + ", flags=" + flags + "]";
    }
}
