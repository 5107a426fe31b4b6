package io.paddock.core;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.Applied;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.Fired;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.Create2Response;
import io.paddock.core.wire.CreateResponse;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.MultiResponse;
import io.paddock.core.wire.MultiResult;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetACLResponse;
import io.paddock.core.wire.SetDataResponse;
import io.paddock.core.wire.Stat;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies transactions to the tree and the session table, in zxid order, and says what the
 * client that asked should hear. Used the same way for live requests and for replay after a
 * restart, so both end in the same state.
 */
final class TxnApplier {
    private final DataTree tree;
    private final SessionTable sessions;

    TxnApplier(DataTree tree, SessionTable sessions) {
        this.tree = tree;
        this.sessions = sessions;
    }

    /** The outcome of one transaction: the reply (error code and body) and the watches it fired. */
    record Outcome(int err, JuteRecord body, List<Fired> fired) {}

    /** @param opCode the request's op code (decides the reply's shape), or -1 when none waits */
    Outcome apply(TxnEnvelope env, int opCode) {
        List<Fired> fired = new ArrayList<>();
        Txn txn = env.txn();
        if (txn instanceof Txn.Multi multi) {
            List<MultiResult> results = new ArrayList<>();
            for (Txn sub : multi.txns()) {
                results.add(applyInMulti(env, sub, fired));
            }
            return new Outcome(Code.OK, new MultiResponse(results), fired);
        }
        if (txn instanceof Txn.MultiError me) {
            List<MultiResult> results = new ArrayList<>();
            for (int err : me.errors()) {
                results.add(MultiResult.error(err));
            }
            return new Outcome(Code.OK, new MultiResponse(results), fired);
        }
        if (txn instanceof Txn.Error e) {
            return new Outcome(e.code(), null, fired);
        }
        return new Outcome(Code.OK, applySingle(env, txn, opCode, fired), fired);
    }

    private MultiResult applyInMulti(TxnEnvelope env, Txn sub, List<Fired> fired) {
        if (sub instanceof Txn.Create c) {
            Applied a = create(env, c, fired);
            return MultiResult.created(opCodeOfCreate(c), c.path(), a.stat());
        }
        if (sub instanceof Txn.Delete d) {
            fired.addAll(tree.delete(d.path(), env.zxid()));
            return MultiResult.deleted();
        }
        if (sub instanceof Txn.SetData s) {
            Applied a = tree.setData(s.path(), s.data(), s.version(), env.zxid(), env.timeMs());
            fired.addAll(a.fired());
            return MultiResult.dataSet(a.stat());
        }
        if (sub instanceof Txn.Check) {
            return MultiResult.checked();
        }
        throw new IllegalStateException("not allowed inside a multi: " + sub);
    }

    /** Inside a multi ZooKeeper answers a plain create with its path, other creates with a Stat too. */
    private static int opCodeOfCreate(Txn.Create c) {
        return c.viaCreate2() ? OpCode.CREATE2 : OpCode.CREATE;
    }

    private JuteRecord applySingle(TxnEnvelope env, Txn txn, int opCode, List<Fired> fired) {
        if (txn instanceof Txn.CreateSession cs) {
            sessions.add(cs.sessionId(), cs.timeoutMs(), cs.passwd(), env.timeMs());
            return null;
        }
        if (txn instanceof Txn.CloseSession close) {
            // ZooKeeper's killSession deletes in the txn's order (its leader lists them from a HashSet),
            // then whatever ephemerals of the session are left: the watch events come in that order.
            if (close.paths() != null) {
                for (String path : close.paths()) {
                    io.paddock.core.tree.Znode n = tree.get(path);
                    if (n != null && n.kind() == io.paddock.core.tree.NodeKind.EPHEMERAL
                            && n.ephemeralOwner() == close.sessionId()) {
                        fired.addAll(tree.delete(path, env.zxid()));
                    }
                }
            }
            fired.addAll(tree.closeSession(close.sessionId(), env.zxid()));
            sessions.remove(close.sessionId());
            return null;
        }
        if (txn instanceof Txn.Create c) {
            Applied a = create(env, c, fired);
            if (opCode == -1) {
                return null; // replay: nobody waits for a reply
            }
            return opCode == OpCode.CREATE ? new CreateResponse(c.path()) : new Create2Response(c.path(), a.stat());
        }
        if (txn instanceof Txn.Delete d) {
            fired.addAll(tree.delete(d.path(), env.zxid()));
            return null;
        }
        if (txn instanceof Txn.SetData s) {
            Applied a = tree.setData(s.path(), s.data(), s.version(), env.zxid(), env.timeMs());
            fired.addAll(a.fired());
            return new SetDataResponse(a.stat());
        }
        if (txn instanceof Txn.SetAcl s) {
            return new SetACLResponse(tree.setAcl(s.path(), s.acl(), s.aversion()));
        }
        if (txn instanceof Txn.Check) {
            return null;
        }
        throw new IllegalStateException("unexpected txn " + txn);
    }

