package io.paddock.core.tree;

import io.paddock.core.wire.Stat;
import java.util.List;

/** The outcome of applying a create or setData: the node's new Stat and the watches it fired. */
public record Applied(Stat stat, List<Fired> fired) {
    public Applied {
        fired = List.copyOf(fired);
    }
}
