package io.paddock.core.wire;

/** An identity in an ACL scheme (jute {@code org.apache.zookeeper.data.Id}), e.g. world:anyone. */
public record Id(String scheme, String id) implements JuteRecord {
    public static final Id ANYONE = new Id("world", "anyone");

    @Override
    public void write(JuteWriter out) {
        out.writeString(scheme).writeString(id);
    }

    public static Id read(JuteReader in) {
        return new Id(in.readString(), in.readString());
    }
}
