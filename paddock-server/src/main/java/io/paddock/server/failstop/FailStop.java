package io.paddock.server.failstop;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process when the server cannot safely go on: a failure that may have left its state
 * half-changed (applying a committed transaction, the replica loop itself, a transaction log
 * that cannot be written for a reason other than space). A process that kept its port after
 * such a failure would accept connections and answer nothing; ending it lets a supervisor
 * restart it, and recovery rebuilds the state from disk, where every acknowledged write is.
 *
 * <p>It halts ({@link Runtime#halt}), not exits: shutdown hooks would close the server through
 * the very parts that failed, and nothing more may be written. The reason goes to the log and,
 * as one plain line starting {@code paddock: fatal:}, to stderr; both are flushed first. The
 * exit status is {@link #EXIT_STATUS}.
 *
 * <p>Tests replace the {@link Halt} to observe a fail-stop in-process; there the call returns
 * and the caller must stop what it was doing (its thread ends).
 */
public final class FailStop {
    private static final Logger LOG = LoggerFactory.getLogger(FailStop.class);
    /** The process's exit status after a fail-stop (1 and 2 are Main's: bad configuration, usage). */
    public static final int EXIT_STATUS = 3;

    /** What ends the process; {@link Runtime#halt} outside tests. */
    @FunctionalInterface
    public interface Halt {
        void halt(int status);
    }

    private final Halt halt;
    private final PrintStream err;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile String reason;

    public FailStop(Halt halt, PrintStream err) {
        this.halt = halt;
        this.err = err;
    }

    /** The real one: halts this JVM, reason on {@link System#err}. */
    public static FailStop halting() {
        return new FailStop(status -> Runtime.getRuntime().halt(status), System.err);
    }

    /**
     * Logs why and ends the process. Only the first call halts; a second failure on another
     * thread while the first halts is logged and returns.
     */
    public void stop(String why, Throwable cause) {
        String message = "the server cannot go on and stops (exit status " + EXIT_STATUS + "): " + why
            + "; restart it to recover from disk";
        if (!stopped.compareAndSet(false, true)) {
            LOG.error("also failed while stopping: {}", why, cause);
            return;
        }
        reason = why;
        LOG.error(message, cause);
        err.println("paddock: fatal: " + message + (cause == null ? "" : " (" + cause + ")"));
        err.flush();
        System.out.flush();
        halt.halt(EXIT_STATUS);
    }

    /** True once {@link #stop} was called. */
    public boolean stopped() {
        return stopped.get();
    }

    /** The first reason given to {@link #stop}, or null. */
    public String reason() {
        return reason;
    }
}
