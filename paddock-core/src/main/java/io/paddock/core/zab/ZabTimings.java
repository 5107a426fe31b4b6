package io.paddock.core.zab;

/**
 * Zab's time limits in the peer's ticks (ZooKeeper's {@code initLimit} and {@code syncLimit},
 * which count {@code tickTime}s; the shell converts them to the ticks it feeds the core).
 *
 * @param initLimitTicks how long discovery may take: a leader's wait for a quorum of
 *     FOLLOWERINFO, then for a quorum of ACKEPOCH; a learner's wait for its leader during discovery
 * @param syncLimitTicks how long an established leader and its learners tolerate silence
 * @param learnerRetryTicks how soon a learner whose connection to its leader failed during
 *     discovery tries again (the leader may not have taken its role yet)
 */
public record ZabTimings(int initLimitTicks, int syncLimitTicks, int learnerRetryTicks) {
    public ZabTimings {
        if (initLimitTicks < 1 || syncLimitTicks < 1 || learnerRetryTicks < 1) {
            throw new IllegalArgumentException("bad zab timings: initLimitTicks=" + initLimitTicks
                    + " syncLimitTicks=" + syncLimitTicks + " learnerRetryTicks=" + learnerRetryTicks);
        }
    }

    public static ZabTimings defaults() {
        return new ZabTimings(20, 10, 2);
    }
}
