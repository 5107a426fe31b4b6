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

    private Applied create(TxnEnvelope env, Txn.Create c, List<Fired> fired) {
        Applied a = tree.create(c.path(), c.data(), c.acl(), c.kind(), c.ephemeralOwner(), c.ttlMs(),
                c.parentCVersion(), env.zxid(), env.timeMs());
        fired.addAll(a.fired());
        return a;
    }
}
