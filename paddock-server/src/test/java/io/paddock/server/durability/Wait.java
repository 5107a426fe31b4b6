package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.Supplier;

/** Bounded waits on conditions: these tests never sleep to synchronize. */
final class Wait {
    private static final long POLL_INTERVAL_MS = 10;

    /** A condition that may call a client or the disk (and so throw). */
    interface Condition {
        boolean holds() throws Exception;
    }

    private Wait() {
    }

    static void until(String what, Duration bound, Condition condition) throws Exception {
        until(() -> what, bound, condition);
    }

    /** Like {@link #until(String, Duration, Condition)}; the message is built only on failure. */
    static void until(Supplier<String> what, Duration bound, Condition condition) throws Exception {
        long deadlineNanos = System.nanoTime() + bound.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadlineNanos > 0) {
                fail("not within " + bound.toMillis() + " ms: " + what.get());
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }
}
