package io.paddock.core.wire;

/** addWatch: a persistent watch; {@code mode} is an {@link AddWatchMode}. */
public record AddWatchRequest(String path, int mode) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeInt(mode);
    }

    public static AddWatchRequest read(JuteReader in) {
        return new AddWatchRequest(in.readString(), in.readInt());
    }
}
