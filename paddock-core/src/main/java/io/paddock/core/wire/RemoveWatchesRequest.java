package io.paddock.core.wire;

/** removeWatches: drop this session's watches on a path; {@code type} is a {@link WatcherType}. */
public record RemoveWatchesRequest(String path, int type) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeInt(type);
    }

    public static RemoveWatchesRequest read(JuteReader in) {
        return new RemoveWatchesRequest(in.readString(), in.readInt());
    }
}
