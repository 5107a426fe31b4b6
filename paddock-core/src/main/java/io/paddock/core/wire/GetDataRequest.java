package io.paddock.core.wire;

/** getData: data and stat of a node, optionally leaving a data watch. */
public record GetDataRequest(String path, boolean watch) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeBool(watch);
    }

    public static GetDataRequest read(JuteReader in) {
        return new GetDataRequest(in.readString(), in.readBool());
    }
}
