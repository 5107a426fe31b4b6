package io.paddock.core.wire;

import java.util.Objects;

/** The answer to exists when the node exists. */
public record ExistsResponse(Stat stat) implements JuteRecord {
    public ExistsResponse {
        Objects.requireNonNull(stat, "stat");
    }

    @Override
    public void write(JuteWriter out) {
        stat.write(out);
    }

    public static ExistsResponse read(JuteReader in) {
        return new ExistsResponse(Stat.read(in));
    }
}
