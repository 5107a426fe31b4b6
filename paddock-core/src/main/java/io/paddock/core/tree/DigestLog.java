package io.paddock.core.tree;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The tree digests a server remembers for the {@code hash} word, as ZooKeeper 3.9's DataTree
 * keeps them: the digest after every transaction whose zxid is a multiple of
 * {@value #INTERVAL_ZXIDS} (so servers can be compared line by line), the last
 * {@value #ENTRIES_MAX} of them.
 */
public final class DigestLog {
    /** ZooKeeper's {@code DataTree.DIGEST_LOG_INTERVAL}. */
    public static final int INTERVAL_ZXIDS = 128;
    /** ZooKeeper's {@code DataTree.DIGEST_LOG_LIMIT}. */
    public static final int ENTRIES_MAX = 1024;

    private final TreeMap<Long, Long> digests = new TreeMap<>();

    /** A transaction at {@code zxid} was applied and the tree's digest is now {@code treeDigest}. */
    public void applied(long zxid, long treeDigest) {
        if (zxid % INTERVAL_ZXIDS != 0) {
            return;
        }
        digests.put(zxid, treeDigest);
        if (digests.size() > ENTRIES_MAX) {
            digests.pollFirstEntry();
        }
    }

    /** Zxid to tree digest, oldest first (a copy). */
    public SortedMap<Long, Long> entries() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(digests));
    }
}
