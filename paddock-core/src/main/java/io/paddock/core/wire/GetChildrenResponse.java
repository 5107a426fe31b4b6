package io.paddock.core.wire;

import java.util.List;

/** The answer to getChildren: child names, not full paths (null allowed, as jute allows). */
public record GetChildrenResponse(List<String> children) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeStringVector(children);
    }

    public static GetChildrenResponse read(JuteReader in) {
        return new GetChildrenResponse(in.readStringVector());
    }
}
