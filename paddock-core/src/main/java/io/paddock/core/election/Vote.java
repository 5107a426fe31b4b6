package io.paddock.core.election;

/**
 * A leader-election vote: the proposed leader's server id, its last logged zxid and its epoch.
 * Votes are totally ordered as in ZooKeeper's Fast Leader Election: the higher epoch wins, then
 * the higher zxid, then the higher server id (so ties on data go to the highest sid).
 */
public record Vote(long leaderSid, long zxid, long epoch) {

    /** True when this vote beats {@code other} in the election order (strictly). */
    public boolean isBetterThan(Vote other) {
        if (epoch != other.epoch) {
            return epoch > other.epoch;
        }
        if (zxid != other.zxid) {
            return zxid > other.zxid;
        }
        return leaderSid > other.leaderSid;
    }

    /** The better of two votes (either, when they are equal). */
    public static Vote better(Vote a, Vote b) {
        return b.isBetterThan(a) ? b : a;
    }
}
