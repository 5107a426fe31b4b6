package io.paddock.core.tree;

import java.util.function.Consumer;

/**
 * The tree's index from path to node: an open-addressing hash table (linear probing) over the
 * nodes themselves, keyed by {@link Znode#path}. A HashMap would add an entry object (32 bytes)
 * per znode, which the GC also has to copy; here a znode costs one slot (a reference and the
 * path's hash, 8 bytes; at most half the slots are used). Paths hash with String.hashCode,
 * spread by Fibonacci hashing; a probe compares the stored hash before it touches a node, so a
 * miss costs no pointer chasing. Removal shifts the following entries back (no tombstones).
 *
 * <p>Every probe loop ends: the table is never more than half full, so a run of used slots
 * always ends at an empty one.
 */
final class NodeTable {
    private static final int CAPACITY_MIN = 16;
    /** 2^31 / golden ratio: spreads similar hashes (paths differing in the last chars) over the table. */
    private static final int FIBONACCI = 0x9E3779B9;

    private Znode[] slots = new Znode[CAPACITY_MIN];
    /** hashes[i] is slots[i].path.hashCode() where slots[i] is not null. */
    private int[] hashes = new int[CAPACITY_MIN];
    private int shift = 32 - Integer.numberOfTrailingZeros(CAPACITY_MIN);
    private int size;

    int size() {
        return size;
    }

    /** The node at {@code path}, or null. */
    Znode get(String path) {
        int hash = path.hashCode();
        int mask = slots.length - 1;
        for (int i = home(hash); ; i = (i + 1) & mask) {
            Znode node = slots[i];
            if (node == null) {
                return null;
            }
            if (hashes[i] == hash && node.path.equals(path)) {
                return node;
            }
        }
    }

    boolean contains(String path) {
        return get(path) != null;
    }

    /** Adds the node, or replaces the one with the same path; returns the replaced one or null. */
    Znode put(Znode node) {
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        String path = node.path;
        int hash = path.hashCode();
        int mask = slots.length - 1;
        for (int i = home(hash); ; i = (i + 1) & mask) {
            Znode old = slots[i];
            if (old == null) {
                slots[i] = node;
                hashes[i] = hash;
                size++;
                return null;
            }
            if (hashes[i] == hash && old.path.equals(path)) {
                slots[i] = node;
                return old;
            }
        }
    }

    /** Removes the node at {@code path}; returns it, or null if there was none. */
    Znode remove(String path) {
        int hash = path.hashCode();
        int mask = slots.length - 1;
        int i = home(hash);
        while (true) {
            Znode node = slots[i];
            if (node == null) {
                return null;
            }
            if (hashes[i] == hash && node.path.equals(path)) {
                break;
            }
            i = (i + 1) & mask;
        }
        Znode removed = slots[i];
        slots[i] = null;
        size--;
        // Shift back every later entry of the run whose home is not in (i, j]: it would be unreachable.
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = home(hashes[j]);
            boolean reachable = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!reachable) {
                slots[i] = slots[j];
                hashes[i] = hashes[j];
                slots[j] = null;
                i = j;
            }
        }
        if (slots.length > CAPACITY_MIN && size * 8 < slots.length) {
            resize(slots.length / 2);
        }
        return removed;
    }

    /** Visits every node, in no particular order. */
    void forEach(Consumer<Znode> visitor) {
        for (Znode node : slots) {
            if (node != null) {
                visitor.accept(node);
            }
        }
    }

    private int home(int hash) {
        return (hash * FIBONACCI) >>> shift;
    }

    private void grow() {
        if (slots.length >= 1 << 30) {
            throw new IllegalStateException("too many znodes: " + size);
        }
        resize(slots.length * 2);
    }

    private void resize(int capacity) {
        Znode[] oldSlots = slots;
        int[] oldHashes = hashes;
        slots = new Znode[capacity];
        hashes = new int[capacity];
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
        int mask = capacity - 1;
        for (int k = 0; k < oldSlots.length; k++) {
            if (oldSlots[k] != null) {
                int i = home(oldHashes[k]);
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = oldSlots[k];
                hashes[i] = oldHashes[k];
            }
        }
    }
}