    /**
     * Applies a transaction that a fuzzy snapshot may already hold, in part or whole (a learner's
     * replay of what its leader proposed while it serialized the snapshot it sent: ZooKeeper's
     * leaders do that). Each change is made only where the tree allows it, as ZooKeeper's {@code
     * DataTree.processTxn} ignores NODEEXISTS and NONODE then: a create of a node that exists
     * takes its ACL and the parent's cversion and pzxid if larger ({@link
     * DataTree#replayCreateOfExisting}); a delete of a missing node moves the parent's pzxid ({@link
     * DataTree#replayDeleteOfMissing}), and of a node that has children deletes them first (they
     * came later in the leader's order, and their own replays create them again); a setData or
     * setACL of a missing node, a create under a missing parent, a createSession of a session that
     * exists are skipped; a closeSession deletes its CloseSessionTxn's paths first, as ZooKeeper's
     * killSession does ({@link Txn.CloseSession#paths}, null for none). A multi's operations each go the
     * same way. On a tree that holds none of the transaction, this is {@link #apply}. Nobody waits
     * for its reply.
     */
    Outcome replay(TxnEnvelope env) {
        List<Fired> fired = new ArrayList<>();
        Txn txn = env.txn();
        List<Txn> ops = txn instanceof Txn.Multi multi ? multi.txns() : List.of(txn);
        for (Txn op : ops) {
            replayOne(env, op, fired);
        }
        return new Outcome(Code.OK, null, fired);
    }

    private void replayOne(TxnEnvelope env, Txn txn, List<Fired> fired) {
        if (txn instanceof Txn.CreateSession cs) {
            if (!sessions.contains(cs.sessionId())) {
                sessions.add(cs.sessionId(), cs.timeoutMs(), cs.passwd(), env.timeMs());
            }
        } else if (txn instanceof Txn.CloseSession close) {
            // ZooKeeper's killSession: the txn's paths first (a parent's pzxid moves even for one
            // that is gone already), then whatever ephemerals of the session are left.
            for (String path : close.paths() == null ? List.<String>of() : close.paths()) {
                if (tree.get(path) == null) {
                    tree.replayDeleteOfMissing(path, env.zxid());
                } else {
                    // whoever holds it now: a node made again later is made again by its own replay
                    deleteSubtree(path, env.zxid(), fired);
                }
            }
            fired.addAll(tree.closeSession(close.sessionId(), env.zxid()));
            sessions.remove(close.sessionId());
        } else if (txn instanceof Txn.Create c) {
            if (tree.get(c.path()) != null) {
                tree.replayCreateOfExisting(c.path(), c.acl(), c.parentCVersion(), env.zxid());
            } else {
                io.paddock.core.tree.Znode parent = tree.get(io.paddock.core.tree.PathValidation.parentOf(c.path()));
                if (parent != null && parent.kind() != io.paddock.core.tree.NodeKind.EPHEMERAL) {
                    create(env, c, fired);
                }
            }
        } else if (txn instanceof Txn.Delete d) {
            if (tree.get(d.path()) == null) {
                tree.replayDeleteOfMissing(d.path(), env.zxid());
            } else {
                deleteSubtree(d.path(), env.zxid(), fired);
            }
        } else if (txn instanceof Txn.SetData s) {
            if (tree.get(s.path()) != null) {
                fired.addAll(tree.setData(s.path(), s.data(), s.version(), env.zxid(), env.timeMs()).fired());
            }
        } else if (txn instanceof Txn.SetAcl s) {
            if (tree.get(s.path()) != null) {
                tree.setAcl(s.path(), s.acl(), s.aversion());
            }
        }
        // Check, Error, MultiError: nothing to apply
    }

    /** Deletes {@code path} and everything under it, deepest first (no recursion: paths may be deep). */
    private void deleteSubtree(String path, long zxid, List<Fired> fired) {
        List<String> order = new ArrayList<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
        todo.push(path);
        while (!todo.isEmpty()) {
            String p = todo.pop();
            order.add(p);
            for (String child : tree.children(p)) {
                todo.push(p + "/" + child);
            }
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            fired.addAll(tree.delete(order.get(i), zxid));
        }
    }

    private Applied create(TxnEnvelope env, Txn.Create c, List<Fired> fired) {
        Applied a = tree.create(c.path(), c.data(), c.acl(), c.kind(), c.ephemeralOwner(), c.ttlMs(),
                c.parentCVersion(), env.zxid(), env.timeMs());
        fired.addAll(a.fired());
        return a;
    }
}
