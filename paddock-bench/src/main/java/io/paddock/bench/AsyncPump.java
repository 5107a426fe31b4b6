package io.paddock.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;

/**
 * Keeps up to {@code outstandingMax} asynchronous calls in flight on each session (a semaphore
 * per session, one submitting thread per session) until a count or a deadline is reached.
 */
final class AsyncPump {
    /** Submits call number {@code seq} on {@code zk}; the callback must report its rc exactly once. */
    @FunctionalInterface
    interface Op {
        void submit(ZooKeeper zk, int sessionIndex, long seq, IntConsumer onRc);
    }

    record Result(long ok, long errors, String firstError) {}

    private static final long ACQUIRE_POLL_MS = 50;

    private final List<ZooKeeper> sessions;
    private final int outstandingMax;
    private final Op op;
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final List<Semaphore> permits = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    AsyncPump(List<ZooKeeper> sessions, int outstandingMax, Op op) {
        if (sessions.isEmpty() || outstandingMax < 1) {
            throw new IllegalArgumentException("need sessions and outstandingMax >= 1");
        }
        this.sessions = sessions;
        this.outstandingMax = outstandingMax;
        this.op = op;
    }

    /** Starts submitting calls numbered 0..countMax-1, none after {@code stopAtNanos}. */
    void start(long countMax, long stopAtNanos) {
        for (int i = 0; i < sessions.size(); i++) {
            Semaphore semaphore = new Semaphore(outstandingMax);
            permits.add(semaphore);
            int sessionIndex = i;
            Thread t = new Thread(() -> submitLoop(sessionIndex, semaphore, countMax, stopAtNanos),
                "bench-pump-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Calls answered OK so far. */
    long okCount() {
        return ok.get();
    }

    /** Calls answered OK inside a measured window, and the window's real length. */
    record Window(long okCalls, long nanos) {
        double perSecond() {
            return okCalls / (nanos / 1e9);
        }
    }

    /**
     * Lets the load run until {@code fromNanos} (the warm-up), then counts the calls answered OK
     * until {@code toNanos}. The load runs for a set time: this is the measuring window, not a
     * wait for readiness.
     */
    Window okBetween(long fromNanos, long toNanos) throws InterruptedException {
        sleepUntil(fromNanos);
        long okAtStart = ok.get();
        long windowStart = System.nanoTime();
        sleepUntil(toNanos);
        long okAtEnd = ok.get();
        return new Window(okAtEnd - okAtStart, System.nanoTime() - windowStart);
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private void submitLoop(int sessionIndex, Semaphore semaphore, long countMax, long stopAtNanos) {
        ZooKeeper zk = sessions.get(sessionIndex);
        try {
            while (System.nanoTime() < stopAtNanos) {
                if (!semaphore.tryAcquire(ACQUIRE_POLL_MS, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                long seq = nextSeq.getAndIncrement();
                if (seq >= countMax) {
                    semaphore.release();
                    return;
                }
                op.submit(zk, sessionIndex, seq, rc -> complete(rc, semaphore));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void complete(int rc, Semaphore semaphore) {
        if (rc == Code.OK.intValue()) {
            ok.incrementAndGet();
        } else {
            errors.incrementAndGet();
            firstError.compareAndSet(null, Code.get(rc) + " (rc " + rc + ")");
        }
        semaphore.release();
    }

    /** Waits for the submitting threads to stop and every call to be answered, within the bound. */
    Result awaitEnd(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new BenchException(t.getName() + " still submitting after " + timeoutMs + " ms");
            }
        }
        for (Semaphore semaphore : permits) {
            long leftNanos = Math.max(0, deadline - System.nanoTime());
            if (!semaphore.tryAcquire(outstandingMax, leftNanos, TimeUnit.NANOSECONDS)) {
                throw new BenchException((outstandingMax - semaphore.availablePermits())
                    + " calls still unanswered " + timeoutMs + " ms after the load stopped");
            }
        }
        return new Result(ok.get(), errors.get(), firstError.get());
    }
}
