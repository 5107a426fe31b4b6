package io.paddock.core.storage;

import io.paddock.core.session.Session;
import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.Znode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Captures a consistent {@link SnapshotSource} from the live state on the loop thread (see
 * {@link SnapshotFormat} for why this is not a fuzzy snapshot). Node records share the tree's
 * data arrays and ACL lists: DataTree replaces them on setData/setACL and never writes into them,
 * so the capture stays valid while the tree moves on. Sessions are ordered by id. The server
 * uses {@link TreeCapture} instead, which copies only nodes that change while it is read out;
 * this eager form is the reference its tests compare with.
 */
public final class TreeSnapshot {
    private TreeSnapshot() {}

    public static SnapshotSource capture(DataTree tree, SessionTable sessionTable, long lastZxid, long timeMs) {
        List<SnapshotNode> nodes = new ArrayList<>(tree.nodeCount());
        tree.forEach((path, node) -> nodes.add(nodeOf(path, node)));
        List<SnapshotSession> sessions = new ArrayList<>(sessionTable.size());
        for (Session s : sessionTable.all()) {
            sessions.add(new SnapshotSession(s.id(), s.timeoutMs(), s.passwd()));
        }
        sessions.sort(Comparator.comparingLong(SnapshotSession::id));
        return new ListSnapshotSource(lastZxid, timeMs, sessions, nodes);
    }

    static SnapshotNode nodeOf(String path, Znode node) {
        return new SnapshotNode(path, node.data(), node.acl(), node.kind(), node.ephemeralOwner(), node.ttlMs(),
                node.czxid(), node.mzxid(), node.ctime(), node.mtime(), node.version(),
                node.childCreations(), node.aversion(), node.pzxid());
    }
}
