package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.Fired;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A closeSession deletes its ephemerals in the order its CloseSessionTxn lists them, as ZooKeeper's
 * killSession does, then any the list lacks: a ZooKeeper leader lists them from a HashSet, and a
 * client watching them gets its NodeDeleted events in that order from every server.
 */
class CloseSessionOrderTest {
    private static final long SESSION = 0x77L;
    private static final int NODE_DELETED = 2;

    @Test
    void ephemeralsGoInTheTransactionsOrderThenTheRest() {
        DataTree tree = new DataTree();
        SessionTable sessions = new SessionTable(100);
        sessions.add(SESSION, 4000, new byte[16], 0);
        long zxid = 10;
        for (String path : List.of("/a", "/b", "/c")) {
            tree.create(path, null, Acl.OPEN, NodeKind.EPHEMERAL, SESSION, 0, -1, zxid++, 0);
            tree.watches().addDataWatch(path, 1);
        }
        TxnApplier applier = new TxnApplier(tree, sessions);
        TxnApplier.Outcome out = applier.apply(new TxnEnvelope(zxid, SESSION, 0, 0,
                new Txn.CloseSession(SESSION, List.of("/c", "/a"))), -1);
        List<String> deleted = out.fired().stream().filter(f -> f.eventType() == NODE_DELETED).map(Fired::path).toList();
        assertEquals(List.of("/c", "/a", "/b"), deleted);
        assertEquals(0, tree.ephemerals(SESSION).size());
        tree.checkInvariants();
    }
}
