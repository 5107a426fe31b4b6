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
    private int head;
    private int size;

    void addLast(long nanos) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = nanos;
        size++;
    }

    /** Removes and returns the oldest time. */
    long pollFirst() {
        if (size == 0) {
            throw new NoSuchElementException("no request in flight");
        }
        long nanos = ring[head];
        head = (head + 1) % ring.length;
        size--;
        return nanos;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] bigger = new long[ring.length * 2];
        int firstPart = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, firstPart);
        System.arraycopy(ring, 0, bigger, firstPart, size - firstPart);
        ring = bigger;
        head = 0;
    }
}
