package io.paddock.core.election;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Majority quorums over a fixed set of voting server ids: a set of sids is a quorum when it holds
 * strictly more than half of the voters (ids that are not voters do not count).
 */
public final class QuorumVerifier {
    private final Set<Long> voters;

    public QuorumVerifier(Set<Long> voterSids) {
        if (voterSids.isEmpty()) {
            throw new IllegalArgumentException("a quorum needs at least one voter");
        }
        this.voters = Collections.unmodifiableSet(new TreeSet<>(voterSids));
    }

    /** The voters in ascending sid order. */
    public Set<Long> voters() {
        return voters;
    }

    public boolean isVoter(long sid) {
        return voters.contains(sid);
    }

    /** The smallest number of voters that forms a quorum. */
    public int quorumSize() {
        return voters.size() / 2 + 1;
    }

    public boolean containsQuorum(Set<Long> sids) {
        int count = 0;
        for (long sid : sids) {
            if (voters.contains(sid)) {
                count++;
            }
        }
        return count >= quorumSize();
    }
}
