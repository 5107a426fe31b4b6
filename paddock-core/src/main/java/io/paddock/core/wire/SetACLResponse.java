package io.paddock.core.wire;

import java.util.Objects;

/** The answer to setACL: the node's new stat. */
public record SetACLResponse(Stat stat) implements JuteRecord {
    public SetACLResponse {
        Objects.requireNonNull(stat, "stat");
    }

    @Override
    public void write(JuteWriter out) {
        stat.write(out);
    }

    public static SetACLResponse read(JuteReader in) {
        return new SetACLResponse(Stat.read(in));
    }
}
