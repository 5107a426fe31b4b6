package io.paddock.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Failover as a client sees it: one session per member, each with its own thread doing
 * synchronous setData on its own node in a loop, and remembering when every write was
 * acknowledged and the epoch (the high 32 bits of the zxid in the returned Stat) that committed it.
 * A failed call (connection loss while its server has no leader, or while the client reconnects)
 * is counted and tried again after 1 ms.
 *
 * <p>The gap reported is from the last write acknowledged before the kill to the first write
 * acknowledged after it <b>with a newer epoch</b> than any acknowledged before it. The epoch rule
 * keeps out replies to writes the old leader had committed just before the kill that reach their
 * client just after it (those would make the gap look like zero); a write with a newer epoch was
 * committed by the new leader.
 */
final class FailoverWriters {
    /** Bound on the acknowledgements kept per session (about a minute of sync writes here). */
    static final int SAMPLES_PER_SESSION_MAX = 200_000;
    private static final long RETRY_PAUSE_MS = 1;

    private final List<Writer> writers = new ArrayList<>();

    FailoverWriters(List<ZooKeeper> sessions, List<String> paths, byte[] value) {
        for (int i = 0; i < sessions.size(); i++) {
            writers.add(new Writer(sessions.get(i), paths.get(i), value, i));
        }
    }

    void start() {
        writers.forEach(w -> w.thread.start());
    }

    /** The highest epoch any session has seen acknowledged so far (0 before the first). */
    long epochSeen() {
        long max = 0;
        for (Writer w : writers) {
            max = Math.max(max, w.lastEpoch);
        }
        return max;
    }

    /** True once every session has had at least one write acknowledged. */
    boolean allAcknowledged() {
        return writers.stream().allMatch(w -> w.lastEpoch > 0);
    }

    /** Stops the writers (they end after their current call, bounded by the client's request timeout). */
    void stop(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (Writer w : writers) {
            w.stopped = true;
        }
        for (Writer w : writers) {
            w.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (w.thread.isAlive()) {
                throw new BenchException(w.thread.getName() + " still writing " + timeoutMs + " ms after the stop");
            }
        }
    }

    /**
     * What the sessions saw around a kill at {@code killedAtNanos}; call after {@link #stop}.
     * Times are ms relative to the kill (negative: before it); NaN where nothing qualified.
     */
    Gap gap(long killedAtNanos) {
        long lastBefore = Long.MIN_VALUE;
        long epochBefore = 0;
        long firstAfterAny = Long.MAX_VALUE;
        long errors = 0;
        String firstError = null;
        for (Writer w : writers) {
            errors += w.errors;
            firstError = firstError != null ? firstError : w.firstError;
            for (int i = 0; i < w.count; i++) {
                if (w.ackNanos[i] < killedAtNanos) {
                    lastBefore = Math.max(lastBefore, w.ackNanos[i]);
                    epochBefore = Math.max(epochBefore, w.epochs[i]);
                } else {
                    firstAfterAny = Math.min(firstAfterAny, w.ackNanos[i]);
                }
            }
        }
        long firstAfter = Long.MAX_VALUE;
        long epochAfter = 0;
        for (Writer w : writers) {
            for (int i = 0; i < w.count; i++) {
                if (w.ackNanos[i] >= killedAtNanos && w.epochs[i] > epochBefore && w.ackNanos[i] < firstAfter) {
                    firstAfter = w.ackNanos[i];
                    epochAfter = w.epochs[i];
                }
            }
        }
        StringBuilder perSession = new StringBuilder();
        for (Writer w : writers) {
            long first = Long.MAX_VALUE;
            for (int i = 0; i < w.count; i++) {
                if (w.ackNanos[i] >= killedAtNanos && w.epochs[i] > epochBefore) {
                    first = Math.min(first, w.ackNanos[i]);
                }
            }
            double ms = relativeMs(first, killedAtNanos);
            perSession.append(perSession.length() == 0 ? "" : ", ").append(Double.isNaN(ms) ? "-"
                : String.format(java.util.Locale.ROOT, "%.0f", ms));
        }
        return new Gap(relativeMs(lastBefore, killedAtNanos), relativeMs(firstAfterAny, killedAtNanos),
            relativeMs(firstAfter, killedAtNanos), epochBefore, epochAfter, errors, firstError,
            perSession.toString());
    }

    private static double relativeMs(long nanos, long killedAtNanos) {
        if (nanos == Long.MIN_VALUE || nanos == Long.MAX_VALUE) {
            return Double.NaN;
        }
        return (nanos - killedAtNanos) / 1e6;
    }

    /**
     * Around one kill, in ms from the kill: the last acknowledgement before it, the first after it
     * of any epoch, and the first of a newer epoch (the failover's end); the epochs; failed calls;
     * per session (in member order) when its first write of the newer epoch was acknowledged, or "-".
     */
    record Gap(double lastBeforeMs, double firstAfterAnyMs, double firstNewEpochMs, long epochBefore,
               long epochAfter, long errors, String firstError, String perSessionNewEpochMs) {
        /** From the last acknowledgement before the kill to the first of the new leader. */
        double failoverMs() {
            return firstNewEpochMs - lastBeforeMs;
        }
    }

    /** One session's loop; samples are written by its thread and read after it ended. */
    private static final class Writer {
        final ZooKeeper zk;
        final String path;
        final byte[] value;
        final Thread thread;
        final long[] ackNanos = new long[SAMPLES_PER_SESSION_MAX];
        final long[] epochs = new long[SAMPLES_PER_SESSION_MAX];
        int count;
        long errors;
        String firstError;
        volatile long lastEpoch;
        volatile boolean stopped;

        Writer(ZooKeeper zk, String path, byte[] value, int index) {
            this.zk = zk;
            this.path = path;
            this.value = value;
            this.thread = new Thread(this::loop, "bench-failover-writer-" + index);
            this.thread.setDaemon(true);
        }

        private void loop() {
            try {
                while (!stopped && count < SAMPLES_PER_SESSION_MAX) {
                    try {
                        Stat stat = zk.setData(path, value, -1);
                        long acked = System.nanoTime();
                        long epoch = stat.getMzxid() >>> 32;
                        ackNanos[count] = acked;
                        epochs[count] = epoch;
                        count++;
                        lastEpoch = epoch;
                    } catch (KeeperException e) {
                        errors++;
                        firstError = firstError != null ? firstError : e.code() + " on " + path;
                        Thread.sleep(RETRY_PAUSE_MS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
