package io.paddock.core.tree;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Stat;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The znode tree of one replica: pure, deterministic, owned by one loop thread. Transactions
 * reach it already validated by the request layer; apply methods change stats exactly as
 * ZooKeeper's DataTree does and return the watch notifications they fire. Impossible input
 * (a missing parent, an existing node, a non-empty delete) throws IllegalStateException.
 */
public final class DataTree {
    public static final String ROOT = "/";
    public static final String PROC = "/zookeeper";
    public static final String QUOTA = "/zookeeper/quota";
    public static final String CONFIG = "/zookeeper/config";
    /** A quota on path P is {@code /zookeeper/quota} + P + {@code /zookeeper_limits} (ZooKeeper's Quotas). */
    public static final String QUOTA_LIMITS = "zookeeper_limits";
    /** And its usage, kept up to date by every server as it applies writes under P. */
    public static final String QUOTA_STATS = "zookeeper_stats";

    private final NodeTable nodes = new NodeTable();
    private final TreeMap<Long, TreeSet<String>> ephemerals = new TreeMap<>();
    private final TreeSet<String> containers = new TreeSet<>();
    private final TreeSet<String> ttlNodes = new TreeSet<>();
    private final WatchRegistry watches = new WatchRegistry();
    /** Distinct ACL lists stored once each, up to {@link #ACL_CACHE_ENTRIES_MAX}. */
    private final HashMap<List<Acl>, List<Acl>> aclCache = new HashMap<>();
    /** The list internAcl returned last (an immutable list from the cache or a copy). */
    private List<Acl> lastInternedAcl;
    public static final int ACL_CACHE_ENTRIES_MAX = 10_000;
    /** Sum over nodes of path length plus data length; see {@link #approximateDataSize()}. */
    private long dataSize;
    /**
     * Told before a node's stored fields change while snapshots are being read out (one to disk,
     * one per learner being sent a SNAP); empty when none is.
     */
    private ChangeGuard[] changeGuards = NO_GUARDS;
    private static final ChangeGuard[] NO_GUARDS = new ChangeGuard[0];
    /** The parent of the last create, delete or restore; see {@link #parentOf}. Never a removed node. */
    private Znode lastParent;
    private final NodeDigest digests = new NodeDigest();
    /** ZooKeeper's tree digest: the sum of every node's {@link Znode#digest} (see {@link NodeDigest}). */
    private long treeDigest;
    /**
     * The paths with a quota (a {@code zookeeper_limits} node under {@link #QUOTA}), in ZooKeeper's
     * form: its PathTrie drops names that trim to nothing ({@code "/a/ "} is {@code "/a"}). Empty almost always, so
     * writes look nothing up.
     */
    private final HashSet<String> quotaRoots = new HashSet<>();

    /**
     * Hears about a node just before its stored fields (data, ACL, versions, zxids, times) change,
     * so a snapshot being read out in pieces can keep the old values. Called on the tree's thread.
     */
    public interface ChangeGuard {
        void beforeChange(Znode node);
    }

    /** Starts telling {@code guard} about changes, besides any other guard set. */
    public void guardChanges(ChangeGuard guard) {
        for (ChangeGuard g : changeGuards) {
            if (g == guard) {
                throw new IllegalStateException("this change guard is set already");
            }
        }
        ChangeGuard[] more = java.util.Arrays.copyOf(changeGuards, changeGuards.length + 1);
        more[changeGuards.length] = guard;
        changeGuards = more;
    }

    /** Stops telling {@code guard} (no effect if it is not set). */
    public void unguardChanges(ChangeGuard guard) {
        for (int i = 0; i < changeGuards.length; i++) {
            if (changeGuards[i] == guard) {
                ChangeGuard[] fewer = new ChangeGuard[changeGuards.length - 1];
                System.arraycopy(changeGuards, 0, fewer, 0, i);
                System.arraycopy(changeGuards, i + 1, fewer, i, fewer.length - i);
                changeGuards = fewer.length == 0 ? NO_GUARDS : fewer;
                return;
            }
        }
    }

    /** How many snapshots are being read out of this tree now (change guards set). */
    public int guardCount() {
        return changeGuards.length;
    }

