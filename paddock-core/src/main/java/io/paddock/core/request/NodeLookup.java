package io.paddock.core.request;

import java.util.Collection;

/** The committed tree as validation sees it. */
public interface NodeLookup {
    /** The node's record, or null when the tree has no such node. */
    NodeRecord find(String path);

    /** The paths of a session's ephemeral nodes in the committed tree. */
    Collection<String> ephemeralsOf(long sessionId);

    /** The committed tree's ZooKeeper digest ({@link io.paddock.core.tree.NodeDigest}). */
    long treeDigest();

    /** The deepest path with a quota at or above {@code path} in the committed tree, or null. */
    String quotaRootOf(String path);

    /** A committed node's data (a quota's limits and stats): null when there is no such node or its data is null. */
    byte[] dataOf(String path);
}
