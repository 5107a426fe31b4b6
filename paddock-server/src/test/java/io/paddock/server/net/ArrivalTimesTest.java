package io.paddock.server.net;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Proves the ring of arrival times is a FIFO queue through wrap-arounds and growth. */
class ArrivalTimesTest {
    @Test
    void behavesAsAQueueThroughWrapsAndGrowth() {
        ArrivalTimes times = new ArrivalTimes();
        ArrayDeque<Long> model = new ArrayDeque<>();
        long next = -5; // nanoTime may be negative
        for (int round = 0; round < 200; round++) {
            int adds = (round * 7) % 40;
            int polls = (round * 5) % 37;
            for (int i = 0; i < adds; i++) {
                times.addLast(next, (int) next);
                model.addLast(next++);
            }
            for (int i = 0; i < polls && !model.isEmpty(); i++) {
                assertEquals(model.pollFirst(), times.pollFirst());
            }
            assertEquals(model.size(), times.size());
        }
        while (!model.isEmpty()) {
            assertEquals(model.pollFirst(), times.pollFirst());
        }
        assertThrows(NoSuchElementException.class, times::pollFirst);
    }
}
