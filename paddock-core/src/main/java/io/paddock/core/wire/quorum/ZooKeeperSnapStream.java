package io.paddock.core.wire.quorum;

import io.paddock.core.session.SessionTable;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.storage.TreeCapture;
import io.paddock.core.tree.DataTree;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * A leader's snapshot of its live tree as ZooKeeper's stream ({@link ZooKeeperSnapWriter} writes
 * the same bytes from a finished snapshot), read out of a {@link TreeCapture}: the state at one
 * zxid, however the tree changes while the pieces are taken. {@link #begin} records the sessions,
 * a reference per node and ZooKeeper's ACL table (which comes before the nodes in the stream) in
 * one pass; each {@link #next} then writes the next nodes. So the leader holds no copy of its tree
 * (before, it wrote the whole stream into one array on its loop: twice the tree's memory for a
 * moment, a stall of its loop that grew with the tree, and no snapshot at all past 2 GiB).
 */
public final class ZooKeeperSnapStream implements SnapStream {
    /** Nodes taken from the capture at a time. */
    private static final int NODES_PER_READ = 256;

    private final TreeCapture capture;
    private final ZooKeeperSnapWriter.Tables tables;
    private final ArrayDeque<SnapshotNode> pending = new ArrayDeque<>();
    private boolean headWritten;
    private boolean finished;
    /** A piece failed (a node may be lost with it): the stream must not go on as if whole. */
    private boolean failed;

    private ZooKeeperSnapStream(TreeCapture capture, ZooKeeperSnapWriter.Tables tables) {
        this.capture = capture;
        this.tables = tables;
    }

    /** The stream of the state after {@code appliedZxid}, which the tree must be at; on the tree's thread. */
    public static ZooKeeperSnapStream begin(DataTree tree, SessionTable sessions, long appliedZxid, long timeMs) {
        ZooKeeperSnapWriter.Tables tables = new ZooKeeperSnapWriter.Tables();
        IdentityHashMap<List<Acl>, Boolean> seen = new IdentityHashMap<>();
        TreeCapture capture = TreeCapture.begin(tree, sessions, appliedZxid, timeMs, node -> {
            if (seen.put(node.acl(), Boolean.TRUE) == null) { // the tree shares interned lists
                tables.refOf(node.acl());
            }
        });
        capture.sessions().forEach(tables::session);
        return new ZooKeeperSnapStream(capture, tables);
    }

    @Override
    public byte[] next(int pieceBytes) {
        if (pieceBytes <= 0) {
            throw new IllegalArgumentException("pieceBytes must be positive: " + pieceBytes);
        }
        if (failed) {
            throw new IllegalStateException("the snapshot stream at 0x" + Long.toHexString(capture.lastZxid())
                    + " failed before; it cannot go on");
        }
        if (finished) {
            return null;
        }
        try {
            return nextPiece(pieceBytes);
        } catch (RuntimeException | Error e) {
            failed = true;
            abandon();
            throw e;
        }
    }

    private byte[] nextPiece(int pieceBytes) {
        JuteWriter w = new JuteWriter(Math.max(64, pieceBytes + pieceBytes / 4));
        if (!headWritten) {
            ZooKeeperSnapWriter.writeTables(w, tables);
            headWritten = true;
        }
        while (w.size() < pieceBytes) {
            if (pending.isEmpty()) {
                pending.addAll(capture.next(NODES_PER_READ));
                if (pending.isEmpty()) { // read out: the capture has ended itself
                    ZooKeeperSnapWriter.writeEnd(w);
                    finished = true;
                    break;
                }
            }
            ZooKeeperSnapWriter.writeNode(w, pending.pollFirst(), tables);
        }
        return w.finish();
    }

    @Override
    public void abandon() {
        finished = true;
        pending.clear();
        capture.end();
    }

    /** The zxid whose state this stream holds. */
    public long zxid() {
        return capture.lastZxid();
    }

    /** Whether the tree still keeps nodes for this stream (it is neither read out nor abandoned). */
    public boolean holdsTree() {
        return !capture.isEnded();
    }

    /** Sessions and ACL lists that the stream's head carries. */
    List<SnapshotSession> sessions() {
        return tables.sessions;
    }
}
