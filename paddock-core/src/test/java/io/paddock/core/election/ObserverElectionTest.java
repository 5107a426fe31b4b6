package io.paddock.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ElectionInput.Received;
import io.paddock.core.election.ElectionInput.Start;
import io.paddock.core.election.ElectionOutput.Decided;
import io.paddock.core.election.ElectionOutput.Send;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves the election's rules for observers and for later rounds: a voter answers a non-voter
 * with its current notification and never counts it; an observer never adopts or proposes votes
 * and decides OBSERVING only from a quorum of FOLLOWING/LEADING answers the leader confirms; a new
 * election after a role ended starts one round above the last; a decided server can settle on
 * its leader's established epoch, and only on its own leader.
 */
class ObserverElectionTest {
    private static final QuorumVerifier THREE = new QuorumVerifier(Set.of(1L, 2L, 3L));
    private static final ElectionTimings TIMINGS = new ElectionTimings(0, 4, 16);

    @Test
    void aVoterAnswersAnObserverAndNeverCountsIt() {
        Election voter = new Election(1, THREE, 0, 0, TIMINGS);
        voter.step(new Start(0));
        Notification fromObserver = new Notification(new Vote(4, 99, 9), 1, ServerState.LOOKING);
        List<ElectionOutput> out = voter.step(new Received(4, fromObserver));
        assertEquals(List.of(new Send(4, new Notification(new Vote(1, 0, 0), 1, ServerState.LOOKING))), out);
        assertEquals(new Vote(1, 0, 0), voter.currentVote());
        assertEquals(Set.of(1L), voter.roundVotes().keySet());
    }

    @Test
    void anObserverJoinsOnlyALeaderAQuorumReports() {
        Election observer = Election.forObserver(4, THREE, 0, 0, TIMINGS, 0);
        observer.step(new Start(0));
        assertTrue(observer.step(new Received(1, new Notification(new Vote(1, 5, 0), 1, ServerState.LOOKING))).isEmpty());
        assertEquals(Election.OBSERVER_VOTE, observer.currentVote(), "an observer adopts nothing");
        Vote leader = new Vote(3, 5, 2);
        observer.step(new Received(2, new Notification(leader, 7, ServerState.FOLLOWING)));
        List<ElectionOutput> out = observer.step(new Received(3, new Notification(leader, 7, ServerState.LEADING)));
        assertEquals(List.of(new Decided(ServerState.OBSERVING, leader, 7)), out);
        // Decided, it does not answer a looking voter (a ZooKeeper voter answers every observer back).
        assertTrue(observer.step(new Received(1, new Notification(new Vote(1, 5, 0), 8, ServerState.LOOKING))).isEmpty());
    }

    /**
     * An observer votes as ZooKeeper's do (leader, zxid, epoch all Long.MIN_VALUE): a voter whose
     * configuration still lists it as a participant ignores that vote instead of electing it. And
     * a voter answers an observer only while the observer looks: a decided observer answers a
     * looking voter, and answering it back would keep the two at it for ever (review).
     */
    @Test
    void anObserversVoteElectsNobodyAndADecidedObserverIsNotAnswered() {
        Election observer = Election.forObserver(3, new QuorumVerifier(Set.of(1L, 2L)), 0x500, 1, TIMINGS, 0);
        List<ElectionOutput> started = observer.step(new Start(0));
        Notification vote = started.stream().filter(o -> o instanceof Send).map(o -> ((Send) o).notification())
                .findFirst().orElseThrow();
        assertEquals(Election.OBSERVER_VOTE, vote.vote());
        Election voter = new Election(1, THREE, 0, 0, TIMINGS); // lists 3 as a participant
        voter.step(new Start(0));
        voter.step(new Received(3, vote));
        assertEquals(new Vote(1, 0, 0), voter.currentVote(), "adopted the observer's vote");

        Election other = new Election(1, THREE, 0, 0, TIMINGS);
        other.step(new Start(0));
        Notification decided = new Notification(new Vote(3, 5, 2), 1, ServerState.OBSERVING);
        assertTrue(other.step(new Received(4, decided)).isEmpty(), "answered a decided observer");
    }

    @Test
    void aNewElectionStartsAboveTheLastRound() {
        Election next = new Election(2, THREE, 0, 0, TIMINGS, 6);
        next.step(new Start(0));
        assertEquals(7, next.round());
    }

    @Test
    void settlesOnlyOnItsOwnLeaderOnceDecided() {
        Election e = new Election(2, THREE, 0, 0, TIMINGS);
        e.step(new Start(0));
        assertThrows(IllegalStateException.class, () -> e.settle(new Vote(2, 0, 1)), "still LOOKING");
        e.step(new Received(3, new Notification(new Vote(3, 0, 0), 1, ServerState.LOOKING)));
        e.step(new Received(1, new Notification(new Vote(3, 0, 0), 1, ServerState.LOOKING)));
        assertEquals(ServerState.FOLLOWING, e.state());
        assertThrows(IllegalStateException.class, () -> e.settle(new Vote(1, 0, 4)), "another leader");
        e.settle(new Vote(3, 0, 4));
        assertEquals(new Vote(3, 0, 4), e.currentVote());
    }
}
