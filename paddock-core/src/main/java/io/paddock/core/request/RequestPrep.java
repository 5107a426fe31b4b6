package io.paddock.core.request;

import io.paddock.core.tree.NodeKind;
import io.paddock.core.tree.AclCheck;
import io.paddock.core.tree.AuthSchemes;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.QuotaStats;
import io.paddock.core.tree.NodeDigest;
import io.paddock.core.tree.InvalidPathException;
import io.paddock.core.tree.PathValidation;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.CheckVersionRequest;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateTTLRequest;
import io.paddock.core.wire.DeleteContainerRequest;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetACLRequest;
import io.paddock.core.wire.SetDataRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a client's write request into a transaction, validating it against the tree plus every
 * pending change, in the order ZooKeeper checks things (so the same bad request gets the same
 * error code). A request that fails still becomes a transaction ({@link Txn.Error} or {@link
 * Txn.MultiError}): like ZooKeeper, every write takes a zxid and its reply carries it.
 *
 * <p>{@code cversion} here is ZooKeeper's stored counter of child creations: deletes leave it
 * alone and sequential suffixes come from it. Clients see {@code 2 * cversion - numChildren}
 * (creations plus deletions), which the tree computes when it builds a Stat.
 *
 * <p>Every change it records also moves the tree digest the prepared transactions lead to
 * ({@link PendingChanges#treeDigest}) by the changed nodes' new digests minus their old ones, as
 * ZooKeeper's PrepRequestProcessor does (its {@code precalculateDigest}): the leader sends that
 * digest with the proposal, and every server compares it with its tree's once it applied it.
 */
public final class RequestPrep {
    /** ZooKeeper keeps a TTL in 40 bits of the ephemeral owner. */
    public static final long TTL_MS_MAX = 0xFF_FFFF_FFFFL;

    private final NodeLookup tree;
    private final PendingChanges pending;
    private final boolean extendedTypesEnabled;
    private final boolean enforceQuota;
    private final AuthSchemes authSchemes;
    private final NodeDigest digests = new NodeDigest();

    public RequestPrep(NodeLookup tree, PendingChanges pending, boolean extendedTypesEnabled) {
        this(tree, pending, extendedTypesEnabled, false, AuthSchemes.NONE);
    }

    /**
     * {@code enforceQuota}: ZooKeeper's zookeeper.enforceQuota, see {@link #checkQuota};
     * {@code authSchemes}: the providers beyond the defaults ({@link AclCheck#fixup(List, List, AuthSchemes)}).
     */
    public RequestPrep(NodeLookup tree, PendingChanges pending, boolean extendedTypesEnabled, boolean enforceQuota,
                       AuthSchemes authSchemes) {
        this.tree = tree;
        this.pending = pending;
        this.extendedTypesEnabled = extendedTypesEnabled;
        this.enforceQuota = enforceQuota;
        this.authSchemes = authSchemes;
    }

    /**
     * The error ZooKeeper answers a write with before it makes it a transaction, or {@link
     * Code#OK} when the write becomes one (possibly a failed one). Such a refusal takes no zxid
     * and is logged nowhere. Today these are the null fields ZooKeeper trips over first: a
     * deleteContainer without a path, and a multi with a create whose ACL list is null.
     */
    public static int refusalBeforeTxn(int opCode, JuteRecord request) {
        if (request instanceof DeleteContainerRequest d && d.path() == null) {
            return Code.MARSHALLING_ERROR;
        }
        if (opCode == OpCode.MULTI) {
            for (var op : ((MultiRequest) request).ops()) {
                if (op.request() instanceof CreateRequest c && c.acl() == null
                        || op.request() instanceof CreateTTLRequest t && t.acl() == null) {
                    return Code.MARSHALLING_ERROR;
                }
            }
        }
        return Code.OK;
    }

    /** Whether {@code opCode} changes state (and so becomes a transaction). */
    public static boolean isWrite(int opCode) {
        return switch (opCode) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL,
                 OpCode.DELETE, OpCode.DELETE_CONTAINER, OpCode.SET_DATA, OpCode.SET_ACL, OpCode.CHECK,
                 OpCode.MULTI, OpCode.CLOSE_SESSION -> true;
            default -> false;
        };
    }

    /**
     * Validates one write and records its effect as pending; never throws for bad input. Each
     * single op checks everything before it records anything, and a multi records under a
     * rollback mark, so a request that throws (a bug) leaves nothing pending.
     *
     * @param timeMs the time the transaction will carry (a new node's ctime, a setData's mtime)
     */
    public Txn prepare(long zxid, long timeMs, Caller caller, int opCode, JuteRecord request) {
        if (opCode == OpCode.MULTI) {
            try {
                return prepareMulti(zxid, timeMs, caller, (MultiRequest) request);
            } catch (RuntimeException e) {
                pending.rollbackIfMarked(); // a multi that fails half-way leaves nothing pending
                throw e;
            }
        }
        try {
            return prepareOne(zxid, timeMs, caller, opCode, request);
        } catch (PrepException e) {
            return new Txn.Error(e.code());
        }
    }

    /**
     * The tree digest once every prepared transaction applies: what the TxnDigest of the
     * transaction prepared last says (ZooKeeper's {@code getCurrentTreeDigest}).
     */
    public long treeDigest() {
        return pending.treeDigest(tree);
    }

    /**
     * Ends a session: every ephemeral it owns (committed or pending) is deleted with it, and the
     * txn lists them in path order (its CloseSessionTxn).
     */
    public Txn prepareCloseSession(long zxid, long sessionId) {
        List<String> deleted = new ArrayList<>();
        for (String path : pending.ephemeralsOf(sessionId, tree)) {
            NodeRecord node = pending.find(path, tree);
            if (node == null) {
                continue;
            }
            NodeRecord parent = pending.find(PathValidation.parentOf(path), tree);
            putParent(zxid, parent, parent.cversion(), parent.numChildren() - 1);
            putDeleted(zxid, path, node);
            deleted.add(path);
        }
        return new Txn.CloseSession(sessionId, deleted);
    }

    /**
     * The server's own delete of an empty container or an expired TTL node (ZooKeeper's
     * deleteContainer). Returns null when pending changes mean the node no longer qualifies.
     */
    public Txn prepareSweepDelete(long zxid, String path) {
        NodeRecord node = pending.find(path, tree);
        // The sweep chose the node from the committed tree; a pending delete and re-create may
        // have made it something else (ZooKeeper refuses a non-container with BadVersion).
        if (node == null || node.numChildren() > 0
                || (node.kind() != NodeKind.CONTAINER && node.kind() != NodeKind.TTL)) {
            return null;
        }
        NodeRecord parent = pending.find(PathValidation.parentOf(path), tree);
        putParent(zxid, parent, parent.cversion(), parent.numChildren() - 1);
        putDeleted(zxid, path, node);
        return new Txn.Delete(path);
    }

    /**
     * Records a parent whose child was created or deleted at {@code zxid}: its pzxid becomes zxid,
     * its cversion {@code cversion}; its digest changes with them.
     */
    private void putParent(long zxid, NodeRecord parent, int cversion, int numChildren) {
        long digest = digests.afterStatChange(parent.path(), parent.digest(), parent.pzxid(), zxid,
                parent.cversion(), cversion, parent.aversion(), parent.aversion());
        pending.put(parent.withChildren(zxid, cversion, numChildren, digest));
        pending.addToDigest(zxid, digest - parent.digest(), tree);
    }

    /** Records a node deleted at {@code zxid}: its digest leaves the tree's. */
    private void putDeleted(long zxid, String path, NodeRecord node) {
        pending.markDeleted(path, zxid, node);
        pending.addToDigest(zxid, -node.digest(), tree);
    }

    /**
     * A multi is all or nothing, and so are its null fields: as in ZooKeeper, whose look-up of
     * every op's path (and parent) before it prepares any op fails on a null path, such a multi
     * fails as a whole with MARSHALLING_ERROR (whatever the op's position, even behind an op
     * that fails); a null ACL list fails it even earlier, see {@link #refusalBeforeTxn}. An op
     * that ZooKeeper fails with MARSHALLING_ERROR while it is prepared (an ACL entry with a
     * null id, say) fails the whole multi too; an op that fails with any other code fails only
     * itself, and the rest are RUNTIME_INCONSISTENCY.
     */
    private Txn prepareMulti(long zxid, long timeMs, Caller caller, MultiRequest multi) {
        if (hasNullPath(multi)) {
            return new Txn.Error(Code.MARSHALLING_ERROR);
        }
        List<Txn> txns = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        multi.ops().forEach(op -> types.add(op.type()));
        pending.mark();
        for (int i = 0; i < multi.ops().size(); i++) {
            var op = multi.ops().get(i);
            try {
                txns.add(prepareOne(zxid, timeMs, caller, op.type(), op.request()));
            } catch (PrepException e) {
                pending.rollback();
                if (e.code() == Code.MARSHALLING_ERROR) {
                    return new Txn.Error(Code.MARSHALLING_ERROR);
                }
                List<Integer> errors = new ArrayList<>();
                for (int j = 0; j < types.size(); j++) {
                    errors.add(j < i ? Code.OK : j == i ? e.code() : Code.RUNTIME_INCONSISTENCY);
                }
                return new Txn.MultiError(errors, types);
            }
        }
        pending.commitMark();
        return new Txn.Multi(txns);
    }

    private static boolean hasNullPath(MultiRequest multi) {
        for (var op : multi.ops()) {
            JuteRecord r = op.request();
            boolean nullField = r instanceof CreateRequest c ? c.path() == null
                    : r instanceof CreateTTLRequest t ? t.path() == null
                    : r instanceof DeleteRequest d ? d.path() == null
                    : r instanceof SetDataRequest d ? d.path() == null
                    : r instanceof CheckVersionRequest c && c.path() == null;
            if (nullField) {
                return true;
            }
        }
        return false;
    }

    private Txn prepareOne(long zxid, long timeMs, Caller caller, int opCode, JuteRecord request)
            throws PrepException {
        return switch (opCode) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> {
                CreateRequest r = (CreateRequest) request;
                yield create(zxid, timeMs, caller, opCode, r.path(), r.data(), r.acl(), r.flags(), -1);
            }
            case OpCode.CREATE_TTL -> {
                CreateTTLRequest r = (CreateTTLRequest) request;
                yield create(zxid, timeMs, caller, opCode, r.path(), r.data(), r.acl(), r.flags(), r.ttl());
            }
            case OpCode.DELETE -> {
                DeleteRequest r = (DeleteRequest) request;
                yield delete(zxid, caller, r.path(), r.version());
            }
            case OpCode.DELETE_CONTAINER -> deleteContainer(zxid, ((DeleteContainerRequest) request).path());
            case OpCode.SET_DATA -> {
                SetDataRequest r = (SetDataRequest) request;
                yield setData(zxid, timeMs, caller, r.path(), r.data(), r.version());
            }
            case OpCode.SET_ACL -> {
                SetACLRequest r = (SetACLRequest) request;
                yield setAcl(zxid, caller, r.path(), r.acl(), r.version());
            }
            case OpCode.CHECK -> {
                CheckVersionRequest r = (CheckVersionRequest) request;
                yield check(caller, r.path(), r.version());
            }
            default -> throw new PrepException(Code.UNIMPLEMENTED, "op " + opCode + " is not a write");
        };
    }

    private Txn create(long zxid, long timeMs, Caller caller, int opCode, String path, byte[] data,
                       List<Acl> acl, int flags, long ttlMs) throws PrepException {
        NodeKind kind = kindOf(opCode, flags, ttlMs);
        boolean sequential = flags == 2 || flags == 3 || flags == 6;
        String parentPath = parentForWrite(path, false);
        List<Acl> fixedAcl = fixupAcl(acl, caller);
        NodeRecord parent = existing(parentPath);
        requirePermission(parent, Acl.CREATE, caller);
        String finalPath = sequential
                ? path + String.format(Locale.ROOT, "%010d", parent.cversion()) : path;
        validatePath(finalPath);
        if (pending.find(finalPath, tree) != null) {
            throw new PrepException(Code.NODE_EXISTS, finalPath);
        }
        if (parent.isEphemeral()) {
            throw new PrepException(Code.NO_CHILDREN_FOR_EPHEMERALS, finalPath);
        }
        checkQuota(finalPath, 1, data == null ? 0 : data.length);
        int newCversion = parent.cversion() + 1;
        long owner = kind == NodeKind.EPHEMERAL ? caller.sessionId() : 0;
        long ttl = kind == NodeKind.TTL ? ttlMs : 0;
        long storedOwner = kind.encodeOwner(owner, ttl);
        long digest = digests.of(finalPath, data, zxid, zxid, zxid, timeMs, timeMs, 0, 0, 0, storedOwner);
        putParent(zxid, parent, newCversion, parent.numChildren() + 1);
        pending.put(new NodeRecord(zxid, finalPath, 0, 0, 0, fixedAcl, owner, kind, 0, zxid, timeMs, zxid,
                storedOwner, digest, data == null ? 0 : data.length));
        pending.addToDigest(zxid, digest, tree);
        return new Txn.Create(finalPath, data, fixedAcl, kind, owner, ttl, newCversion, opCode != OpCode.CREATE);
    }

    private NodeKind kindOf(int opCode, int flags, long ttlMs) throws PrepException {
        NodeKind kind = switch (flags) {
            case 0, 2 -> NodeKind.PERSISTENT;
            case 1, 3 -> NodeKind.EPHEMERAL;
            // ZooKeeper makes a container only for createContainer: create or create2 with the
            // container flag writes a CreateTxn, which makes a persistent node (pRequest2TxnCreate).
            case 4 -> opCode == OpCode.CREATE_CONTAINER ? NodeKind.CONTAINER : NodeKind.PERSISTENT;
            case 5, 6 -> NodeKind.TTL;
            default -> throw new PrepException(Code.BAD_ARGUMENTS, "unknown create flags " + flags);
        };
        if (kind == NodeKind.TTL || opCode == OpCode.CREATE_TTL) {
            if (!extendedTypesEnabled) {
                throw new PrepException(Code.UNIMPLEMENTED, "TTL nodes need extendedTypesEnabled");
            }
            if (kind != NodeKind.TTL || opCode != OpCode.CREATE_TTL || ttlMs <= 0 || ttlMs > TTL_MS_MAX) {
                throw new PrepException(Code.BAD_ARGUMENTS, "bad TTL " + ttlMs + " for flags " + flags);
            }
        }
        if ((kind == NodeKind.CONTAINER) != (opCode == OpCode.CREATE_CONTAINER)
                && opCode == OpCode.CREATE_CONTAINER) {
            throw new PrepException(Code.BAD_ARGUMENTS, "createContainer needs the container flag");
        }
        return kind;
    }

    private Txn delete(long zxid, Caller caller, String path, int version) throws PrepException {
        NodeRecord parent = existing(parentForWrite(path, true));
        requirePermission(parent, Acl.DELETE, caller);
        NodeRecord node = existing(path);
        checkVersion(node.version(), version, path);
        if (node.numChildren() > 0) {
            throw new PrepException(Code.NOT_EMPTY, path);
        }
        putParent(zxid, parent, parent.cversion(), parent.numChildren() - 1);
        putDeleted(zxid, path, node);
        return new Txn.Delete(path);
    }

    /**
     * A client's deleteContainer (ZooKeeper's container manager sends it; any client may): only
     * an empty container or TTL node goes, anything else is BadVersion as in ZooKeeper.
     */
    private Txn deleteContainer(long zxid, String path) throws PrepException {
        NodeRecord parent = existing(parentForWrite(path, true));
        NodeRecord node = existing(path);
        if (node.numChildren() > 0) {
            throw new PrepException(Code.NOT_EMPTY, path);
        }
        if (node.kind() != NodeKind.CONTAINER && node.kind() != NodeKind.TTL) {
            throw new PrepException(Code.BAD_VERSION, path + " is not a container or TTL node");
        }
        putParent(zxid, parent, parent.cversion(), parent.numChildren() - 1);
        putDeleted(zxid, path, node);
        return new Txn.Delete(path);
    }

    private Txn setData(long zxid, long timeMs, Caller caller, String path, byte[] data, int version)
            throws PrepException {
        validatePath(path);
        NodeRecord node = existing(path);
        requirePermission(node, Acl.WRITE, caller);
        int length = data == null ? 0 : data.length;
        checkQuota(path, 0, length - node.dataLength());
        int newVersion = checkVersion(node.version(), version, path) + 1;
        long digest = digests.of(path, data, node.czxid(), zxid, node.pzxid(), node.ctime(), timeMs, newVersion,
                node.cversion(), node.aversion(), node.storedOwner());
        pending.put(node.withData(zxid, newVersion, length, digest));
        pending.addToDigest(zxid, digest - node.digest(), tree);
        return new Txn.SetData(path, data, newVersion);
    }

    /**
     * ZooKeeper's hard quotas (zookeeper.enforceQuota, 3.7+): a create ({@code countDiff} 1) or
     * setData under a quota fails with QUOTA_EXCEEDED when the quota's count or bytes would pass its
     * hard limit ({@code countHardLimit}, {@code byteHardLimit} in the limits node; the soft
     * {@code count} and {@code bytes} stand in where no hard limit is set, and only warn). As in
     * ZooKeeper, against the committed tree's stats, not what prepared writes will add: writes in
     * flight together can pass the limit. A limits or stats text ZooKeeper cannot parse fails the
     * write with MARSHALLING_ERROR, as ZooKeeper's prep does when its parser throws.
     */
    private void checkQuota(String path, long countDiff, long bytesDiff) throws PrepException {
        if (!enforceQuota) {
            return;
        }
        String root = tree.quotaRootOf(path);
        if (root == null) {
            return;
        }
        String limitsPath = DataTree.QUOTA + root + "/" + DataTree.QUOTA_LIMITS;
        if (tree.find(limitsPath) == null) {
            return;
        }
        QuotaStats limits = QuotaStats.parse(tree.dataOf(limitsPath)); // null data too: ZooKeeper's parser throws
        if (limits == null) {
            throw new PrepException(Code.MARSHALLING_ERROR, "unreadable quota limits for " + root);
        }
        boolean checkCount = countDiff != 0 && (limits.count() > -1 || limits.countHardLimit() > -1);
        boolean checkBytes = bytesDiff != 0 && (limits.bytes() > -1 || limits.byteHardLimit() > -1);
        if (!checkCount && !checkBytes) {
            return;
        }
        String statsPath = DataTree.QUOTA + root + "/" + DataTree.QUOTA_STATS;
        if (tree.find(statsPath) == null) {
            return;
        }
        QuotaStats stats = QuotaStats.parse(tree.dataOf(statsPath));
        if (stats == null) {
            throw new PrepException(Code.MARSHALLING_ERROR, "unreadable quota stats for " + root);
        }
        if (checkCount && limits.countHardLimit() > -1 && stats.count() + countDiff > limits.countHardLimit()) {
            throw new PrepException(Code.QUOTA_EXCEEDED, root);
        }
        if (checkBytes && limits.byteHardLimit() > -1 && stats.bytes() + bytesDiff > limits.byteHardLimit()) {
            throw new PrepException(Code.QUOTA_EXCEEDED, root);
        }
    }

    private Txn setAcl(long zxid, Caller caller, String path, List<Acl> acl, int version)
            throws PrepException {
        validatePath(path);
        List<Acl> fixedAcl = fixupAcl(acl, caller);
        NodeRecord node = existing(path);
        requirePermission(node, Acl.ADMIN, caller);
        int newAversion = checkVersion(node.aversion(), version, path) + 1;
        long digest = digests.afterStatChange(path, node.digest(), node.pzxid(), node.pzxid(), node.cversion(),
                node.cversion(), node.aversion(), newAversion);
        pending.put(node.withAcl(zxid, fixedAcl, newAversion, digest));
        pending.addToDigest(zxid, digest - node.digest(), tree);
        return new Txn.SetAcl(path, fixedAcl, newAversion);
    }

    private Txn check(Caller caller, String path, int version) throws PrepException {
        validatePath(path);
        NodeRecord node = existing(path);
        requirePermission(node, Acl.READ, caller);
        checkVersion(node.version(), version, path);
        return new Txn.Check(path, version);
    }

    /**
     * ZooKeeper's first check of a create or delete path: it only needs a slash and no NUL, and
     * the root and /zookeeper nodes cannot be deleted. Anything else malformed shows up later as
     * a missing parent (NoNode) or, for create, in the full check after the sequential suffix
     * (BadArguments) — which is how "/p/." with the sequential flag becomes a legal name.
     */
    private String parentForWrite(String path, boolean delete) throws PrepException {
        if (path == null) {
            // ZooKeeper fails on it with a NullPointerException, which it answers so.
            throw new PrepException(Code.MARSHALLING_ERROR, "null path");
        }
        int lastSlash = path.lastIndexOf('/');
        if (lastSlash == -1 || path.indexOf('\0') != -1) {
            throw new PrepException(Code.BAD_ARGUMENTS, "bad path " + path);
        }
        if (delete && SPECIAL_PATHS.contains(path)) {
            throw new PrepException(Code.BAD_ARGUMENTS, path + " cannot be deleted");
        }
        if (lastSlash == 0) {
            return "/";
        }
        // Writes in a row mostly share a parent: reuse its String rather than cut a new one.
        String last = lastParentPath;
        if (last != null && last.length() == lastSlash && path.startsWith(last)) {
            return last;
        }
        lastParentPath = path.substring(0, lastSlash);
        return lastParentPath;
    }

    /** The parent path parentForWrite returned last (a path, not a node: it may no longer exist). */
    private String lastParentPath;

    private static final java.util.Set<String> SPECIAL_PATHS =
            java.util.Set.of("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config");

    private static int checkVersion(int current, int expected, String path) throws PrepException {
        if (expected != -1 && expected != current) {
            throw new PrepException(Code.BAD_VERSION, path + " is at version " + current + ", not " + expected);
        }
        return current;
    }

    private NodeRecord existing(String path) throws PrepException {
        NodeRecord node = pending.find(path, tree);
        if (node == null) {
            throw new PrepException(Code.NO_NODE, path);
        }
        return node;
    }

    private static void validatePath(String path) throws PrepException {
        try {
            PathValidation.validate(path);
        } catch (InvalidPathException e) {
            throw new PrepException(Code.BAD_ARGUMENTS, e.getMessage());
        }
    }

    private void requirePermission(NodeRecord node, int perm, Caller caller) throws PrepException {
        if (!AclCheck.permitted(node.acl(), perm, caller.authIds(), caller.isSuper(), authSchemes)) {
            throw new PrepException(Code.NO_AUTH, node.path());
        }
    }

    private List<Acl> fixupAcl(List<Acl> acl, Caller caller) throws PrepException {
        try {
            return AclCheck.fixup(acl, caller.authIds(), authSchemes);
        } catch (AclCheck.InvalidAclException e) {
            throw new PrepException(e.code(), e.getMessage());
        }
    }
}
