package io.paddock.core.wire;

/** getEphemerals: this session's ephemeral nodes whose path starts with {@code prefixPath}. */
public record GetEphemeralsRequest(String prefixPath) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(prefixPath);
    }

    public static GetEphemeralsRequest read(JuteReader in) {
        return new GetEphemeralsRequest(in.readString());
    }
}
