package io.paddock.core.wire;

/**
 * A watch notification (sent after a ReplyHeader with xid -1). {@code type} is an
 * {@link EventType}, {@code state} a {@link KeeperState}.
 */
public record WatcherEvent(int type, int state, String path) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeInt(type).writeInt(state).writeString(path);
    }

    public static WatcherEvent read(JuteReader in) {
        return new WatcherEvent(in.readInt(), in.readInt(), in.readString());
    }
}
