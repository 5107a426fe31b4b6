package io.paddock.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;

/**
 * Latency at a fixed offered rate: the same open-loop schedule of async setData calls (on the
 * nodes {@link WriteBenchmark#prepare} created) is offered to each server, so a faster server does
 * not get more work to queue. After a warm-up, each call's issue-to-completion time is kept for
 * the calls due inside the measured window; p50/p99/p99.9 are over those.
 */
final class FixedRateBenchmark {
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    private static final long DRAIN_TIMEOUT_MS = 60_000;
    /** Time to let every sender thread start before the first call is due. */
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * One run. {@code byServer} has p50 and p99 (ms) of the sessions on each server of the list the
     * run was given, in that order (session i is on server i % servers): in an ensemble it shows
     * what a write through the leader costs against one through a follower.
     */
    record Run(int ratePerSecond, long due, long completedOk, long skipped, long lateSends, long errors,
               String firstError, long unrecorded, double p50Ms, double p99Ms, double p999Ms,
               List<double[]> byServer) {}

    private final BenchOptions options;
    private final byte[] value;
    private final String[] nodePaths;

    FixedRateBenchmark(BenchOptions options) {
        this.options = options;
        this.value = Values.of(options.valueBytes());
        this.nodePaths = new String[options.writeNodes()];
        for (int i = 0; i < nodePaths.length; i++) {
            nodePaths[i] = WriteBenchmark.nodePath(i);
        }
    }

    Run run(int port, int ratePerSecond) throws IOException, InterruptedException {
        return run(List.of(port), ratePerSecond);
    }

    /** As {@link #run(int, int)}, with the sessions spread round-robin over {@code ports}. */
    Run run(List<Integer> ports, int ratePerSecond) throws IOException, InterruptedException {
        return run(ports, ratePerSecond, options.warmupS(), options.durationS());
    }

    /** As {@link #run(List, int)}, with a warm-up of {@code warmupS} and a window of {@code durationS} seconds. */
    Run run(List<Integer> ports, int ratePerSecond, int warmupS, int durationS) throws IOException, InterruptedException {
        List<ZooKeeper> sessions = Sessions.openSpread(ports, options.fixedSessions(), CONNECT_TIMEOUT_MS);
        try {
            return measure(sessions, ratePerSecond, ports.size(), warmupS, durationS);
        } finally {
            Sessions.closeAll(sessions);
        }
    }

    private Run measure(List<ZooKeeper> sessions, int ratePerSecond, int servers, int warmupS, int durationS)
            throws InterruptedException {
        long start = System.nanoTime() + START_DELAY_NANOS;
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupS);
        long stopAt = measureFrom + TimeUnit.SECONDS.toNanos(durationS);
        FixedRateSender.Schedule schedule = new FixedRateSender.Schedule(start, measureFrom, stopAt, ratePerSecond,
            sessions.size());
        List<FixedRateSender> senders = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            senders.add(new FixedRateSender(sessions.get(i), i, schedule, nodePaths, value,
                options.fixedOutstanding()));
        }
        senders.forEach(FixedRateSender::start);
        AsyncPump.sleepUntil(stopAt);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
        for (FixedRateSender sender : senders) {
            sender.awaitEnd(deadline);
        }
        return summarize(ratePerSecond, senders, servers);
    }

    private static Run summarize(int ratePerSecond, List<FixedRateSender> senders, int servers) {
        long due = 0;
        long skipped = 0;
        long late = 0;
        long errors = 0;
        long unrecorded = 0;
        String firstError = null;
        List<long[]> parts = new ArrayList<>();
        int samples = 0;
        for (FixedRateSender s : senders) {
            due += s.dueInWindow();
            skipped += s.skippedInWindow();
            late += s.lateSends();
            errors += s.errors();
            unrecorded += s.unrecorded();
            firstError = firstError != null ? firstError : s.firstError();
            long[] part = s.latenciesNanos();
            parts.add(part);
            samples += part.length;
        }
        long[] all = new long[samples];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        double nanosPerMs = TimeUnit.MILLISECONDS.toNanos(1);
        List<double[]> byServer = new ArrayList<>();
        for (int server = 0; server < servers; server++) {
            long[] mine = new long[samples];
            int count = 0;
            for (int i = server; i < parts.size(); i += servers) {
                System.arraycopy(parts.get(i), 0, mine, count, parts.get(i).length);
                count += parts.get(i).length;
            }
            byServer.add(new double[] {Stats.percentile(mine, count, 0.50) / nanosPerMs,
                Stats.percentile(mine, count, 0.99) / nanosPerMs});
        }
        return new Run(ratePerSecond, due, samples + unrecorded, skipped, late, errors, firstError, unrecorded,
            Stats.percentile(all, samples, 0.50) / nanosPerMs, Stats.percentile(all, samples, 0.99) / nanosPerMs,
            Stats.percentile(all, samples, 0.999) / nanosPerMs, byServer);
    }
}