    /**
     * The parent node of a non-root path, or null. Most creates and deletes in a row go to the
     * same parent (a lock or queue directory, a bulk load), so the last one is kept and checked
     * by comparing characters: no substring and no hash lookup.
     */
    private Znode parentOf(String path) {
        int slash = path.lastIndexOf('/');
        Znode cached = lastParent;
        if (cached != null) {
            String cachedPath = cached.path;
            boolean same = slash == 0 ? cachedPath.length() == 1
                    : cachedPath.length() == slash && path.startsWith(cachedPath);
            if (same) {
                return cached;
            }
        }
        Znode parent = nodes.get(slash == 0 ? ROOT : path.substring(0, slash));
        if (parent != null) {
            lastParent = parent;
        }
        return parent;
    }

    private void aboutToChange(Znode node) {
        for (ChangeGuard g : changeGuards) {
            g.beforeChange(node);
        }
    }

    /** A tree holding what ZooKeeper starts with: /, /zookeeper, /zookeeper/quota, /zookeeper/config. */
    public DataTree() {
        putSystemNode(ROOT, Acl.OPEN);
        putSystemNode(PROC, Acl.OPEN);
        putSystemNode(QUOTA, Acl.OPEN);
        // ZooKeeper sets the config node's ACL with setACL(..., version -1) at start (ZOOKEEPER-2014).
        Znode config = putSystemNode(CONFIG, Acl.READ_ONLY);
        config.aversion = -1;
        recountDigest(config); // 0 all the same: /zookeeper/ is left out of the digest
    }

    private Znode putSystemNode(String path, List<Acl> acl) {
        Znode node = new Znode(path, new byte[0], acl, NodeKind.PERSISTENT, 0, 0, 0, 0);
        nodes.put(node);
        countDigest(node);
        if (!path.equals(ROOT)) {
            nodes.get(PathValidation.parentOf(path)).addChild(node);
        }
        dataSize += path.length();
        return node;
    }

    /**
     * Puts a node back as a snapshot recorded it, every stored field as it was. Parents come
     * before children; a node that exists already (the root and the /zookeeper nodes every tree
     * starts with) is replaced and keeps its children. Fires no watch.
     */
    public void restoreNode(String path, byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwner,
                            long ttlMs, long czxid, long mzxid, long ctime, long mtime, int version,
                            int cversion, int aversion, long pzxid) {
        // No path validation here: every path was validated when it was created, and the
        // snapshot decoder has checked each frame's CRC and that paths come parent-first.
        if (changeGuards.length != 0) {
            throw new IllegalStateException("restore while a snapshot is being read out");
        }
        checkKind(kind, ephemeralOwner, ttlMs);
        Znode node = new Znode(path, data, internAcl(acl), kind, ephemeralOwner, ttlMs, czxid, mzxid, ctime,
                mtime, version, cversion, aversion, pzxid);
        Znode old = nodes.get(path);
        if (old != null) {
            node.adoptChildren(old);
            if (!path.equals(ROOT)) {
                Znode parent = nodes.get(PathValidation.parentOf(path));
                parent.removeChild(path);
                parent.addChild(node);
            }
            if (old == lastParent) {
                lastParent = null;
            }
            dataSize -= nodeSize(path, old.data);
            treeDigest -= old.digest;
            unindex(path, old);
        } else {
            Znode parent = parentOf(path);
            require(parent != null, "restore", path, "parent missing");
            require(parent.kind != NodeKind.EPHEMERAL, "restore", path, "parent is ephemeral");
            parent.addChild(node);
        }
        nodes.put(node);
        countDigest(node);
        dataSize += nodeSize(path, data);
        index(path, node);
    }

    /** Computes a new node's digest and adds it to the tree's. */
    private void countDigest(Znode node) {
        node.digest = digests.of(node);
        treeDigest += node.digest;
    }

    /** Recomputes a changed node's digest from all its fields (its data changed). */
    private void recountDigest(Znode node) {
        long before = node.digest;
        node.digest = digests.of(node);
        treeDigest += node.digest - before;
    }

    /** Updates the digest of a node whose pzxid, cversion or aversion changed (from the given values). */
    private void restatDigest(Znode node, long pzxidBefore, int cversionBefore, int aversionBefore) {
        long before = node.digest;
        node.digest = digests.afterStatChange(node.path, before, pzxidBefore, node.pzxid, cversionBefore,
                node.cversion, aversionBefore, node.aversion);
        treeDigest += node.digest - before;
    }

