package io.paddock.core.wire;

/** delete: remove a node if its version matches (-1 matches any). */
public record DeleteRequest(String path, int version) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeInt(version);
    }

    public static DeleteRequest read(JuteReader in) {
        return new DeleteRequest(in.readString(), in.readInt());
    }
}
