package io.paddock.core.wire;

import java.util.List;

/** setACL: replace a node's ACL if its aversion matches (-1 matches any). */
public record SetACLRequest(String path, List<Acl> acl, int version) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path);
        Acl.writeList(out, acl);
        out.writeInt(version);
    }

    public static SetACLRequest read(JuteReader in) {
        return new SetACLRequest(in.readString(), Acl.readList(in), in.readInt());
    }
}
