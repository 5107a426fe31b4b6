package io.paddock.core.wire;

/** sync: wait until this server has caught up with the leader. */
public record SyncRequest(String path) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path);
    }

    public static SyncRequest read(JuteReader in) {
        return new SyncRequest(in.readString());
    }
}
