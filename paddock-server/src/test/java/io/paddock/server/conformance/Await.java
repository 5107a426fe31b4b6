package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;

/** Bounded waits on conditions: the suite never sleeps to synchronize. */
final class Await {
    static final Duration DEFAULT_BOUND = Duration.ofSeconds(15);
    private static final long POLL_INTERVAL_MS = 10;

    /** A condition that may call the client (and so throw). */
    interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    static void until(String what, Condition condition) throws Exception {
        until(what, DEFAULT_BOUND, condition);
    }

    static void until(String what, Duration bound, Condition condition) throws Exception {
        long deadlineNanos = System.nanoTime() + bound.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadlineNanos > 0) {
                fail("not within " + bound.toMillis() + " ms: " + what);
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }
}
