package io.paddock.bench;

import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;

/**
 * One session's share of an open-loop schedule. Request {@code n} of the whole schedule is due at
 * {@code start + n / rate}; this session sends every {@code n} with {@code n % sessions == index}.
 * Each is sent at its due time whether or not earlier ones have been answered, unless the session
 * already has {@code outstandingMax} in flight: then it is skipped and counted, never queued.
 * Latency is issue (just before the async setData) to completion (the callback). Only requests due
 * inside the measured window are counted.
 */
final class FixedRateSender {
    /** A send this much after its due time is counted as late (the driver fell behind). */
    static final long LATE_SEND_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Bound on the latencies kept per session; any beyond are counted as unrecorded. */
    static final int SAMPLES_PER_SESSION_MAX = 4_000_000;

    /** The shared schedule: when it starts, when measuring starts, when sending stops, how often. */
    record Schedule(long startNanos, long measureFromNanos, long stopAtNanos, int ratePerSecond, int sessionCount) {
        double intervalNanos() {
            return 1e9 / ratePerSecond;
        }
    }

    private final ZooKeeper zk;
    private final int sessionIndex;
    private final Schedule schedule;
    private final String[] nodePaths;
    private final byte[] value;
    private final int outstandingMax;
    private final Semaphore permits;
    private final long[] latenciesNanos;
    private Thread thread;
    // Written by the sending thread only; read after join.
    private long dueInWindow;
    private long skippedInWindow;
    private long lateSends;
    // Written by the client's event thread under this object's lock.
    private int samples;
    private long unrecorded;
    private long errors;
    private String firstError;

    FixedRateSender(ZooKeeper zk, int sessionIndex, Schedule schedule, String[] nodePaths, byte[] value,
            int outstandingMax) {
        this.zk = zk;
        this.sessionIndex = sessionIndex;
        this.schedule = schedule;
        this.nodePaths = nodePaths;
        this.value = value;
        this.outstandingMax = outstandingMax;
        this.permits = new Semaphore(outstandingMax);
        long windowNanos = schedule.stopAtNanos() - schedule.measureFromNanos();
        long expected = (long) Math.ceil(windowNanos / (schedule.intervalNanos() * schedule.sessionCount())) + 2;
        this.latenciesNanos = new long[(int) Math.min(expected, SAMPLES_PER_SESSION_MAX)];
    }

    void start() {
        thread = new Thread(this::sendLoop, "bench-fixed-rate-" + sessionIndex);
        thread.setDaemon(true);
        thread.start();
    }

    /** Bounded in count (the schedule's length) and in time (nothing is due after stopAt). */
    private void sendLoop() {
        double interval = schedule.intervalNanos();
        long total = schedule.stopAtNanos() - schedule.startNanos();
        long sendsMax = (long) Math.ceil(total / (interval * schedule.sessionCount())) + 1;
        for (long k = 0; k < sendsMax; k++) {
            long n = k * schedule.sessionCount() + sessionIndex;
            long due = schedule.startNanos() + (long) (n * interval);
            if (due >= schedule.stopAtNanos() || !parkUntil(due)) {
                return;
            }
            send(n, due);
        }
    }

    private void send(long n, long due) {
        boolean measured = due >= schedule.measureFromNanos();
        if (measured) {
            dueInWindow++;
        }
        if (!permits.tryAcquire()) {
            if (measured) {
                skippedInWindow++;
            }
            return;
        }
        long issued = System.nanoTime();
        if (measured && issued - due > LATE_SEND_NANOS) {
            lateSends++;
        }
        zk.setData(nodePaths[(int) (n % nodePaths.length)], value, -1,
            (rc, path, ctx, stat) -> complete(rc, issued, measured), null);
    }

    /** Parks until {@code due}; false if interrupted. Bounded: due is before the schedule's stop. */
    private static boolean parkUntil(long due) {
        long left;
        while ((left = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return true;
    }

    private void complete(int rc, long issued, boolean measured) {
        long latency = System.nanoTime() - issued;
        synchronized (this) {
            if (rc != Code.OK.intValue()) {
                errors++;
                if (firstError == null) {
                    firstError = Code.get(rc) + " (rc " + rc + ")";
                }
            } else if (measured && samples < latenciesNanos.length) {
                latenciesNanos[samples++] = latency;
            } else if (measured) {
                unrecorded++;
            }
        }
        permits.release();
    }

    /** Waits (bounded) for the sending thread to stop and every call sent to be answered. */
    void awaitEnd(long deadlineNanos) throws InterruptedException {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        if (thread.isAlive()) {
            thread.interrupt();
            throw new BenchException(thread.getName() + " still sending after its deadline");
        }
        long leftNanos = Math.max(0, deadlineNanos - System.nanoTime());
        if (!permits.tryAcquire(outstandingMax, leftNanos, TimeUnit.NANOSECONDS)) {
            throw new BenchException((outstandingMax - permits.availablePermits()) + " calls of session "
                + sessionIndex + " still unanswered after the drain bound");
        }
        permits.release(outstandingMax);
    }

    long dueInWindow() {
        return dueInWindow;
    }

    long skippedInWindow() {
        return skippedInWindow;
    }

    long lateSends() {
        return lateSends;
    }

    synchronized long errors() {
        return errors;
    }

    synchronized String firstError() {
        return firstError;
    }

    synchronized long unrecorded() {
        return unrecorded;
    }

    synchronized long[] latenciesNanos() {
        return Arrays.copyOf(latenciesNanos, samples);
    }
}
