package io.paddock.server.net;

import java.util.NoSuchElementException;

/**
 * The arrival times of one connection's unanswered requests, oldest first, in a ring of
 * primitive longs (no boxing per request). Replies come back in request order, so the head is
 * always the request answered next. Not thread-safe: callers synchronize on it.
 */
final class ArrivalTimes {
    private static final int INITIAL_CAPACITY = 16;

    private long[] ring = new long[INITIAL_CAPACITY];
    /** Each request's op code, beside its time. */
    private int[] ops = new int[INITIAL_CAPACITY];
    private int head;
    private int size;
    /** The op code of the request {@link #pollFirst} last returned the time of. */
    private int polledOp;

    void addLast(long nanos, int opCode) {
        if (size == ring.length) {
            grow();
        }
        int at = (head + size) % ring.length;
        ring[at] = nanos;
        ops[at] = opCode;
        size++;
    }

    /** Removes and returns the oldest time; its request's op code is then {@link #polledOp()}. */
    long pollFirst() {
        if (size == 0) {
            throw new NoSuchElementException("no request in flight");
        }
        long nanos = ring[head];
        polledOp = ops[head];
        head = (head + 1) % ring.length;
        size--;
        return nanos;
    }

    int polledOp() {
        return polledOp;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] bigger = new long[ring.length * 2];
        int[] biggerOps = new int[ring.length * 2];
        int firstPart = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, firstPart);
        System.arraycopy(ring, 0, bigger, firstPart, size - firstPart);
        System.arraycopy(ops, head, biggerOps, 0, firstPart);
        System.arraycopy(ops, 0, biggerOps, firstPart, size - firstPart);
        ring = bigger;
        ops = biggerOps;
        head = 0;
    }
}
