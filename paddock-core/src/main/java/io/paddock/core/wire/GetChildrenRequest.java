package io.paddock.core.wire;

/** getChildren: child names, optionally leaving a child watch. */
public record GetChildrenRequest(String path, boolean watch) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path).writeBool(watch);
    }

    public static GetChildrenRequest read(JuteReader in) {
        return new GetChildrenRequest(in.readString(), in.readBool());
    }
}
