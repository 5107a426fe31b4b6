package io.paddock.core.wire;

/** check (inside a multi): fail unless the node's version matches (-1 matches any). */
public record CheckVersionRequest(String path, int version) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeInt(version);
    }

    public static CheckVersionRequest read(JuteReader in) {
        return new CheckVersionRequest(in.readString(), in.readInt());
    }
}
