package io.paddock.core.zab;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.QuorumVerifier;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One server's view of the ensemble, parsed once by the shell: its own id, the voters, the
 * observers (listed, connected, never counted for a quorum) and the time limits.
 */
public record PeerConfig(long sid, QuorumVerifier voters, Set<Long> observers, ElectionTimings electionTimings,
        ZabTimings zabTimings) {
    public PeerConfig {
        Objects.requireNonNull(voters, "voters");
        Objects.requireNonNull(electionTimings, "electionTimings");
        Objects.requireNonNull(zabTimings, "zabTimings");
        observers = Collections.unmodifiableSet(new TreeSet<>(observers));
        for (long o : observers) {
            if (voters.isVoter(o)) {
                throw new IllegalArgumentException("server " + o + " is both a voter and an observer");
            }
        }
        if (!voters.isVoter(sid) && !observers.contains(sid)) {
            throw new IllegalArgumentException("server " + sid + " is in neither " + voters.voters() + " nor "
                    + observers);
        }
    }

    public boolean isObserver() {
        return observers.contains(sid);
    }

    public boolean isMember(long otherSid) {
        return voters.isVoter(otherSid) || observers.contains(otherSid);
    }
}
