package io.paddock.core.wire;

/** The answer to create (op create): the actual path, with any sequential suffix. */
public record CreateResponse(String path) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(path);
    }

    public static CreateResponse read(JuteReader in) {
        return new CreateResponse(in.readString());
    }
}
