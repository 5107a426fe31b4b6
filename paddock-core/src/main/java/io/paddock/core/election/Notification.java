package io.paddock.core.election;

import java.util.Objects;

/**
 * What one server tells another during an election: its current vote, the election round it is
 * in (ZooKeeper's electionEpoch / logicalclock) and its own state. A decided server sends the
 * vote of the leader it follows or is.
 */
public record Notification(Vote vote, long round, ServerState state) {
    public Notification {
        Objects.requireNonNull(vote, "vote");
        Objects.requireNonNull(state, "state");
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0: " + round);
        }
    }
}
