package io.paddock.core.tree;

import io.paddock.core.wire.Stat;
import java.util.List;

/**
 * The outcome of applying a create or setData: the node and the watches it fired. The Stat is
 * made only when asked for (a plain create's reply has none), so ask before the tree changes
 * again.
 */
public record Applied(Znode node, List<Fired> fired) {
    public Applied {
        fired = List.copyOf(fired);
    }

    /** The node's Stat now. */
    public Stat stat() {
        return node.stat();
    }
}
