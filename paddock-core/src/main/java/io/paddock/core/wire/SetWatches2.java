package io.paddock.core.wire;

import java.util.List;

/** setWatches2: {@link SetWatches} plus the persistent and persistent-recursive watches. */
public record SetWatches2(long relativeZxid, List<String> dataWatches, List<String> existWatches,
                          List<String> childWatches, List<String> persistentWatches,
                          List<String> persistentRecursiveWatches) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeLong(relativeZxid).writeStringVector(dataWatches).writeStringVector(existWatches)
                .writeStringVector(childWatches).writeStringVector(persistentWatches)
                .writeStringVector(persistentRecursiveWatches);
    }

    public static SetWatches2 read(JuteReader in) {
        return new SetWatches2(in.readLong(), in.readStringVector(), in.readStringVector(),
                in.readStringVector(), in.readStringVector(), in.readStringVector());
    }
}
