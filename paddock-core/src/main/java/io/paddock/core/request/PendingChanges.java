package io.paddock.core.request;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Prepared transactions that have not reached the tree yet, seen as changes to node records.
 * A request is validated against the tree with these layered on top, so two writes prepared
 * back to back see each other although neither is durable yet. A record disappears once the
 * transaction that last wrote it is applied. Supports a rollback mark for multi.
 *
 * <p>It also knows the tree digest the prepared transactions lead to (ZooKeeper's leader keeps
 * it in its last change record): the digest after the last prepared change, until the tree has
 * applied that transaction; from then on the tree's own.
 */
public final class PendingChanges {
    /** The pending state of each path a pending transaction wrote. */
    private final Map<String, Change> byPath = new HashMap<>();
    /** Ephemerals created (true) or deleted (false) by pending txns, per session. */
    private final Map<Long, TreeMap<String, Boolean>> ephemeralChanges = new HashMap<>();
    /** The session whose ephemeral change was recorded last for a path (to prune it when applied). */
    private final Map<String, Long> ephemeralOwnerByPath = new HashMap<>();
    private final Deque<Runnable> undo = new ArrayDeque<>();
    /** Every write in zxid order, so applying a zxid forgets only what it must (no scan). */
    private final Deque<Written> writeOrder = new ArrayDeque<>();
    private boolean marking;
    /** Whether {@link #projectedDigest} is ahead of the tree's digest (its txn not applied yet). */
    private boolean digestPending;
    /** The tree digest once the transaction at {@link #projectedDigestZxid} is applied. */
    private long projectedDigest;
    private long projectedDigestZxid;

    /** The node as it will be once every pending transaction applies; null if absent then. */
    public NodeRecord find(String path, NodeLookup tree) {
        Change pending = byPath.get(path);
        if (pending != null) {
            return pending.record;
        }
        return tree.find(path);
    }

    public void put(NodeRecord record) {
        record(record.path(), record, record.zxid());
        if (record.isEphemeral()) {
            noteEphemeral(record.ephemeralOwner(), record.path(), true);
        }
    }

    public void markDeleted(String path, long zxid, NodeRecord was) {
        record(path, null, zxid);
        if (was != null && was.isEphemeral()) {
            noteEphemeral(was.ephemeralOwner(), path, false);
        }
    }

    /** The tree digest once every pending transaction applies. */
    public long treeDigest(NodeLookup tree) {
        return digestPending ? projectedDigest : tree.treeDigest();
    }

    /** Adds {@code delta} (a node's new digest minus its old) to the digest the txn at {@code zxid} leads to. */
    public void addToDigest(long zxid, long delta, NodeLookup tree) {
        if (marking) {
            boolean wasPending = digestPending;
            long was = projectedDigest;
            long wasZxid = projectedDigestZxid;
            undo.push(() -> {
                digestPending = wasPending;
                projectedDigest = was;
                projectedDigestZxid = wasZxid;
            });
        }
        projectedDigest = treeDigest(tree) + delta;
        projectedDigestZxid = zxid;
        digestPending = true;
    }

    /** A session's ephemerals once every pending transaction applies, in path order. */
    public TreeSet<String> ephemeralsOf(long sessionId, NodeLookup tree) {
        TreeSet<String> out = new TreeSet<>(tree.ephemeralsOf(sessionId));
        TreeMap<String, Boolean> changes = ephemeralChanges.get(sessionId);
        if (changes != null) {
            changes.forEach((path, created) -> {
                if (created) {
                    out.add(path);
                } else {
                    out.remove(path);
                }
            });
        }
        return out;
    }

    /** Forgets every record last written by a transaction at or before {@code zxid}. */
    public void applied(long zxid) {
        if (digestPending && zxid >= projectedDigestZxid) {
            digestPending = false;
        }
        while (!writeOrder.isEmpty() && writeOrder.peekFirst().zxid() <= zxid) {
            Written w = writeOrder.pollFirst();
            Change last = byPath.get(w.path());
            if (last != null && last.zxid <= zxid) {
                byPath.remove(w.path());
                forgetEphemeralChange(w.path());
            }
        }
        if (byPath.isEmpty()) {
            ephemeralChanges.clear();
            ephemeralOwnerByPath.clear();
        }
    }

    /** Forgets every pending change (the transactions behind them were dropped). */
    public void clear() {
        if (marking) {
            throw new IllegalStateException("clear during a multi");
        }
        byPath.clear();
        ephemeralChanges.clear();
        ephemeralOwnerByPath.clear();
        writeOrder.clear();
        digestPending = false;
    }

    public boolean isEmpty() {
        return byPath.isEmpty();
    }

    /** Starts recording undo steps (a multi is being prepared). */
    public void mark() {
        if (marking) {
            throw new IllegalStateException("nested mark");
        }
        undo.clear();
        marking = true;
    }

    /** Keeps every change since {@link #mark()}. */
    public void commitMark() {
        marking = false;
        undo.clear();
    }

    /** Reverts every change since {@link #mark()} if a mark is open; otherwise does nothing. */
    public void rollbackIfMarked() {
        if (marking) {
            rollback();
        }
    }

    /** Reverts every change since {@link #mark()}, newest first. */
    public void rollback() {
        while (!undo.isEmpty()) {
            undo.pop().run();
        }
        marking = false;
    }

    /** @param value the record once this write applies; null when it deletes the node */
    private void record(String path, NodeRecord value, long zxid) {
        Change change = byPath.get(path);
        if (marking) {
            Change old = change == null ? null : new Change(change.record, change.zxid);
            undo.push(() -> {
                if (old == null) {
                    byPath.remove(path);
                } else {
                    byPath.put(path, old);
                }
            });
            change = null; // the undo step holds a copy; do not change the object it may restore
        }
        if (change == null) {
            byPath.put(path, new Change(value, zxid));
        } else {
            change.record = value; // most writes touch a path already pending (a parent): no allocation
            change.zxid = zxid;
        }
        writeOrder.addLast(new Written(zxid, path));
    }

    /** A path's pending state: its record (null = deleted) and the zxid of the write that made it. */
    private static final class Change {
        NodeRecord record;
        long zxid;

        Change(NodeRecord record, long zxid) {
            this.record = record;
            this.zxid = zxid;
        }
    }

    private record Written(long zxid, String path) {}

    /** The path's last write is in the tree now, so its ephemeral change says nothing new. */
    private void forgetEphemeralChange(String path) {
        Long session = ephemeralOwnerByPath.remove(path);
        if (session == null) {
            return;
        }
        TreeMap<String, Boolean> changes = ephemeralChanges.get(session);
        if (changes != null) {
            changes.remove(path);
            if (changes.isEmpty()) {
                ephemeralChanges.remove(session);
            }
        }
    }

    private void noteEphemeral(long session, String path, boolean created) {
        ephemeralOwnerByPath.put(path, session);
        TreeMap<String, Boolean> changes = ephemeralChanges.computeIfAbsent(session, k -> new TreeMap<>());
        if (marking) {
            Boolean old = changes.get(path);
            undo.push(() -> {
                if (old == null) {
                    changes.remove(path);
                } else {
                    changes.put(path, old);
                }
            });
        }
        changes.put(path, created);
    }
}
