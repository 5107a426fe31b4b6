package io.paddock.core.request;

import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.util.List;

/**
 * What validation needs to know of one znode: the tree's state with every prepared but not yet
 * applied transaction layered on top (ZooKeeper calls these change records). {@code zxid} is
 * the last transaction that produced this record, so it can be dropped once that one applies.
 */
public record NodeRecord(long zxid, String path, int version, int cversion, int aversion,
                         List<Acl> acl, long ephemeralOwner, NodeKind kind, int numChildren) {

    public NodeRecord withVersion(long zxid, int version) {
        return new NodeRecord(zxid, path, version, cversion, aversion, acl, ephemeralOwner, kind, numChildren);
    }

    public NodeRecord withAcl(long zxid, List<Acl> acl, int aversion) {
        return new NodeRecord(zxid, path, version, cversion, aversion, acl, ephemeralOwner, kind, numChildren);
    }

    public NodeRecord withChildren(long zxid, int cversion, int numChildren) {
        return new NodeRecord(zxid, path, version, cversion, aversion, acl, ephemeralOwner, kind, numChildren);
    }

    public boolean isEphemeral() {
        return kind == NodeKind.EPHEMERAL;
    }
}
