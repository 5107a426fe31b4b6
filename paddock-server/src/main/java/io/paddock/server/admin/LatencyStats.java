package io.paddock.server.admin;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Request latencies in milliseconds, summarised as ZooKeeper's {@code ServerStats} does: min
 * and max are 0 while nothing was measured, and the average is rounded half-up to four decimals
 * (printed as a double, e.g. {@code 0.0} or {@code 1.2346}).
 */
public record LatencyStats(long count, long totalMs, long minMs, long maxMs) {
    public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0);

    public LatencyStats {
        if (count < 0 || totalMs < 0 || minMs < 0 || maxMs < minMs) {
            throw new IllegalArgumentException("inconsistent latency stats: count=" + count
                + " totalMs=" + totalMs + " minMs=" + minMs + " maxMs=" + maxMs);
        }
    }

    /** The mean latency, rounded half-up to four decimals; 0 when nothing was measured. */
    public double avgMs() {
        if (count == 0) {
            return 0;
        }
        double avg = totalMs / (double) count;
        return new BigDecimal(avg).setScale(4, RoundingMode.HALF_UP).doubleValue();
    }

    /** These stats with one more measurement. */
    public LatencyStats plus(long latencyMs) {
        if (latencyMs < 0) {
            return this; // a clock step backwards: ZooKeeper drops such samples too
        }
        long min = count == 0 ? latencyMs : Math.min(minMs, latencyMs);
        return new LatencyStats(count + 1, totalMs + latencyMs, min, Math.max(maxMs, latencyMs));
    }
}
