package io.paddock.core.wire;

/** getAllChildrenNumber: count the descendants of a node. */
public record GetAllChildrenNumberRequest(String path) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path);
    }

    public static GetAllChildrenNumberRequest read(JuteReader in) {
        return new GetAllChildrenNumberRequest(in.readString());
    }
}
