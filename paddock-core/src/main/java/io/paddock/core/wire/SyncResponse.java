package io.paddock.core.wire;

/** The answer to sync, echoing its path. */
public record SyncResponse(String path) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path);
    }

    public static SyncResponse read(JuteReader in) {
        return new SyncResponse(in.readString());
    }
}
