package io.paddock.core.wire;

/**
 * Precedes each op of a multi request and each result of a multi response; a header with
 * {@code done} set ends the sequence.
 */
public record MultiHeader(int type, boolean done, int err) implements JuteRecord {
    /** The header that ends a multi request or response, as ZooKeeper writes it. */
    public static final MultiHeader END = new MultiHeader(-1, true, -1);

    @Override
    public void write(JuteWriter out) {
        out.writeInt(type).writeBool(done).writeInt(err);
    }

    public static MultiHeader read(JuteReader in) {
        return new MultiHeader(in.readInt(), in.readBool(), in.readInt());
    }
}
