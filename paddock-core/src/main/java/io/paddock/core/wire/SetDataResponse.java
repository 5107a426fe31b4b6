package io.paddock.core.wire;

import java.util.Objects;

/** The answer to setData: the node's new stat. */
public record SetDataResponse(Stat stat) implements JuteRecord {
    public SetDataResponse {
        Objects.requireNonNull(stat, "stat");
    }

    @Override
    public void write(JuteWriter out) {
        stat.write(out);
    }

    public static SetDataResponse read(JuteReader in) {
        return new SetDataResponse(Stat.read(in));
    }
}
