package io.paddock.core.wire;

import java.util.Objects;

/** The answer to create2, createContainer and createTTL: the actual path and the new stat. */
public record Create2Response(String path, Stat stat) implements JuteRecord {
    public Create2Response {
        Objects.requireNonNull(stat, "stat");
    }

    @Override
    public void write(JuteWriter out) {
        out.writeString(path);
        stat.write(out);
    }

    public static Create2Response read(JuteReader in) {
        return new Create2Response(in.readString(), Stat.read(in));
    }
}
