package io.paddock.core.storage;

import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.WireException;
import java.util.Arrays;
import java.util.List;

/**
 * One znode with every persisted field, exactly as the tree holds it: {@code cversion} is the
 * stored child-creation counter (Znode#childCreations), not the client-visible cversion;
 * {@code ephemeralOwner} is the owning session of an EPHEMERAL node and 0 otherwise (the kind is
 * explicit, not folded into the owner as ZooKeeper does). {@code data} may be null.
 */
public record SnapshotNode(String path, byte[] data, List<Acl> acl, NodeKind kind, long ephemeralOwner,
                           long ttlMs, long czxid, long mzxid, long ctime, long mtime, int version,
                           int cversion, int aversion, long pzxid) {
    public SnapshotNode {
        if (path == null || acl == null || kind == null) {
            throw new IllegalArgumentException("snapshot node needs a path, an acl and a kind: " + path);
        }
    }

    void write(JuteWriter out) {
        ExactStrings.write(out, path);
        out.writeBuffer(data);
        Acl.writeList(out, acl);
        out.writeByte(TxnCodec.kindCode(kind)).writeLong(ephemeralOwner).writeLong(ttlMs)
                .writeLong(czxid).writeLong(mzxid).writeLong(ctime).writeLong(mtime)
                .writeInt(version).writeInt(cversion).writeInt(aversion).writeLong(pzxid);
    }

    static SnapshotNode read(JuteReader in) {
        String path = ExactStrings.read(in);
        if (path == null) {
            throw new WireException("node with a null path");
        }
        byte[] data = in.readBuffer();
        List<Acl> acl = StoredAcls.read(in);
        if (acl == null) {
            throw new WireException("node " + path + " with a null acl");
        }
        return new SnapshotNode(path, data, acl, TxnCodec.kindOf(in.readByte()), in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                in.readInt(), in.readInt(), in.readInt(), in.readLong());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotNode n && n.path.equals(path) && Arrays.equals(n.data, data)
                && n.acl.equals(acl) && n.kind == kind && n.ephemeralOwner == ephemeralOwner
                && n.ttlMs == ttlMs && n.czxid == czxid && n.mzxid == mzxid && n.ctime == ctime
                && n.mtime == mtime && n.version == version && n.cversion == cversion
                && n.aversion == aversion && n.pzxid == pzxid;
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + Long.hashCode(mzxid);
    }

    @Override
    public String toString() {
        return "SnapshotNode[" + path + " " + kind + " mzxid=0x" + Long.toHexString(mzxid) + "]";
    }
}
