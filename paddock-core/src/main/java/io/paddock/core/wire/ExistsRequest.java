package io.paddock.core.wire;

/** exists: the stat of a node, optionally leaving a watch. */
public record ExistsRequest(String path, boolean watch) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeBool(watch);
    }

    public static ExistsRequest read(JuteReader in) {
        return new ExistsRequest(in.readString(), in.readBool());
    }
}
