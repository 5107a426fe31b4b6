package io.paddock.core.wire;

/** getChildren2: child names and the parent's stat, optionally leaving a child watch. */
public record GetChildren2Request(String path, boolean watch) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeBool(watch);
    }

    public static GetChildren2Request read(JuteReader in) {
        return new GetChildren2Request(in.readString(), in.readBool());
    }
}
