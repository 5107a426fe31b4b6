package io.paddock.core.wire;

import java.util.List;

/**
 * setWatches (sent on reconnect): re-register watches; the server fires at once those whose
 * node changed after {@code relativeZxid}.
 */
public record SetWatches(long relativeZxid, List<String> dataWatches, List<String> existWatches,
                         List<String> childWatches) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeLong(relativeZxid).writeStringVector(dataWatches).writeStringVector(existWatches)
                .writeStringVector(childWatches);
    }

    public static SetWatches read(JuteReader in) {
        return new SetWatches(in.readLong(), in.readStringVector(), in.readStringVector(),
                in.readStringVector());
    }
}
