package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.request.Txn;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.CheckVersionRequest;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateTTLRequest;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.MultiOp;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetACLRequest;
import io.paddock.core.wire.SetDataRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A learner answers a forwarded request with a transaction only if it fits it ({@link
 * LearnerForwards#fits}): a client that restarts its xids (kazoo) may have another connection's
 * write of the same session and xid on its way. Every kind of write a learner forwards is fitted by
 * its own transaction (a createTTL's went unanswered once, a CI run found it), an error fits any,
 * and another write of the same kind on another path, or a create or setData with other data, does
 * not.
 */
class ForwardFitsTest {
    private static ClientConnection.QueuedForward forward(int opCode, JuteRecord body) {
        return new ClientConnection.QueuedForward(1, opCode, body, null, 0, 0, 1);
    }

    private static Txn.Create created(String path) {
        return created(path, bytes("x"));
    }

    private static Txn.Create created(String path, byte[] data) {
        return new Txn.Create(path, data, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyForwardedWriteIsFittedByItsOwnTransactionAndNotByAnothers() {
        CreateRequest create = new CreateRequest("/a", bytes("x"), Acl.OPEN, 0);
        CreateRequest sequential = new CreateRequest("/s-", bytes("x"), Acl.OPEN, 2);
        CreateTTLRequest ttl = new CreateTTLRequest("/t", bytes("x"), Acl.OPEN, 5, 1000);
        for (int op : new int[] {OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER}) {
            assertTrue(LearnerForwards.fits(created("/a"), forward(op, create)), "op " + op);
            assertFalse(LearnerForwards.fits(created("/b"), forward(op, create)), "op " + op);
        }
        assertFalse(LearnerForwards.fits(created("/ab"), forward(OpCode.CREATE, create)), "not sequential: the path exactly");
        assertTrue(LearnerForwards.fits(created("/s-0000000007"), forward(OpCode.CREATE, sequential)));
        // Simulator seeds 2370565 and 2380039: a kazoo-like client's earlier sequential create of the
        // same prefix and xid, sent on a connection it lost, is not this one's when its data differs.
        assertFalse(LearnerForwards.fits(created("/s-0000000007", bytes("y")), forward(OpCode.CREATE, sequential)));
        assertFalse(LearnerForwards.fits(created("/a", new byte[0]), forward(OpCode.CREATE, create)));
        CreateRequest noData = new CreateRequest("/a", null, Acl.OPEN, 0); // kazoo's empty data
        assertTrue(LearnerForwards.fits(created("/a", new byte[0]), forward(OpCode.CREATE, noData)));
        assertTrue(LearnerForwards.fits(created("/t"), forward(OpCode.CREATE_TTL, ttl)));
        assertFalse(LearnerForwards.fits(created("/t", bytes("y")), forward(OpCode.CREATE_TTL, ttl)));
        assertFalse(LearnerForwards.fits(created("/u"), forward(OpCode.CREATE_TTL, ttl)));

        DeleteRequest delete = new DeleteRequest("/a", -1);
        assertTrue(LearnerForwards.fits(new Txn.Delete("/a"), forward(OpCode.DELETE, delete)));
        assertFalse(LearnerForwards.fits(new Txn.Delete("/b"), forward(OpCode.DELETE, delete)));
        assertFalse(LearnerForwards.fits(created("/a"), forward(OpCode.DELETE, delete)), "another kind of write");

        SetDataRequest set = new SetDataRequest("/a", bytes("v1"), -1);
        assertTrue(LearnerForwards.fits(new Txn.SetData("/a", bytes("v1"), 2), forward(OpCode.SET_DATA, set)));
        assertFalse(LearnerForwards.fits(new Txn.SetData("/a", bytes("v2"), 2), forward(OpCode.SET_DATA, set)));
        SetDataRequest nullData = new SetDataRequest("/a", null, -1); // kazoo's empty data
        assertTrue(LearnerForwards.fits(new Txn.SetData("/a", new byte[0], 2), forward(OpCode.SET_DATA, nullData)));

        MultiRequest multi = new MultiRequest(List.of(new MultiOp(OpCode.CREATE, create),
                new MultiOp(OpCode.CHECK, new CheckVersionRequest("/a", 0))));
        assertTrue(LearnerForwards.fits(new Txn.Multi(List.of(created("/a"), new Txn.Check("/a", 0))),
                forward(OpCode.MULTI, multi)));
        assertTrue(LearnerForwards.fits(new Txn.MultiError(List.of(0, Code.BAD_VERSION), List.of(-1, -1)),
                forward(OpCode.MULTI, multi)));
        assertFalse(LearnerForwards.fits(new Txn.MultiError(List.of(Code.NO_NODE), List.of(-1)), forward(OpCode.MULTI, multi)));
        assertFalse(LearnerForwards.fits(new Txn.Multi(List.of(created("/b"), new Txn.Check("/b", 0))),
                forward(OpCode.MULTI, multi)), "another multi of as many operations");
        assertFalse(LearnerForwards.fits(new Txn.Multi(List.of(created("/a", bytes("y")), new Txn.Check("/a", 0))),
                forward(OpCode.MULTI, multi)), "a multi whose create has other data");
        assertTrue(LearnerForwards.fits(new Txn.Multi(List.of()), forward(OpCode.MULTI, new MultiRequest(List.of()))));

        SetACLRequest acl = new SetACLRequest("/a", Acl.OPEN, -1);
        assertTrue(LearnerForwards.fits(new Txn.SetAcl("/a", Acl.OPEN, 1), forward(OpCode.SET_ACL, acl)));
        assertFalse(LearnerForwards.fits(new Txn.SetAcl("/b", Acl.OPEN, 1), forward(OpCode.SET_ACL, acl)));

        assertTrue(LearnerForwards.fits(new Txn.CloseSession(7, List.of()), forward(OpCode.CLOSE_SESSION, null)));
        assertFalse(LearnerForwards.fits(created("/a"), forward(OpCode.CLOSE_SESSION, null)));
        for (int op : new int[] {OpCode.CREATE, OpCode.CREATE_TTL, OpCode.DELETE, OpCode.SET_DATA, OpCode.MULTI}) {
            assertTrue(LearnerForwards.fits(new Txn.Error(Code.NO_NODE), forward(op, null)), "an error fits op " + op);
        }
    }
}
