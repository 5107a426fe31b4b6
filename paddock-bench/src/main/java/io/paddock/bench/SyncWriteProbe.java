package io.paddock.bench;

import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * One extra session doing synchronous setData on its own node while the async load runs; the
 * latencies of calls that start inside the measured window are kept (at most {@link #SAMPLES_MAX}).
 */
final class SyncWriteProbe {
    static final int SAMPLES_MAX = 1_000_000;

    private final ZooKeeper zk;
    private final String path;
    private final byte[] value;
    private final long[] latenciesNanos = new long[SAMPLES_MAX];
    private int count;
    private String error;
    private Thread thread;

    SyncWriteProbe(ZooKeeper zk, String path, byte[] value) {
        this.zk = zk;
        this.path = path;
        this.value = value;
    }

    void start(long measureFromNanos, long stopAtNanos) {
        thread = new Thread(() -> run(measureFromNanos, stopAtNanos), "bench-sync-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(long measureFromNanos, long stopAtNanos) {
        try {
            long start;
            while ((start = System.nanoTime()) < stopAtNanos && count < SAMPLES_MAX) {
                zk.setData(path, value, -1);
                if (start >= measureFromNanos) {
                    latenciesNanos[count++] = System.nanoTime() - start;
                }
            }
        } catch (KeeperException e) {
            error = "synchronous setData failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        }
    }

    /** Waits for the probe to end (bounded); throws if it failed. */
    Result await(long timeoutMs) throws InterruptedException {
        thread.join(timeoutMs);
        if (thread.isAlive()) {
            throw new BenchException("synchronous probe still running " + timeoutMs + " ms after its end");
        }
        if (error != null) {
            throw new BenchException(error);
        }
        double p50 = Stats.percentile(latenciesNanos, count, 0.50) / TimeUnit.MILLISECONDS.toNanos(1);
        double p99 = Stats.percentile(latenciesNanos, count, 0.99) / TimeUnit.MILLISECONDS.toNanos(1);
        return new Result(count, p50, p99);
    }

    record Result(int samples, double p50Ms, double p99Ms) {}
}
