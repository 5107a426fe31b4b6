package io.paddock.core.request;

import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.util.Arrays;
import java.util.List;

/**
 * A transaction: a state change that has been validated against the tree and given its place
 * in the total order. Applying the same transactions in the same order gives the same tree on
 * every server and after every restart, so everything a transaction needs (sequential names,
 * the parent's new cversion, the time) is decided before it is logged.
 */
public sealed interface Txn {

    /** A new session with its negotiated timeout and its password. */
    record CreateSession(long sessionId, int timeoutMs, byte[] passwd) implements Txn {
        @Override
        public boolean equals(Object o) {
            return o instanceof CreateSession c && c.sessionId == sessionId
                    && c.timeoutMs == timeoutMs && Arrays.equals(c.passwd, passwd);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(sessionId) * 31 + Arrays.hashCode(passwd);
        }
    }

    /**
     * Ends a session and deletes its ephemerals (closed by the client or expired). {@code paths}:
     * the ephemerals its leader deleted with it, in path order (ZooKeeper's CloseSessionTxn), which
     * a replay over a fuzzy snapshot needs ({@code TxnApplier#replay}); null where they are not
     * known (a log written before they were kept, a proposal without the CloseSessionTxn). Applied
     * as usual, a closeSession deletes the session's ephemerals the tree holds, listed or not.
     */
    record CloseSession(long sessionId, List<String> paths) implements Txn {
        public CloseSession {
            if (paths != null) {
                paths = List.copyOf(paths);
            }
        }

        public CloseSession(long sessionId) {
            this(sessionId, null);
        }
    }

    /**
     * Creates a znode. {@code ephemeralOwner} is the owning session for ephemerals and 0
     * otherwise; {@code ttlMs} is only meaningful for {@link NodeKind#TTL}. {@code viaCreate2}
     * records whether a create inside a multi asked for the Stat back (create2).
     */
    record Create(String path, byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwner,
                  long ttlMs, int parentCVersion, boolean viaCreate2) implements Txn {
        @Override
        public boolean equals(Object o) {
            return o instanceof Create c && c.path.equals(path) && Arrays.equals(c.data, data)
                    && c.acl.equals(acl) && c.kind == kind && c.ephemeralOwner == ephemeralOwner
                    && c.ttlMs == ttlMs && c.parentCVersion == parentCVersion
                    && c.viaCreate2 == viaCreate2;
        }

        @Override
        public int hashCode() {
            return path.hashCode() * 31 + Arrays.hashCode(data);
        }
    }

    record Delete(String path) implements Txn {}

    /** Sets data; {@code version} is the node's new version. */
    record SetData(String path, byte[] data, int version) implements Txn {
        @Override
        public boolean equals(Object o) {
            return o instanceof SetData s && s.path.equals(path) && Arrays.equals(s.data, data)
                    && s.version == version;
        }

        @Override
        public int hashCode() {
            return path.hashCode() * 31 + Arrays.hashCode(data);
        }
    }

    /** Sets the ACL; {@code aversion} is the node's new ACL version. */
    record SetAcl(String path, List<Acl> acl, int aversion) implements Txn {}

    /** A version check inside a multi: changes nothing, kept so results line up. */
    record Check(String path, int version) implements Txn {}

    /** All of these or none. A failed multi is logged as {@link MultiError}. */
    record Multi(List<Txn> txns) implements Txn {
        public Multi {
            txns = List.copyOf(txns);
        }
    }

    /**
     * A multi that failed validation: logged too, because ZooKeeper gives it a zxid. {@code
     * errors} holds one code per op (0 before the failing op, its code, then -2 after).
     */
    record MultiError(List<Integer> errors, List<Integer> opTypes) implements Txn {
        public MultiError {
            errors = List.copyOf(errors);
            opTypes = List.copyOf(opTypes);
        }
    }

    /** A single write that failed validation: logged with its zxid, like ZooKeeper's ErrorTxn. */
    record Error(int code) implements Txn {}

}
