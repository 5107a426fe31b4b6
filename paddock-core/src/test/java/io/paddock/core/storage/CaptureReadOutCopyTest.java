package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import org.junit.jupiter.api.Test;

/**
 * Proves (review finding, fixed) that TreeCapture does not copy a node that changes after it
 * was read out: nobody would read the copy, and a long snapshot under writes would hold one
 * record per node changed.
 */
class CaptureReadOutCopyTest {
    @Test
    void aNodeChangedAfterItWasReadOutIsNotCopied() {
        DataTree tree = new DataTree();
        tree.create("/a", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 1, 0);
        TreeCapture capture = TreeCapture.begin(tree, new SessionTable(2000), 1, 0);
        capture.next(1); // the root is read out
        tree.create("/b", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, 2, 0); // changes the root
        assertEquals(0, capture.preservedCount(), "the root was copied although it had been read out");
        capture.end();
    }
}
