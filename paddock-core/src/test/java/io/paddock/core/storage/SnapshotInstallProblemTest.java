package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a leader's snapshot must hold for a learner to install it, checked before the learner drops
 * its own state: each rule is one that installing would otherwise break with an exception.
 */
class SnapshotInstallProblemTest {
    private static final byte[] PASSWD = new byte[16];

    private static SnapshotNode node(String path, NodeKind kind, long owner, long ttlMs) {
        return new SnapshotNode(path, new byte[0], Acl.OPEN, kind, owner, ttlMs, 1, 1, 0, 0, 0, 0, 0, 1);
    }

    private static SnapshotData snapshot(List<SnapshotSession> sessions, SnapshotNode... nodes) {
        List<SnapshotNode> all = new ArrayList<>();
        all.add(node("/", NodeKind.PERSISTENT, 0, 0));
        all.addAll(List.of(nodes));
        return new SnapshotData("t", new SnapshotHeader(SnapshotFormat.VERSION, 9, 0), sessions, all);
    }

    @Test
    void aSnapshotOfEveryKindOfNodeInstalls() {
        SnapshotData ok = snapshot(List.of(new SnapshotSession(5, 4000, PASSWD), new SnapshotSession(6, 4000, PASSWD)),
                node("/a", NodeKind.PERSISTENT, 0, 0), node("/a/e", NodeKind.EPHEMERAL, 5, 0),
                node("/b", NodeKind.CONTAINER, 0, 0), node("/c", NodeKind.TTL, 0, NodeKind.TTL_MS_MAX));
        assertNull(ok.installProblem());
        // and a tree does take it
        DataTree tree = new DataTree();
        for (SnapshotNode n : ok.nodes()) {
            tree.restoreNode(n.path(), n.data(), n.acl(), n.kind(), n.ephemeralOwner(), n.ttlMs(), n.czxid(),
                    n.mzxid(), n.ctime(), n.mtime(), n.version(), n.cversion(), n.aversion(), n.pzxid());
        }
    }

    @Test
    void eachBreakOfARuleIsNamed() {
        assertEquals("session 0x5 twice", snapshot(List.of(new SnapshotSession(5, 4000, PASSWD),
                new SnapshotSession(5, 9000, PASSWD))).installProblem());
        assertEquals("EPHEMERAL node /e with ephemeral owner 0x0",
                snapshot(List.of(), node("/e", NodeKind.EPHEMERAL, 0, 0)).installProblem());
        assertEquals("PERSISTENT node /p with ephemeral owner 0x5",
                snapshot(List.of(), node("/p", NodeKind.PERSISTENT, 5, 0)).installProblem());
        assertEquals("TTL node /t with ttl 0", snapshot(List.of(), node("/t", NodeKind.TTL, 0, 0)).installProblem());
        assertEquals("TTL node /t with ttl " + (NodeKind.TTL_MS_MAX + 1),
                snapshot(List.of(), node("/t", NodeKind.TTL, 0, NodeKind.TTL_MS_MAX + 1)).installProblem());
        assertEquals("CONTAINER node /c with ttl 5", snapshot(List.of(), node("/c", NodeKind.CONTAINER, 0, 5)).installProblem());
        assertEquals("node /e/child under an ephemeral node", snapshot(List.of(),
                node("/e", NodeKind.EPHEMERAL, 5, 0), node("/e/child", NodeKind.PERSISTENT, 0, 0)).installProblem());
    }
}
