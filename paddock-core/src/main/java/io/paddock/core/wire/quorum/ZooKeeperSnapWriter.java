package io.paddock.core.wire.quorum;

import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.SnapshotDecoder;
import io.paddock.core.storage.SnapshotHeader;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.storage.SnapshotSink;
import io.paddock.core.tree.DataTree;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a snapshot in our format as the stream a ZooKeeper leader sends after a SNAP whose data
 * is null: what {@link ZooKeeperSnapReader} reads (see there for the bytes), and what a ZooKeeper
 * learner reads with {@code SerializeUtils.deserializeSnapshot}. A leader sends every learner
 * this, ZooKeeper's or ours: the quorum protocol's bytes are ZooKeeper's.
 *
 * <p>Nothing is lost on the way: the kind of a node folds into its ephemeralOwner as ZooKeeper
 * stores it, and a session's password, which the stream does not carry, is the one every ensemble
 * member derives from its id ({@link ZabTxnCodec#zooKeeperPassword}). ZooKeeper's ACL table
 * comes before the nodes, so the snapshot is read twice: once for its sessions and distinct ACL
 * lists (OPEN_ACL_UNSAFE is ZooKeeper's ref -1 and needs no entry), once to write the nodes.
 * The root's path is "" and the path "/" ends the nodes, as ZooKeeper writes them. The stream
 * is handed out in pieces of about {@code pieceBytes}, so it is never one array whatever the
 * tree's size.
 */
public final class ZooKeeperSnapWriter {
    private ZooKeeperSnapWriter() {}

    /**
     * Hands {@code out} the whole stream, in order, in pieces of about {@code pieceBytes} (a node
     * larger than that makes one larger piece).
     *
     * @param snapshot a snapshot in our format (the SNAP data a Paddock leader makes)
     * @throws CorruptSnapshotException if it does not decode (ours: a bug, not a peer's damage)
     */
    public static void write(byte[] snapshot, String name, int pieceBytes, Consumer<byte[]> out)
            throws CorruptSnapshotException {
        Tables tables = new Tables();
        SnapshotDecoder.decode(ByteSource.of(snapshot), name, tables);

        JuteWriter w = new JuteWriter(Math.max(64, pieceBytes + pieceBytes / 4));
        writeTables(w, tables);
        JuteWriter[] current = {handOutIfFull(w, pieceBytes, out)};
        SnapshotDecoder.decode(ByteSource.of(snapshot), name, new SnapshotSink() {
            @Override
            public void header(SnapshotHeader header) {
            }

            @Override
            public void session(SnapshotSession session) {
            }

            @Override
            public void node(SnapshotNode n) {
                writeNode(current[0], n, tables);
                current[0] = handOutIfFull(current[0], pieceBytes, out);
            }
        });
        w = current[0];
        writeEnd(w);
        out.accept(w.finish());
    }

    /**
     * Whether a SNAP's data is ZooKeeper's stream (as {@link ZooKeeperSnapStream} makes it) rather
     * than a snapshot in our own format, which Paddock leaders sent before (it opens with its magic;
     * a stream opens with its session count, which no budget lets come near it).
     */
    public static boolean isStream(byte[] data) {
        if (data == null || data.length < 4) {
            return true;
        }
        int first = ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        return first != io.paddock.core.storage.SnapshotFormat.MAGIC;
    }

    /** The stream's head: the sessions (id, timeout), then the ACL table (ref, list). */
    static void writeTables(JuteWriter w, Tables tables) {
        w.writeInt(tables.sessions.size());
        for (SnapshotSession s : tables.sessions) {
            w.writeLong(s.id()).writeInt(s.timeoutMs());
        }
        w.writeInt(tables.refs.size());
        for (Map.Entry<List<Acl>, Long> e : tables.refs.entrySet()) {
            w.writeLong(e.getValue());
            w.writeVector(e.getKey(), (v, acl) -> acl.write(v));
        }
    }

    /** One node; its ACL list must be in the table written before. */
    static void writeNode(JuteWriter v, SnapshotNode n, Tables tables) {
        v.writeString(n.path().equals(DataTree.ROOT) ? "" : n.path());
        v.writeBuffer(n.data());
        v.writeLong(tables.writtenRefOf(n.acl()));
        v.writeLong(n.czxid()).writeLong(n.mzxid()).writeLong(n.ctime()).writeLong(n.mtime())
                .writeInt(n.version()).writeInt(n.cversion()).writeInt(n.aversion())
                .writeLong(n.kind().encodeOwner(n.ephemeralOwner(), n.ttlMs())).writeLong(n.pzxid());
    }

    /** After the last node: the path "/" that ends the nodes, then the signature. */
    static void writeEnd(JuteWriter w) {
        w.writeString("/").writeString(ZooKeeperSnapReader.SIGNATURE);
    }

    private static JuteWriter handOutIfFull(JuteWriter w, int pieceBytes, Consumer<byte[]> out) {
        if (w.size() < pieceBytes) {
            return w;
        }
        out.accept(w.finish());
        return new JuteWriter(Math.max(64, pieceBytes + pieceBytes / 4));
    }

    /** The first pass: the sessions, and a ref for each distinct ACL list but OPEN_ACL_UNSAFE. */
    static final class Tables implements SnapshotSink {
        final List<SnapshotSession> sessions = new ArrayList<>();
        final Map<List<Acl>, Long> refs = new LinkedHashMap<>();

        @Override
        public void header(SnapshotHeader header) {
        }

        @Override
        public void session(SnapshotSession session) {
            sessions.add(session);
        }

        @Override
        public void node(SnapshotNode node) {
            refOf(node.acl());
        }

        long refOf(List<Acl> acl) {
            if (acl == Acl.OPEN || acl.equals(Acl.OPEN)) {
                return ZooKeeperSnapReader.OPEN_ACL_REF;
            }
            return refs.computeIfAbsent(acl, a -> (long) refs.size() + 1); // ZooKeeper's refs start at 1 too
        }

        /** The ref of a list the table holds; one it lacks is a bug (a learner would be sent a wrong ACL). */
        long writtenRefOf(List<Acl> acl) {
            if (acl == Acl.OPEN || acl.equals(Acl.OPEN)) {
                return ZooKeeperSnapReader.OPEN_ACL_REF;
            }
            Long ref = refs.get(acl);
            if (ref == null) {
                throw new IllegalStateException("ACL " + acl + " is not in the snapshot's ACL table");
            }
            return ref;
        }
    }
}
