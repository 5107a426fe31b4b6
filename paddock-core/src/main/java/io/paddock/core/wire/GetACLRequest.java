package io.paddock.core.wire;

/** getACL: the ACL and stat of a node. */
public record GetACLRequest(String path) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path);
    }

    public static GetACLRequest read(JuteReader in) {
        return new GetACLRequest(in.readString());
    }
}
