package io.paddock.core.wire;

/** The answer to getAllChildrenNumber: how many descendants the node has. */
public record GetAllChildrenNumberResponse(int totalNumber) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeInt(totalNumber);
    }

    public static GetAllChildrenNumberResponse read(JuteReader in) {
        return new GetAllChildrenNumberResponse(in.readInt());
    }
}
