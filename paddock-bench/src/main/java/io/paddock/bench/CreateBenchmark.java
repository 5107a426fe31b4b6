package io.paddock.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;

/**
 * Creates {@code creates} znodes of {@code createBytes} under {@code /bench-c/b-<i/1000>} with
 * async creates, {@code outstanding} in flight on each of {@code createSessions} sessions, and
 * times them (the bucket parents are created first, untimed).
 */
final class CreateBenchmark {
    static final String ROOT = "/bench-c";
    static final int CHILDREN_PER_BUCKET = 1000;
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    record Result(double seconds, String lastPath) {}

    private final BenchOptions options;
    private final byte[] value;

    CreateBenchmark(BenchOptions options) {
        this.options = options;
        this.value = Values.of(options.createBytes());
    }

    static String bucketPath(long bucket) {
        return String.format("%s/b-%05d", ROOT, bucket);
    }

    static String nodePath(long index) {
        return String.format("%s/n-%08d", bucketPath(index / CHILDREN_PER_BUCKET), index);
    }

    String lastPath() {
        return nodePath(options.creates() - 1L);
    }

    Result run(int port) throws IOException, InterruptedException, KeeperException {
        List<ZooKeeper> sessions = Sessions.open(port, options.createSessions(), CONNECT_TIMEOUT_MS);
        try {
            sessions.get(0).create(ROOT, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            long buckets = (options.creates() + CHILDREN_PER_BUCKET - 1) / CHILDREN_PER_BUCKET;
            createAll(sessions, buckets, CreateBenchmark::bucketPath, new byte[0], "bucket");
            long start = System.nanoTime();
            createAll(sessions, options.creates(), CreateBenchmark::nodePath, value, "znode");
            return new Result((System.nanoTime() - start) / 1e9, lastPath());
        } finally {
            Sessions.closeAll(sessions);
        }
    }

    private void createAll(List<ZooKeeper> sessions, long count, java.util.function.LongFunction<String> path,
            byte[] data, String what) throws InterruptedException {
        long timeoutMs = TimeUnit.SECONDS.toMillis(options.createTimeoutS());
        AsyncPump pump = new AsyncPump(sessions, options.outstanding(), (zk, sessionIndex, seq, onRc) ->
            zk.create(path.apply(seq), data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                (rc, p, ctx, name) -> onRc.accept(rc), null));
        pump.start(count, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        AsyncPump.Result result = pump.awaitEnd(timeoutMs + 60_000);
        if (result.ok() != count) {
            throw new BenchException("created " + result.ok() + " of " + count + " " + what + "s within "
                + options.createTimeoutS() + " s; " + result.errors() + " errors, first: " + result.firstError());
        }
    }
}
