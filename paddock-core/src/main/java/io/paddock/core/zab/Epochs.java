package io.paddock.core.zab;

import java.util.List;

/**
 * A server's two persisted epochs (ZooKeeper's {@code acceptedEpoch}: the newest epoch it agreed
 * to join; {@code currentEpoch}: the newest epoch it has fully joined), in two forms: what has been
 * asked of the disk ({@link #acceptedEpoch()}, {@link #currentEpoch()}: never go backwards) and what
 * the shell reported durable ({@link #durableAcceptedEpoch()}, {@link #durableCurrentEpoch()}).
 *
 * <p>Decisions compare against the asked-for values (a promise already made binds even before the
 * disk confirms it); anything another server may rely on (an ACKEPOCH, a LEADERINFO, a vote's
 * epoch) waits for the durable ones. Owned by {@link QuorumPeerCore}, shared with its roles.
 */
public final class Epochs {
    private long acceptedEpoch;
    private long currentEpoch;
    private long durableAcceptedEpoch;
    private long durableCurrentEpoch;

    /** The epochs the shell read from disk at start-up. */
    public Epochs(long acceptedEpoch, long currentEpoch) {
        if (acceptedEpoch < 0 || currentEpoch < 0 || currentEpoch > acceptedEpoch) {
            throw new IllegalArgumentException("epochs on disk need 0 <= current <= accepted: accepted="
                    + acceptedEpoch + " current=" + currentEpoch);
        }
        this.acceptedEpoch = acceptedEpoch;
        this.currentEpoch = currentEpoch;
        this.durableAcceptedEpoch = acceptedEpoch;
        this.durableCurrentEpoch = currentEpoch;
    }

    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    public long durableAcceptedEpoch() {
        return durableAcceptedEpoch;
    }

    public long durableCurrentEpoch() {
        return durableCurrentEpoch;
    }

    /** Promise {@code epoch} as the accepted epoch and ask the shell to persist it. */
    void accept(long epoch, List<PeerEffect> effects) {
        if (epoch <= acceptedEpoch) {
            throw new IllegalStateException("accepted epoch must grow: " + acceptedEpoch + " -> " + epoch);
        }
        acceptedEpoch = epoch;
        effects.add(new PeerEffect.PersistEpochs(acceptedEpoch, currentEpoch));
    }

    /** Make {@code epoch} (already accepted) the current epoch and ask the shell to persist it. */
    void makeCurrent(long epoch, List<PeerEffect> effects) {
        if (epoch <= currentEpoch || epoch > acceptedEpoch) {
            throw new IllegalStateException("current epoch must grow up to the accepted one: current="
                    + currentEpoch + " accepted=" + acceptedEpoch + " new=" + epoch);
        }
        currentEpoch = epoch;
        effects.add(new PeerEffect.PersistEpochs(acceptedEpoch, currentEpoch));
    }

    /** The shell's report that a write is durable. Writes complete in order, so values only grow. */
    void persisted(long accepted, long current) {
        if (accepted > acceptedEpoch || current > currentEpoch || accepted < durableAcceptedEpoch
                || current < durableCurrentEpoch) {
            throw new IllegalStateException("persisted (" + accepted + ", " + current + ") was not asked for after ("
                    + durableAcceptedEpoch + ", " + durableCurrentEpoch + "); asked up to (" + acceptedEpoch + ", "
                    + currentEpoch + ")");
        }
        durableAcceptedEpoch = accepted;
        durableCurrentEpoch = current;
    }

    @Override
    public String toString() {
        return "Epochs[accepted=" + acceptedEpoch + " (durable " + durableAcceptedEpoch + "), current="
                + currentEpoch + " (durable " + durableCurrentEpoch + ")]";
    }
}
