package io.paddock.core.storage;

import java.util.Iterator;
import java.util.List;

/** A {@link SnapshotSource} over frozen lists (what {@link TreeSnapshot#capture} produces). */
record ListSnapshotSource(long lastZxid, long timeMs, List<SnapshotSession> sessionList,
                          List<SnapshotNode> nodeList) implements SnapshotSource {
    ListSnapshotSource {
        sessionList = List.copyOf(sessionList);
        nodeList = List.copyOf(nodeList);
    }

    @Override
    public Iterator<SnapshotSession> sessions() {
        return sessionList.iterator();
    }

    @Override
    public Iterator<SnapshotNode> nodes() {
        return nodeList.iterator();
    }
}
