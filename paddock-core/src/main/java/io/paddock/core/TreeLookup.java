package io.paddock.core;

import io.paddock.core.request.NodeLookup;
import io.paddock.core.request.NodeRecord;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.Znode;
import java.util.Collection;

/** Shows the committed tree to request validation as node records. */
final class TreeLookup implements NodeLookup {
    private final DataTree tree;

    TreeLookup(DataTree tree) {
        this.tree = tree;
    }

    @Override
    public NodeRecord find(String path) {
        Znode n = tree.get(path);
        if (n == null) {
            return null;
        }
        return new NodeRecord(n.mzxid(), path, n.version(), n.childCreations(), n.aversion(),
                n.acl(), n.ephemeralOwner(), n.kind(), n.numChildren(), n.czxid(), n.ctime(), n.pzxid(),
                n.encodedEphemeralOwner(), n.digest(), n.dataLength());
    }

    @Override
    public String quotaRootOf(String path) {
        return tree.quotaRootOf(path);
    }

    @Override
    public byte[] dataOf(String path) {
        Znode n = tree.get(path);
        return n == null ? null : n.data();
    }

    @Override
    public long treeDigest() {
        return tree.treeDigest();
    }

    @Override
    public Collection<String> ephemeralsOf(long sessionId) {
        return tree.ephemerals(sessionId);
    }
}
