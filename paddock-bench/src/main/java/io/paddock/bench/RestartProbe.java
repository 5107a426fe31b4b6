package io.paddock.bench;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * Restart-to-first-read: from just before the child process is started to the first successful
 * getData of a known node. Readiness is polled with {@code srvr}; then a fresh session reads. A
 * read that fails with connection loss is retried on a new session, within the bound.
 */
final class RestartProbe {
    private static final long SESSION_CONNECT_MS = 5_000;
    private static final int ATTEMPTS_MAX = 20;

    private RestartProbe() {}

    /** Milliseconds from process start to the first read that returned {@code expected}. */
    static double firstReadMs(ServerProcess server, String path, byte[] expected, long timeoutMs)
            throws IOException, InterruptedException {
        long deadline = server.startedAtNanos() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        server.awaitServing(timeoutMs);
        String last = "no attempt";
        for (int attempt = 0; attempt < ATTEMPTS_MAX && System.nanoTime() < deadline; attempt++) {
            server.checkAlive();
            ZooKeeper zk;
            try {
                zk = Sessions.open(server.home().clientPort(), SESSION_CONNECT_MS);
            } catch (BenchException e) {
                last = e.getMessage();
                continue;
            }
            try {
                byte[] data = zk.getData(path, false, null);
                long readAt = System.nanoTime();
                if (!Arrays.equals(data, expected)) {
                    throw new BenchException("after restart " + path + " holds " + data.length
                        + " bytes that differ from the " + expected.length + " written");
                }
                return (readAt - server.startedAtNanos()) / 1e6;
            } catch (KeeperException.ConnectionLossException e) {
                last = e.toString();
            } catch (KeeperException e) {
                throw new BenchException("first read of " + path + " after restart failed: " + e, e);
            } finally {
                zk.close(5_000);
            }
        }
        throw new BenchException("no successful read of " + path + " within " + timeoutMs
            + " ms of restart (last: " + last + ")\n" + server.logTail(20));
    }
}
