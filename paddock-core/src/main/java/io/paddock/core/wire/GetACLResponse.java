package io.paddock.core.wire;

import java.util.List;
import java.util.Objects;

/** The answer to getACL: the node's ACL and stat. */
public record GetACLResponse(List<Acl> acl, Stat stat) implements JuteRecord {
    public GetACLResponse {
        Objects.requireNonNull(stat, "stat");
    }

    @Override
    public void write(JuteWriter out) {
        Acl.writeList(out, acl);
        stat.write(out);
    }

    public static GetACLResponse read(JuteReader in) {
        return new GetACLResponse(Acl.readList(in), Stat.read(in));
    }
}
