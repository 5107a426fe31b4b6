package io.paddock.core.wire;

/** checkWatches: does this session hold such a watch? {@code type} is a {@link WatcherType}. */
public record CheckWatchesRequest(String path, int type) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeInt(type);
    }

    public static CheckWatchesRequest read(JuteReader in) {
        return new CheckWatchesRequest(in.readString(), in.readInt());
    }
}
