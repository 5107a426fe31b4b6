package io.paddock.core.election;

/**
 * Election time limits in ticks. {@code finalizeWaitTicks}: how long a server whose vote has a
 * quorum waits for a better vote before deciding. The LOOKING server re-broadcasts its vote
 * first after {@code resendTicksMin}, doubling the gap each time up to {@code resendTicksMax}.
 */
public record ElectionTimings(int finalizeWaitTicks, int resendTicksMin, int resendTicksMax) {
    public ElectionTimings {
        if (finalizeWaitTicks < 0 || resendTicksMin < 1 || resendTicksMax < resendTicksMin) {
            throw new IllegalArgumentException("bad election timings: finalizeWaitTicks=" + finalizeWaitTicks
                    + " resendTicksMin=" + resendTicksMin + " resendTicksMax=" + resendTicksMax);
        }
    }

    public static ElectionTimings defaults() {
        return new ElectionTimings(5, 4, 32);
    }
}