    /** ZooKeeper's tree digest ({@code DataTree.getTreeDigest()}): see {@link NodeDigest}. */
    public long treeDigest() {
        return treeDigest;
    }

    /**
     * Most znodes share a handful of ACLs (ZooKeeper keeps them in a cache for the same
     * reason): equal lists are stored once. The cache is bounded; past the bound a list is
     * simply not shared.
     */
    private List<Acl> internAcl(List<Acl> acl) {
        List<Acl> last = lastInternedAcl;
        if (last != null && sameEntries(last, acl)) {
            return last; // most nodes in a row have the same ACL: skip hashing the list
        }
        List<Acl> interned = internAclSlow(acl);
        lastInternedAcl = interned;
        return interned;
    }

    private static boolean sameEntries(List<Acl> a, List<Acl> b) {
        if (a == b) {
            return true;
        }
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private List<Acl> internAclSlow(List<Acl> acl) {
        List<Acl> known = aclCache.get(acl);
        if (known != null) {
            return known;
        }
        List<Acl> copy = List.copyOf(acl);
        if (aclCache.size() < ACL_CACHE_ENTRIES_MAX) {
            aclCache.put(copy, copy);
        }
        return copy;
    }

    public WatchRegistry watches() {
        return watches;
    }

    // ---------------------------------------------------------------- apply

    /**
     * Applies a create. {@code parentCVersion} is the CreateTxn's: the parent's cversion after
     * this creation (-1 means parent's + 1). As in ZooKeeper the parent's cversion and pzxid move
     * only when it is larger than the current cversion (a replay over a fuzzy snapshot).
     */
    public Applied create(String path, byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwnerSession,
                          long ttlMs, int parentCVersion, long zxid, long timeMs) {
        PathValidation.validate(path);
        checkKind(kind, ephemeralOwnerSession, ttlMs);
        Znode parent = parentOf(path);
        require(parent != null, "create", path, "parent missing");
        require(!nodes.contains(path), "create", path, "node exists");
        require(parent.kind != NodeKind.EPHEMERAL, "create", path, "parent is ephemeral");
        raiseChildCreations(parent, parentCVersion, zxid);
        Znode node = new Znode(path, data, internAcl(acl), kind, ephemeralOwnerSession, ttlMs, zxid, timeMs);
        parent.addChild(node);
        nodes.put(node);
        countDigest(node);
        dataSize += nodeSize(path, data);
        index(path, node);
        Stat statBefore = null;
        if (path.startsWith(QUOTA) || !quotaRoots.isEmpty()) {
            statBefore = quotaNodeCreated(node, parent);
        }
        List<Fired> fired = watches.fireCreated(path, zxid, node.acl, parent.acl);
        return new Applied(node, fired, statBefore);
    }

    /** Applies a delete: the parent's pzxid moves to zxid (if larger); its client cversion grows by one. */
    public List<Fired> delete(String path, long zxid) {
        Znode node = nodes.get(path);
        require(node != null, "delete", path, "no node");
        require(!path.equals(ROOT), "delete of the root");
        require(node.numChildren() == 0, "delete", path, "has children");
        Znode parent = parentOf(path);
        parent.removeChild(path);
        if (zxid > parent.pzxid) {
            aboutToChange(parent);
            long pzxidBefore = parent.pzxid;
            parent.pzxid = zxid;
            restatDigest(parent, pzxidBefore, parent.cversion, parent.aversion);
        }
        nodes.remove(path);
        treeDigest -= node.digest;
        if (node == lastParent) {
            lastParent = null;
        }
        dataSize -= nodeSize(path, node.data);
        unindex(path, node);
        if (path.startsWith(PROC) || !quotaRoots.isEmpty()) {
            quotaNodeDeleted(node, parent);
        }
        return watches.fireDeleted(path, zxid, node.acl, parent.acl);
    }

    /** Applies a setData; {@code version} is the SetDataTxn's (the node's new version). */
    public Applied setData(String path, byte[] data, int version, long zxid, long timeMs) {
        Znode node = nodes.get(path);
        require(node != null, "setData", path, "no node");
        dataSize += nodeSize(path, data) - nodeSize(path, node.data);
        aboutToChange(node);
        int lengthBefore = node.dataLength();
        node.data = data;
        node.version = version;
        node.mzxid = zxid;
        node.mtime = timeMs;
        recountDigest(node);
        Stat statBefore = null;
        if (!quotaRoots.isEmpty()) {
            String root = quotaRootOf(path);
            if (root != null) {
                // ZooKeeper answers with the Stat from before its quota update (the node may be that stats node).
                statBefore = node.stat();
                addToQuotaStats(root, 0, node.dataLength() - lengthBefore);
            }
        }
        return new Applied(node, watches.fireDataChanged(path, zxid, node.acl), statBefore);
    }

    /**
     * Puts an ensemble's membership into {@link #CONFIG}, as a ZooKeeper quorum peer does at start
     * and after each sync with its leader ({@code ZKDatabase.initConfigInZKDatabase}): the data is
     * the membership text, {@code version} -1 and {@code mzxid} the configuration's version (0 for
     * a static zoo.cfg). No transaction and no watch: every member writes its own, and /zookeeper/
     * is outside the tree digest, so the members' digests still agree.
     */
    public void setConfigNode(byte[] data, long configVersion, long timeMs) {
        Znode node = nodes.get(CONFIG);
        require(node != null, "setConfigNode", CONFIG, "no node");
        dataSize += nodeSize(CONFIG, data) - nodeSize(CONFIG, node.data);
        aboutToChange(node);
        node.data = data;
        node.version = -1;
        node.mzxid = configVersion;
        node.mtime = timeMs;
        recountDigest(node);
    }

    /** Applies a setACL; {@code aversion} is the SetACLTxn's (the new aversion). Fires no watch. */
    public Stat setAcl(String path, List<Acl> acl, int aversion) {
        Znode node = nodes.get(path);
        require(node != null, "setACL", path, "no node");
        aboutToChange(node);
        node.acl = internAcl(acl);
        int aversionBefore = node.aversion;
        node.aversion = aversion;
        restatDigest(node, node.pzxid, node.cversion, aversionBefore);
        return node.stat();
    }

    /**
     * A create replayed over a fuzzy snapshot that already holds its node (ZooKeeper's leader
     * serializes its tree while it applies transactions, so a learner may replay some it already
     * has): as ZooKeeper's {@code createNode} and {@code processTxn} then do, the node takes the
     * create's ACL, and the parent's cversion and pzxid move to the create's if that is larger
     * than its cversion. Nothing else changes; no watch fires. The parent must exist.
     */
    public void replayCreateOfExisting(String path, List<Acl> acl, int parentCVersion, long zxid) {
        Znode node = nodes.get(path);
        require(node != null, "replayed create", path, "no node");
        aboutToChange(node);
        node.acl = internAcl(acl);
        raiseChildCreations(parentOf(path), parentCVersion, zxid);
    }

    /**
     * A create's effect on its parent: its cversion becomes the CreateTxn's parentCVersion (-1:
     * one more than now) and its pzxid the create's zxid, only if that raises the cversion (as in
     * ZooKeeper, a replay over a fuzzy snapshot must not take them back).
     */
    private void raiseChildCreations(Znode parent, int parentCVersion, long zxid) {
        int newCversion = parentCVersion == -1 ? parent.cversion + 1 : parentCVersion;
        if (newCversion > parent.cversion) {
            aboutToChange(parent);
            long pzxidBefore = parent.pzxid;
            int cversionBefore = parent.cversion;
            parent.cversion = newCversion;
            parent.pzxid = zxid;
            restatDigest(parent, pzxidBefore, cversionBefore, parent.aversion);
        }
    }

    /**
     * A delete replayed over a fuzzy snapshot that no longer holds its node: as ZooKeeper's
     * {@code deleteNode} does before it finds the node missing, the parent's pzxid moves to
     * {@code zxid} if larger. Nothing else changes; no watch fires. A missing parent is left alone.
     */
    public void replayDeleteOfMissing(String path, long zxid) {
        Znode parent = nodes.get(PathValidation.parentOf(path));
        if (parent != null && zxid > parent.pzxid) {
            aboutToChange(parent);
            long pzxidBefore = parent.pzxid;
            parent.pzxid = zxid;
            restatDigest(parent, pzxidBefore, parent.cversion, parent.aversion);
        }
    }

    /** Applies closeSession: deletes the session's ephemerals in path order, all at {@code zxid}. */
    public List<Fired> closeSession(long sessionId, long zxid) {
        List<Fired> fired = new ArrayList<>();
        for (String path : ephemerals(sessionId)) {
            fired.addAll(delete(path, zxid));
        }
        return fired;
    }

    private static void checkKind(NodeKind kind, long session, long ttlMs) {
        if (kind == NodeKind.EPHEMERAL ? session == 0 : session != 0) {
            throw new IllegalStateException(kind + " node with ephemeral owner 0x" + Long.toHexString(session));
        }
        if (kind == NodeKind.TTL ? ttlMs <= 0 || ttlMs > NodeKind.TTL_MS_MAX : ttlMs != 0) {
            throw new IllegalStateException(kind + " node with ttl " + ttlMs);
        }
    }

    private void index(String path, Znode node) {
        switch (node.kind) {
            case EPHEMERAL -> ephemerals.computeIfAbsent(node.ephemeralOwner(), s -> new TreeSet<>()).add(path);
            case CONTAINER -> containers.add(path);
            case TTL -> ttlNodes.add(path);
            case PERSISTENT -> { }
        }
    }

    private void unindex(String path, Znode node) {
        switch (node.kind) {
            case EPHEMERAL -> {
                TreeSet<String> paths = ephemerals.get(node.ephemeralOwner());
                paths.remove(path);
                if (paths.isEmpty()) {
                    ephemerals.remove(node.ephemeralOwner());
                }
            }
            case CONTAINER -> containers.remove(path);
            case TTL -> ttlNodes.remove(path);
            case PERSISTENT -> { }
        }
    }

    // ---------------------------------------------------------------- quotas

    /*
     * ZooKeeper's quotas as its DataTree keeps them (3.9): creating P's zookeeper_limits puts P among
     * the quota roots; creating its zookeeper_stats writes the subtree's count and bytes into it; each
     * create, delete or setData under the deepest root above it adds to that root's stats text, in
     * place (no version, no watch, and /zookeeper/ is outside the digest); deleting a limits node
     * removes its root (a quota below it stays). A snapshot
     * loaded recounts every quota ({@link #quotasRestored}). The root path itself never has one.
     */

    /** After a create: the quota bookkeeping; the Stat a create2 answers when the node's data changed here. */
    private Stat quotaNodeCreated(Znode node, Znode parent) {
        Stat statBefore = null;
        int createdLength = node.dataLength(); // the create's data, before a recount replaces it
        String parentPath = parent.path;
        String name = node.path.substring(node.path.lastIndexOf('/') + 1);
        if (parentPath.startsWith(QUOTA)) {
            String quoted = parentPath.substring(QUOTA.length());
            if (name.equals(QUOTA_LIMITS)) {
                String root = quotaRootKey(quoted);
                if (root != null) {
                    quotaRoots.add(root);
                }
            } else if (name.equals(QUOTA_STATS)) {
                statBefore = node.stat(); // ZooKeeper's create2 copies the Stat before the recount
                recountQuota(quoted);
            }
        }
        if (!quotaRoots.isEmpty()) {
            String root = quotaRootOf(node.path);
            if (root != null) {
                addToQuotaStats(root, 1, createdLength);
            }
        }
        return statBefore;
    }

    private void quotaNodeDeleted(Znode node, Znode parent) {
        String parentPath = parent.path;
        if (parentPath.startsWith(PROC) && parentPath.length() >= QUOTA.length()
                && node.path.endsWith("/" + QUOTA_LIMITS)) {
            String root = quotaRootKey(parentPath.substring(QUOTA.length()));
            if (root != null) {
                quotaRoots.remove(root); // a quota below it stays (PathTrie.deletePath clears only this one)
            }
        }
        if (!quotaRoots.isEmpty()) {
            String root = quotaRootOf(node.path);
            if (root != null) {
                addToQuotaStats(root, -1, -node.dataLength());
            }
        }
    }

    /**
     * The deepest path with a quota at or above {@code path}, in ZooKeeper's form, or null when
     * there is none (ZooKeeper's getMaxPrefixWithQuota).
     */
    public String quotaRootOf(String path) {
        if (quotaRoots.isEmpty()) {
            return null;
        }
        String deepest = null;
        StringBuilder prefix = new StringBuilder(path.length());
        for (String name : path.split("/")) {
            if (name.trim().isEmpty()) {
                continue;
            }
            prefix.append('/').append(name);
            String p = prefix.toString();
            if (quotaRoots.contains(p)) {
                deepest = p;
            }
        }
        return deepest;
    }

    /** A path as ZooKeeper's PathTrie keys it (names that trim to nothing dropped), or null for none left (the root). */
    private static String quotaRootKey(String path) {
        StringBuilder key = new StringBuilder(path.length());
        for (String name : path.split("/")) {
            if (!name.trim().isEmpty()) {
                key.append('/').append(name);
            }
        }
        return key.isEmpty() ? null : key.toString();
    }

    /** The quota paths in force (tests, dumps). */
    public java.util.SortedSet<String> quotaRoots() {
        return new TreeSet<>(quotaRoots);
    }

    /** Adds to the stats node of quota {@code root}; a stats node that is missing or unreadable is left alone. */
    private void addToQuotaStats(String root, long countDiff, long bytesDiff) {
        Znode stats = nodes.get(QUOTA + root + "/" + QUOTA_STATS);
        if (stats == null) {
            return;
        }
        QuotaStats now = QuotaStats.parse(stats.data);
        if (now != null) {
            setQuotaStats(stats, now.plus(countDiff, bytesDiff));
        }
    }

    /**
     * Writes the count and bytes of the subtree at {@code quoted} into its stats node (ZooKeeper's
     * updateQuotaForPath, with its quirks: {@code quoted} is taken as it is, "" being the root).
     */
    private void recountQuota(String quoted) {
        Znode stats = nodes.get(QUOTA + quoted + "/" + QUOTA_STATS);
        if (stats == null) {
            return;
        }
        Znode top = nodes.get(quoted.isEmpty() ? ROOT : quoted);
        long count = 0;
        long bytes = 0;
        if (top != null) {
            ArrayDeque<Znode> pending = new ArrayDeque<>();
            pending.push(top);
            while (!pending.isEmpty()) {
                Znode n = pending.pop();
                count++;
                bytes += n.dataLength();
                for (int i = n.numChildren() - 1; i >= 0; i--) {
                    pending.push(n.child(i));
                }
            }
        }
        setQuotaStats(stats, QuotaStats.of(count, bytes));
    }

    private void setQuotaStats(Znode stats, QuotaStats value) {
        byte[] data = value.toBytes();
        aboutToChange(stats);
        dataSize += nodeSize(stats.path, data) - nodeSize(stats.path, stats.data);
        stats.data = data;
        recountDigest(stats); // 0 all the same: /zookeeper/ is left out of the digest
    }

    /**
     * After a snapshot was restored node by node: the quota roots and every quota's stats from the
     * tree, as ZooKeeper's setupQuota does when it loads a snapshot (each leaf named
     * zookeeper_limits under {@link #QUOTA} is a quota; its stats node is recounted).
     */
    public void quotasRestored() {
        quotaRoots.clear();
        Znode quota = nodes.get(QUOTA);
        if (quota == null) {
            return;
        }
        String suffix = "/" + QUOTA_LIMITS;
        ArrayDeque<Znode> pending = new ArrayDeque<>();
        pending.push(quota);
        while (!pending.isEmpty()) {
            Znode n = pending.pop();
            if (n.numChildren() == 0) {
                if (n.path.endsWith(suffix)) {
                    String quoted = n.path.substring(QUOTA.length(), n.path.indexOf(suffix));
                    recountQuota(quoted);
                    String root = quotaRootKey(quoted);
                    if (root != null) {
                        quotaRoots.add(root);
                    }
                }
                continue;
            }
            for (int i = n.numChildren() - 1; i >= 0; i--) {
                pending.push(n.child(i));
            }
        }
    }

    // ---------------------------------------------------------------- reads

    /** The node at path, or null. Callers must not change it. */
    public Znode get(String path) {
        return nodes.get(path);
    }

    /** The sorted child names of path, or null if there is no such node. */
    public List<String> children(String path) {
        Znode node = nodes.get(path);
        if (node == null) {
            return null;
        }
        String[] names = new String[node.numChildren()];
        for (int i = 0; i < names.length; i++) {
            names[i] = node.child(i).name();
        }
        return Arrays.asList(names);
    }

    /** Number of descendants (all depths) of path, 0 if absent; for "/" every node but the root. */
    public int allChildrenNumber(String path) {
        Znode start = nodes.get(path);
        if (start == null) {
            return 0;
        }
        int count = 0;
        ArrayDeque<Znode> pending = new ArrayDeque<>();
        pending.push(start);
        while (!pending.isEmpty()) {
            Znode current = pending.pop();
            count += current.numChildren();
            for (int i = 0; i < current.numChildren(); i++) {
                pending.push(current.child(i));
            }
        }
        return count;
    }

    /** The session's ephemeral paths, sorted. */
    public SortedSet<String> ephemerals(long sessionId) {
        TreeSet<String> paths = ephemerals.get(sessionId);
        return paths == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(new TreeSet<>(paths));
    }

    /**
     * getEphemerals(prefix) for one session, as ZooKeeper answers it: all of the session's
     * ephemerals when prefix is null, blank or "/", else those whose path starts with prefix
     * (a plain string prefix: "/a" also matches "/ab").
     */
    public List<String> ephemeralsUnder(long sessionId, String prefix) {
        List<String> result = new ArrayList<>();
        boolean all = prefix == null || prefix.trim().isEmpty() || prefix.trim().equals(ROOT);
        for (String path : ephemerals(sessionId)) {
            if (all || path.startsWith(prefix)) {
                result.add(path);
            }
        }
        return result;
    }

    /** Sessions owning ephemerals and their paths (the `dump` 4lw). */
    public SortedMap<Long, SortedSet<String>> ephemeralsBySession() {
        TreeMap<Long, SortedSet<String>> copy = new TreeMap<>();
        ephemerals.forEach((session, paths) -> copy.put(session, Collections.unmodifiableSortedSet(new TreeSet<>(paths))));
        return copy;
    }

    /** Number of ephemeral nodes (mntr's zk_ephemerals_count). */
    public int ephemeralCount() {
        int count = 0;
        for (TreeSet<String> paths : ephemerals.values()) {
            count += paths.size();
        }
        return count;
    }

    /** Number of znodes, the root included (a fresh tree has 4). */
    public int nodeCount() {
        return nodes.size();
    }

    /**
     * mntr's zk_znode_count: ZooKeeper's node map holds the root twice ("" and "/"), so it
     * reports one more than {@link #nodeCount()}.
     */
    public int reportedNodeCount() {
        return nodes.size() + 1;
    }

    public SortedSet<String> containers() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(containers));
    }

    public SortedSet<String> ttlNodes() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(ttlNodes));
    }

    /**
     * Sum over nodes of path length (chars) plus data length (bytes): mntr's zk_approximate_data_size
     * (ZooKeeper's cachedApproximateDataSize; its uncached approximateDataSize counts the root's data
     * twice because the root is also stored under "").
     */
    public long approximateDataSize() {
        return dataSize;
    }

    /** Visits every node parent-first, children in name order (snapshots, digests, dumps). */
    public void forEach(BiConsumer<String, Znode> visitor) {
        ArrayDeque<Znode> pending = new ArrayDeque<>();
        pending.push(nodes.get(ROOT));
        while (!pending.isEmpty()) {
            Znode node = pending.pop();
            visitor.accept(node.path, node);
            for (int i = node.numChildren() - 1; i >= 0; i--) {
                pending.push(node.child(i));
            }
        }
    }

    // ---------------------------------------------------------------- watches

    /**
     * Re-registers a reconnecting client's watches (SetWatches / SetWatches2). Changes the
     * client missed since {@code relativeZxid} fire at once instead of registering: a data watch
     * fires NodeDeleted if the node is gone, NodeDataChanged if its mzxid is newer; an exist
     * watch fires NodeCreated if the node now exists; a child watch fires NodeDeleted if gone,
     * NodeChildrenChanged if its pzxid is newer. Persistent watches just register.
     */
    public List<Fired> setWatches(long relativeZxid, List<String> dataWatches, List<String> existWatches,
                                  List<String> childWatches, List<String> persistentWatches,
                                  List<String> persistentRecursiveWatches, long watcherId) {
        List<Fired> fired = new ArrayList<>();
        for (String path : dataWatches) {
            Znode node = nodes.get(path);
            if (node == null) {
                fired.add(catchUp(watcherId, NodeEvent.NODE_DELETED, path));
            } else if (node.mzxid > relativeZxid) {
                fired.add(catchUp(watcherId, NodeEvent.NODE_DATA_CHANGED, path));
            } else {
                watches.addDataWatch(path, watcherId);
            }
        }
        for (String path : existWatches) {
            if (nodes.contains(path)) {
                fired.add(catchUp(watcherId, NodeEvent.NODE_CREATED, path));
            } else {
                watches.addExistWatch(path, watcherId);
            }
        }
        for (String path : childWatches) {
            Znode node = nodes.get(path);
            if (node == null) {
                fired.add(catchUp(watcherId, NodeEvent.NODE_DELETED, path));
            } else if (node.pzxid > relativeZxid) {
                fired.add(catchUp(watcherId, NodeEvent.NODE_CHILDREN_CHANGED, path));
            } else {
                watches.addChildWatch(path, watcherId);
            }
        }
        persistentWatches.forEach(path -> watches.addPersistentWatch(path, watcherId));
        persistentRecursiveWatches.forEach(path -> watches.addPersistentRecursiveWatch(path, watcherId));
        return fired;
    }

    /** ZooKeeper sends catch-up events with no zxid and without an ACL check. */
    private static Fired catchUp(long watcherId, int eventType, String path) {
        return new Fired(watcherId, eventType, path, Fired.NO_ZXID, List.of());
    }

    // ---------------------------------------------------------------- invariants

    /** Checks the whole tree against its indexes; O(nodes). Throws IllegalStateException on drift. */
    public void checkInvariants() {
        long[] size = {0};
        int[] ephemeralTotal = {0};
        int[] visited = {0};
        long[] digestSum = {0};
        nodes.forEach(node -> {
            String path = node.path;
            visited[0]++;
            long digest = digests.of(node);
            require(node.digest == digest, "digest of " + path + " is " + node.digest + ", its fields give " + digest);
            digestSum[0] += digest;
            require(nodes.get(path) == node, "node at " + path + " cannot be found by its path");
            size[0] += nodeSize(path, node.data);
            for (int i = 0; i < node.numChildren(); i++) {
                Znode child = node.child(i);
                require(nodes.get(child.path) == child && PathValidation.parentOf(child.path).equals(path),
                        "child " + child.path + " of " + path + " is not in the tree there");
                require(i == 0 || Znode.compareNames(node.child(i - 1).path, child.path) < 0,
                        "children of " + path + " out of name order at " + child.path);
            }
            if (!path.equals(ROOT)) {
                Znode parent = nodes.get(PathValidation.parentOf(path));
                require(parent != null && parent.hasChild(node), "orphan " + path);
            }
            require(node.kind != NodeKind.EPHEMERAL || ephemerals(node.ephemeralOwner()).contains(path),
                    "ephemeral index misses " + path);
            require(node.kind != NodeKind.CONTAINER || containers.contains(path), "container index misses " + path);
            require(node.kind != NodeKind.TTL || ttlNodes.contains(path), "ttl index misses " + path);
            ephemeralTotal[0] += node.kind == NodeKind.EPHEMERAL ? 1 : 0;
        });
        require(visited[0] == nodes.size(), "node table counts " + nodes.size() + " but holds " + visited[0]);
        require(size[0] == dataSize, "data size " + dataSize + " != " + size[0]);
        require(digestSum[0] == treeDigest, "tree digest " + treeDigest + " != " + digestSum[0] + ", its nodes' sum");
        require(ephemeralTotal[0] == ephemeralCount(), "ephemeral index holds extra paths");
        require(containers.stream().allMatch(p -> nodes.contains(p)), "container index holds extra paths");
        require(ttlNodes.stream().allMatch(p -> nodes.contains(p)), "ttl index holds extra paths");
        watches.checkInvariants();
    }


    private static long nodeSize(String path, byte[] data) {
        return path.length() + (data == null ? 0 : data.length);
    }

    /** Like {@link #require(boolean, String)}, but builds the message only when the check fails (hot path). */
    private static void require(boolean ok, String op, String path, String problem) {
        if (!ok) {
            throw new IllegalStateException(op + " " + path + ": " + problem);
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
