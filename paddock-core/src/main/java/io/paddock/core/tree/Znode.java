package io.paddock.core.tree;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Stat;
import java.util.List;
import java.util.TreeSet;

/**
 * One znode, mutable and owned by its {@link DataTree}. Fields mirror ZooKeeper's
 * StatPersisted: in particular {@code cversion} is the number of child creations (what the
 * CreateTxn's parentCVersion sets and what sequential names count), while the cversion a
 * client sees, from {@link #stat()}, counts creations and deletions.
 */
public final class Znode {
    byte[] data;
    List<Acl> acl;
    final long czxid;
    long mzxid;
    final long ctime;
    long mtime;
    int version;
    /** Child creations so far (ZooKeeper's persisted cversion); see {@link #stat()}. */
    int cversion;
    int aversion;
    final NodeKind kind;
    /** Owning session of an EPHEMERAL node, else 0. */
    final long ephemeralOwner;
    /** Time to live of a TTL node, else 0. */
    final long ttlMs;
    long pzxid;
    /** Child names in order; null while there are none (most nodes are leaves: saves memory). */
    private TreeSet<String> children;
    private static final java.util.NavigableSet<String> NO_CHILDREN =
            java.util.Collections.unmodifiableNavigableSet(new TreeSet<>());

    void addChild(String name) {
        if (children == null) {
            children = new TreeSet<>();
        }
        children.add(name);
    }

    void removeChild(String name) {
        if (children != null) {
            children.remove(name);
            if (children.isEmpty()) {
                children = null;
            }
        }
    }

    /** The child names, read-only. */
    java.util.NavigableSet<String> childNames() {
        return children == null ? NO_CHILDREN : java.util.Collections.unmodifiableNavigableSet(children);
    }

    Znode(byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwner, long ttlMs,
          long zxid, long timeMs) {
        this.data = data;
        this.acl = acl;
        this.kind = kind;
        this.ephemeralOwner = ephemeralOwner;
        this.ttlMs = ttlMs;
        this.czxid = zxid;
        this.mzxid = zxid;
        this.pzxid = zxid;
        this.ctime = timeMs;
        this.mtime = timeMs;
    }

    /** A node restored from a snapshot with every stored field as it was. */
    Znode(byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwner, long ttlMs, long czxid,
          long mzxid, long ctime, long mtime, int version, int cversion, int aversion, long pzxid) {
        this.data = data;
        this.acl = acl;
        this.kind = kind;
        this.ephemeralOwner = ephemeralOwner;
        this.ttlMs = ttlMs;
        this.czxid = czxid;
        this.mzxid = mzxid;
        this.ctime = ctime;
        this.mtime = mtime;
        this.version = version;
        this.cversion = cversion;
        this.aversion = aversion;
        this.pzxid = pzxid;
    }

    /** The Stat clients see: cversion counts creations and deletions; containers and TTL nodes show owner 0. */
    public Stat stat() {
        int numChildren = children == null ? 0 : children.size();
        long clientOwner = kind == NodeKind.EPHEMERAL ? ephemeralOwner : 0L;
        return new Stat(czxid, mzxid, ctime, mtime, version, cversion * 2 - numChildren,
                aversion, clientOwner, dataLength(), numChildren, pzxid);
    }

    public byte[] data() {
        return data;
    }

    public int dataLength() {
        return data == null ? 0 : data.length;
    }

    public List<Acl> acl() {
        return acl;
    }

    public NodeKind kind() {
        return kind;
    }

    public long ephemeralOwner() {
        return ephemeralOwner;
    }

    public long ttlMs() {
        return ttlMs;
    }

    /** ZooKeeper's persisted cversion: how many children were ever created here. */
    public int childCreations() {
        return cversion;
    }

    public long czxid() {
        return czxid;
    }

    public long mzxid() {
        return mzxid;
    }

    public long pzxid() {
        return pzxid;
    }

    public long ctime() {
        return ctime;
    }

    public long mtime() {
        return mtime;
    }

    public int version() {
        return version;
    }

    public int aversion() {
        return aversion;
    }

    public int numChildren() {
        return children == null ? 0 : children.size();
    }

    /** The ephemeralOwner ZooKeeper would store for this node (snapshots, digests). */
    public long encodedEphemeralOwner() {
        return kind.encodeOwner(ephemeralOwner, ttlMs);
    }
}
