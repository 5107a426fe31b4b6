package io.paddock.core.tree;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Stat;
import java.util.Arrays;
import java.util.List;

/**
 * One znode, mutable and owned by its {@link DataTree}. Fields mirror ZooKeeper's
 * StatPersisted: in particular {@code cversion} is the number of child creations (what the
 * CreateTxn's parentCVersion sets and what sequential names count), while the cversion a
 * client sees, from {@link #stat()}, counts creations and deletions.
 *
 * <p>Memory matters here: a tree holds one of these per znode, often millions. A node keeps
 * its own path (the same String the tree's map is keyed by) and its children as an array of
 * nodes sorted by name, so a child's name is never stored twice: it is the part of the child's
 * path after the last '/'. That saves a name String and a TreeMap entry per znode (about a
 * quarter of a small node's memory). Inserting or removing a child shifts the array: O(children),
 * a few microseconds even for the 100,000 children a 1 MB getChildren reply can carry;
 * appending a larger name (sequential nodes) is O(1). The cached {@link #digest} costs 8 bytes
 * a node (ZooKeeper's DataNode caches it too); without it every change would hash the node twice.
 */
public final class Znode {
    private static final Znode[] NO_CHILDREN = new Znode[0];

    final String path;
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
    /** The owning session of an EPHEMERAL node, the time to live of a TTL node, else 0. */
    private final long owner;
    long pzxid;
    /**
     * ZooKeeper's digest of this node ({@link NodeDigest}), kept up to date by the tree with every
     * change to the fields above, so a change needs only the new digest (as ZooKeeper's DataNode
     * caches it).
     */
    long digest;
    /** Children sorted by name; the first {@link #childCount} slots are used. */
    private Znode[] children = NO_CHILDREN;
    private int childCount;

    Znode(String path, byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwner, long ttlMs,
          long zxid, long timeMs) {
        this.path = path;
        this.data = data;
        this.acl = acl;
        this.kind = kind;
        this.owner = ownerOf(kind, ephemeralOwner, ttlMs);
        this.czxid = zxid;
        this.mzxid = zxid;
        this.pzxid = zxid;
        this.ctime = timeMs;
        this.mtime = timeMs;
    }

    /** A node restored from a snapshot with every stored field as it was. */
    Znode(String path, byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwner, long ttlMs, long czxid,
          long mzxid, long ctime, long mtime, int version, int cversion, int aversion, long pzxid) {
        this.path = path;
        this.data = data;
        this.acl = acl;
        this.kind = kind;
        this.owner = ownerOf(kind, ephemeralOwner, ttlMs);
        this.czxid = czxid;
        this.mzxid = mzxid;
        this.ctime = ctime;
        this.mtime = mtime;
        this.version = version;
        this.cversion = cversion;
        this.aversion = aversion;
        this.pzxid = pzxid;
    }

    private static long ownerOf(NodeKind kind, long ephemeralOwner, long ttlMs) {
        return switch (kind) {
            case EPHEMERAL -> ephemeralOwner;
            case TTL -> ttlMs;
            default -> 0;
        };
    }

    // ---------------------------------------------------------------- children

    /** Adds a child whose name is not taken yet (the tree checked). */
    void addChild(Znode child) {
        int at = childCount == 0 || compareNames(children[childCount - 1].path, child.path) < 0
                ? childCount : -(find(child.path) + 1);
        if (at < 0) {
            throw new IllegalStateException("child " + child.path + " is there already");
        }
        if (childCount == children.length) {
            children = Arrays.copyOf(children, Math.max(4, childCount + (childCount >> 1)));
        }
        System.arraycopy(children, at, children, at + 1, childCount - at);
        children[at] = child;
        childCount++;
    }

    /** Removes the child with {@code childPath}'s name, if there is one. */
    void removeChild(String childPath) {
        int at = find(childPath);
        if (at < 0) {
            return;
        }
        childCount--;
        System.arraycopy(children, at + 1, children, at, childCount - at);
        children[childCount] = null;
        if (childCount == 0) {
            children = NO_CHILDREN;
        } else if (children.length >= 16 && childCount < children.length / 4) {
            children = Arrays.copyOf(children, childCount * 2);
        }
    }

    /** Takes over another node's children (a restored node replacing one the tree started with). */
    void adoptChildren(Znode other) {
        children = other.children;
        childCount = other.childCount;
    }

    /** Whether {@code child} itself (not just a node of its name) is a child of this node. */
    boolean hasChild(Znode child) {
        int at = find(child.path);
        return at >= 0 && children[at] == child;
    }

    /** The i-th child in name order, 0 <= i < {@link #numChildren()}. */
    Znode child(int i) {
        return children[i];
    }

    /** The index of the child named as {@code childPath}'s last name, or -(insertion point + 1). */
    private int find(String childPath) {
        int low = 0;
        int high = childCount - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int c = compareNames(children[mid].path, childPath);
            if (c < 0) {
                low = mid + 1;
            } else if (c > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    /**
     * Orders two children of one node by name, as String.compareTo orders the names. Their paths
     * share the parent's path and a '/' up to the names, so comparing the whole paths gives the
     * same answer, through the JDK's fast String comparison and without cutting the names out.
     */
    static int compareNames(String siblingPath, String otherSiblingPath) {
        return siblingPath.compareTo(otherSiblingPath);
    }

    /** This node's last name ("" for the root). */
    String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    // ---------------------------------------------------------------- stat and fields

    /** The Stat clients see: cversion counts creations and deletions; containers and TTL nodes show owner 0. */
    public Stat stat() {
        long clientOwner = kind == NodeKind.EPHEMERAL ? owner : 0L;
        return new Stat(czxid, mzxid, ctime, mtime, version, cversion * 2 - childCount,
                aversion, clientOwner, dataLength(), childCount, pzxid);
    }

    public String path() {
        return path;
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

    /** Owning session of an EPHEMERAL node, else 0. */
    public long ephemeralOwner() {
        return kind == NodeKind.EPHEMERAL ? owner : 0;
    }

    /** Time to live of a TTL node, else 0. */
    public long ttlMs() {
        return kind == NodeKind.TTL ? owner : 0;
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
        return childCount;
    }

    /** ZooKeeper's digest of this node ({@link NodeDigest}); 0 under /zookeeper/. */
    public long digest() {
        return digest;
    }

    /** The ephemeralOwner ZooKeeper would store for this node (snapshots, digests). */
    public long encodedEphemeralOwner() {
        return kind.encodeOwner(ephemeralOwner(), ttlMs());
    }
}
