package io.paddock.core.storage;

import java.util.Iterator;

/**
 * A read-only view of one consistent state to snapshot: the tree and sessions exactly as they
 * were after {@link #lastZxid()} was applied. Iterators (not a visitor) so that a {@link
 * SnapshotEncoder} can stop after a bounded number of nodes and resume on a later loop turn.
 * {@link TreeSnapshot#capture} builds one from a DataTree and a SessionTable.
 */
public interface SnapshotSource {
    long lastZxid();

    long timeMs();

    Iterator<SnapshotSession> sessions();

    /**
     * Every node depth-first: the root first, each node before its children, siblings in
     * ascending name order (String order, as DataTree#forEach visits). The encoder checks it.
     */
    Iterator<SnapshotNode> nodes();
}
