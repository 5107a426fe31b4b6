package io.paddock.core.wire;

import java.util.List;
import java.util.Objects;

/** The answer to getChildren2: child names and the parent's stat. */
public record GetChildren2Response(List<String> children, Stat stat) implements JuteRecord {
    public GetChildren2Response {
        Objects.requireNonNull(stat, "stat");
    }

    @Override
    public void write(JuteWriter out) {
        out.writeStringVector(children);
        stat.write(out);
    }

    public static GetChildren2Response read(JuteReader in) {
        return new GetChildren2Response(in.readStringVector(), Stat.read(in));
    }
}
