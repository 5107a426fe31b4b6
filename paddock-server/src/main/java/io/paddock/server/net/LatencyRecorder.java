package io.paddock.server.net;

/** Request latency min/avg/max since start or reset, as the four-letter words report them. */
public final class LatencyRecorder {
    private long count;
    private long totalMs;
    private long minMs = Long.MAX_VALUE;
    private long maxMs;

    public synchronized void record(long ms) {
        count++;
        totalMs += ms;
        minMs = Math.min(minMs, ms);
        maxMs = Math.max(maxMs, ms);
    }

    public synchronized long count() {
        return count;
    }

    public synchronized long totalMs() {
        return totalMs;
    }

    public synchronized long minMs() {
        return count == 0 ? 0 : minMs;
    }

    public synchronized long maxMs() {
        return maxMs;
    }

    public synchronized void reset() {
        count = 0;
        totalMs = 0;
        minMs = Long.MAX_VALUE;
        maxMs = 0;
    }
}
