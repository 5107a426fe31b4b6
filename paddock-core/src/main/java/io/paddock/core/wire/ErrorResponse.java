package io.paddock.core.wire;

/** The body of a failed op's result inside a multi response. */
public record ErrorResponse(int err) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeInt(err);
    }

    public static ErrorResponse read(JuteReader in) {
        return new ErrorResponse(in.readInt());
    }
}
