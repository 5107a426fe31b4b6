package io.paddock.core.wire;

import java.util.List;

/** The answer to getEphemerals: full paths (null allowed, as jute allows). */
public record GetEphemeralsResponse(List<String> ephemerals) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeStringVector(ephemerals);
    }

    public static GetEphemeralsResponse read(JuteReader in) {
        return new GetEphemeralsResponse(in.readStringVector());
    }
}
