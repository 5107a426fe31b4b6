package io.paddock.core.tree;

import io.paddock.core.wire.Stat;
import java.util.List;

/**
 * The outcome of applying a create or setData: the node and the watches it fired. The Stat is
 * made only when asked for (a plain create's reply has none), so ask before the tree changes
 * again. {@code statBefore}, when not null, is the Stat to answer with instead: a quota's stats
 * node created is recounted at once, and ZooKeeper's create2 answers with its Stat from before.
 */
public record Applied(Znode node, List<Fired> fired, Stat statBefore) {
    public Applied {
        fired = List.copyOf(fired);
    }

    public Applied(Znode node, List<Fired> fired) {
        this(node, fired, null);
    }

    /** The node's Stat now. */
    public Stat stat() {
        return statBefore != null ? statBefore : node.stat();
    }
}
