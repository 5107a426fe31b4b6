package io.paddock.core.request;

import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.util.List;

/**
 * What validation needs to know of one znode: the tree's state with every prepared but not yet
 * applied transaction layered on top (ZooKeeper calls these change records). {@code zxid} is
 * the last transaction that produced this record, so it can be dropped once that one applies.
 *
 * <p>{@code czxid}, {@code ctime}, {@code pzxid}, {@code storedOwner} (ZooKeeper's stored
 * ephemeralOwner, see {@link NodeKind#encodeOwner}) and {@code digest} (the node's ZooKeeper
 * digest, {@link io.paddock.core.tree.NodeDigest}) are there so the leader can tell the tree
 * digest each proposal leads to: a parent's or an ACL change updates the digest from the stat
 * alone, a setData recomputes it from the new data and these fields (mzxid and mtime become the
 * txn's), a new node from its txn. {@code dataLength}: a setData's change of a quota's bytes.
 */
public record NodeRecord(long zxid, String path, int version, int cversion, int aversion,
                         List<Acl> acl, long ephemeralOwner, NodeKind kind, int numChildren,
                         long czxid, long ctime, long pzxid, long storedOwner, long digest, int dataLength) {

    /** After a setData: its new version, data length, and its digest with the new data, mzxid and mtime. */
    public NodeRecord withData(long zxid, int version, int dataLength, long digest) {
        return new NodeRecord(zxid, path, version, cversion, aversion, acl, ephemeralOwner, kind, numChildren,
                czxid, ctime, pzxid, storedOwner, digest, dataLength);
    }

    public NodeRecord withAcl(long zxid, List<Acl> acl, int aversion, long digest) {
        return new NodeRecord(zxid, path, version, cversion, aversion, acl, ephemeralOwner, kind, numChildren,
                czxid, ctime, pzxid, storedOwner, digest, dataLength);
    }

    /** After a child's create or delete at {@code zxid}, which becomes the pzxid. */
    public NodeRecord withChildren(long zxid, int cversion, int numChildren, long digest) {
        return new NodeRecord(zxid, path, version, cversion, aversion, acl, ephemeralOwner, kind, numChildren,
                czxid, ctime, zxid, storedOwner, digest, dataLength);
    }

    public boolean isEphemeral() {
        return kind == NodeKind.EPHEMERAL;
    }
}
