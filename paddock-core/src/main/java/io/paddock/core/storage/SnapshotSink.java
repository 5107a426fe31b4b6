package io.paddock.core.storage;

/**
 * Receives a snapshot as {@link SnapshotDecoder} reads it: the header, then every session, then
 * every node in the order of {@link SnapshotSource#nodes()} (so a node's parent always came
 * before it). Each item comes from a frame whose CRC was already checked, but the file may still
 * turn out truncated or damaged further on: when decode throws, the caller must throw away
 * whatever the sink built.
 *
 * <p>The tree side implements it with a DataTree method that inserts a node with all its stored
 * fields as they were (see the storage report): {@code node(n)} maps to
 * {@code tree.restoreNode(n.path(), n.data(), n.acl(), n.kind(), n.ephemeralOwner(), n.ttlMs(),
 * n.czxid(), n.mzxid(), n.ctime(), n.mtime(), n.version(), n.cversion(), n.aversion(), n.pzxid())}.
 */
public interface SnapshotSink {
    void header(SnapshotHeader header);

    void session(SnapshotSession session);

    void node(SnapshotNode node);
}
