package io.paddock.core.storage;

import io.paddock.core.session.Session;
import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.Znode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A consistent snapshot read out of the live tree in pieces, while writes go on: copy-on-write
 * at node granularity. {@link #begin} (on the tree's thread) records only the sessions and the
 * nodes in snapshot order, as references; each {@link #next} (also on the tree's thread) turns
 * the next nodes into {@link SnapshotNode}s. A node whose stored fields are about to change
 * before it was read out is first copied (the tree tells us through its {@link
 * DataTree.ChangeGuard}), so every record shows the node as it was at {@link #lastZxid()}.
 * Nodes created later are not in the order; deleted ones keep their last fields. Data arrays
 * and ACL lists are shared, never copied: the tree replaces them and never writes into them.
 *
 * <p>Why not one eager copy (as {@link TreeSnapshot#capture} does): with a big tree, a record per
 * node lives as long as the file takes to write, long enough to be promoted by the GC, and the
 * whole copy runs on the loop in one go. Here the loop pays a reference per node up front and
 * small pieces later, and only nodes changed during the write are copied.
 */
public final class TreeCapture implements DataTree.ChangeGuard {
    private final DataTree tree;
    private final long lastZxid;
    private final long timeMs;
    private final List<SnapshotSession> sessions;
    private final Znode[] order;
    private final IdentityHashMap<Znode, SnapshotNode> preserved = new IdentityHashMap<>();
    private int nextIndex;
    /** The path of the last node handed out, in snapshot order; null before the first. */
    private String lastReadOutPath;
    private boolean ended;

    private TreeCapture(DataTree tree, long lastZxid, long timeMs, List<SnapshotSession> sessions, Znode[] order) {
        this.tree = tree;
        this.lastZxid = lastZxid;
        this.timeMs = timeMs;
        this.sessions = sessions;
        this.order = order;
    }

    /** Starts a capture of the state after {@code lastZxid}, which the tree must be at; call on its thread. */
    public static TreeCapture begin(DataTree tree, SessionTable sessionTable, long lastZxid, long timeMs) {
        return begin(tree, sessionTable, lastZxid, timeMs, node -> { });
    }

    /** As {@link #begin(DataTree, SessionTable, long, long)}, showing {@code visitor} each node in the same pass. */
    public static TreeCapture begin(DataTree tree, SessionTable sessionTable, long lastZxid, long timeMs,
                                    Consumer<Znode> visitor) {
        Znode[] order = new Znode[tree.nodeCount()];
        int[] count = {0};
        tree.forEach((path, node) -> {
            order[count[0]++] = node;
            visitor.accept(node);
        });
        List<SnapshotSession> sessions = new ArrayList<>(sessionTable.size());
        for (Session s : sessionTable.all()) {
            sessions.add(new SnapshotSession(s.id(), s.timeoutMs(), s.passwd()));
        }
        sessions.sort(Comparator.comparingLong(SnapshotSession::id));
        TreeCapture capture = new TreeCapture(tree, lastZxid, timeMs, List.copyOf(sessions), order);
        tree.guardChanges(capture);
        return capture;
    }

    @Override
    public void beforeChange(Znode node) {
        // Nodes created after the capture (czxid > lastZxid) are not in it; nodes already read
        // out need no copy either.
        if (!ended && node.czxid() <= lastZxid && !isReadOut(node.path()) && !preserved.containsKey(node)) {
            preserved.put(node, TreeSnapshot.nodeOf(node.path(), node));
        }
    }

    /** Whether the capture's node at {@code path} was handed out already (it comes at or before the last one). */
    private boolean isReadOut(String path) {
        return lastReadOutPath != null && comparePreorder(path, lastReadOutPath) <= 0;
    }

    /**
     * Orders two paths as the snapshot does: depth-first, a node before its descendants,
     * siblings by String order of their names. That is String order with '/' below every
     * other char (a name ends where its path has a '/'), and a path before its extensions.
     */
    static int comparePreorder(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x == '/') {
                    return -1;
                }
                if (y == '/') {
                    return 1;
                }
                return x - y;
            }
        }
        return a.length() - b.length();
    }

    /**
     * The next up to {@code countMax} nodes as they were at {@link #lastZxid()}; an empty list once
     * all were read out (the capture then ends by itself). Call on the tree's thread.
     */
    public List<SnapshotNode> next(int countMax) {
        if (countMax <= 0) {
            throw new IllegalArgumentException("countMax must be positive: " + countMax);
        }
        if (ended) {
            if (nextIndex < order.length) {
                throw new IllegalStateException("capture at 0x" + Long.toHexString(lastZxid) + " was ended early");
            }
            return List.of();
        }
        int end = Math.min(order.length, nextIndex + countMax);
        List<SnapshotNode> piece = new ArrayList<>(end - nextIndex);
        for (; nextIndex < end; nextIndex++) {
            Znode node = order[nextIndex];
            order[nextIndex] = null; // read out: let a deleted node go
            SnapshotNode copy = preserved.remove(node);
            piece.add(copy != null ? copy : TreeSnapshot.nodeOf(node.path(), node));
            lastReadOutPath = node.path();
        }
        if (nextIndex == order.length) {
            end();
        }
        return piece;
    }

    /** Stops guarding the tree and drops what was kept; idempotent. Call on the tree's thread. */
    public void end() {
        if (!ended) {
            ended = true;
            tree.unguardChanges(this);
            preserved.clear();
        }
    }

    public boolean isEnded() {
        return ended;
    }

    public long lastZxid() {
        return lastZxid;
    }

    /** The sessions as they were at {@link #lastZxid()}, by id. */
    public List<SnapshotSession> sessions() {
        return sessions;
    }

    /** Nodes copied because they changed before they were read out, and not read out yet. */
    public int preservedCount() {
        return preserved.size();
    }

    /**
     * The capture as a {@link SnapshotSource} for a writer on another thread: {@code fetchNext}
     * must get {@link #next} run on the tree's thread and return its result.
     */
    public SnapshotSource source(Supplier<List<SnapshotNode>> fetchNext) {
        return new PieceSource(lastZxid, timeMs, sessions, fetchNext);
    }

    private record PieceSource(long lastZxid, long timeMs, List<SnapshotSession> sessionList,
                               Supplier<List<SnapshotNode>> fetchNext) implements SnapshotSource {
        @Override
        public Iterator<SnapshotSession> sessions() {
            return sessionList.iterator();
        }

        @Override
        public Iterator<SnapshotNode> nodes() {
            return new Iterator<>() {
                private List<SnapshotNode> piece = List.of();
                private int index;
                private boolean done;

                @Override
                public boolean hasNext() {
                    if (!done && index == piece.size()) {
                        piece = fetchNext.get();
                        index = 0;
                        done = piece.isEmpty();
                    }
                    return !done;
                }

                @Override
                public SnapshotNode next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return piece.get(index++);
                }
            };
        }
    }
}
