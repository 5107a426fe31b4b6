package io.paddock.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ElectionInput.Received;
import io.paddock.core.election.ElectionInput.Start;
import io.paddock.core.election.ElectionInput.Tick;
import io.paddock.core.election.ElectionOutput.Decided;
import io.paddock.core.election.ElectionOutput.Send;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Scripted conversations with one election core (server 2 of {1,2,3}), proving each FLE rule on
 * its own: start votes for itself, better votes of the round are adopted and re-broadcast, older
 * rounds are answered but not counted, a newer round resets the tally, the finalize wait lets a
 * better vote in, a quorum of FOLLOWING/LEADING reports is joined, a decided server answers
 * LOOKING peers, and the vote is re-sent with a doubling, bounded gap.
 */
class ElectionTest {
    private static final QuorumVerifier THREE = new QuorumVerifier(Set.of(1L, 2L, 3L));
    private static final ElectionTimings TIMINGS = new ElectionTimings(3, 4, 16);

    private final Election server2 = new Election(2, THREE, 10, 1, TIMINGS);

    @Test
    void startVotesForItselfInRoundOneAndBroadcasts() {
        List<ElectionOutput> out = server2.step(new Start(0));
        Notification mine = new Notification(new Vote(2, 10, 1), 1, ServerState.LOOKING);
        assertEquals(List.of(new Send(1, mine), new Send(3, mine)), out);
    }

    @Test
    void adoptsABetterVoteOfTheSameRoundAndRebroadcasts() {
        server2.step(new Start(0));
        Vote better = new Vote(3, 10, 1);
        List<ElectionOutput> out = server2.step(new Received(3, looking(better, 1)));
        assertEquals(better, server2.currentVote());
        assertEquals(List.of(new Send(1, looking(better, 1)), new Send(3, looking(better, 1))), out);
    }

    @Test
    void keepsItsVoteWhenTheReceivedOneIsWorse() {
        server2.step(new Start(0));
        List<ElectionOutput> out = server2.step(new Received(1, looking(new Vote(1, 10, 1), 1)));
        assertEquals(new Vote(2, 10, 1), server2.currentVote());
        assertTrue(out.isEmpty(), "no re-broadcast for a worse vote: " + out);
    }

    @Test
    void answersButDoesNotCountAnOlderRound() {
        server2.step(new Start(0));
        server2.step(new Start(1)); // round 2
        List<ElectionOutput> out = server2.step(new Received(1, looking(new Vote(2, 10, 1), 1)));
        assertEquals(List.of(new Send(1, looking(new Vote(2, 10, 1), 2))), out);
        assertEquals(Set.of(2L), server2.roundVotes().keySet());
        server2.step(new Tick(10));
        assertEquals(ServerState.LOOKING, server2.state(), "an old-round vote must not complete a quorum");
    }

    @Test
    void aNewerRoundResetsTheTallyAndAdoptsTheBetterOfOwnAndReceived() {
        server2.step(new Start(0));
        server2.step(new Received(3, looking(new Vote(3, 10, 1), 1)));
        server2.step(new Received(1, looking(new Vote(1, 5, 1), 7)));
        assertEquals(7, server2.round());
        assertEquals(new Vote(2, 10, 1), server2.currentVote(), "own initial vote beats (1,5)");
        assertEquals(Set.of(1L, 2L), server2.roundVotes().keySet());
    }

    @Test
    void decidesOnlyAfterTheFinalizeWait() {
        server2.step(new Start(0));
        server2.step(new Received(1, looking(new Vote(2, 10, 1), 1)));
        assertTrue(server2.step(new Tick(2)).stream().noneMatch(o -> o instanceof Decided));
        List<ElectionOutput> out = server2.step(new Tick(3));
        assertEquals(List.of(new Decided(ServerState.LEADING, new Vote(2, 10, 1), 1)), out);
    }

    @Test
    void decidesAtOnceWhenEveryVoterAgrees() {
        server2.step(new Start(0));
        server2.step(new Received(1, looking(new Vote(2, 10, 1), 1)));
        List<ElectionOutput> out = server2.step(new Received(3, looking(new Vote(2, 10, 1), 1)));
        assertEquals(List.of(new Decided(ServerState.LEADING, new Vote(2, 10, 1), 1)), out,
                "no vote can still come: the finalize wait would only delay the decision");
    }

    @Test
    void decidesAtOnceWhenTheMissingVoterIsUnreachable() {
        server2.step(new Start(0));
        server2.step(new Received(1, looking(new Vote(2, 10, 1), 1)));
        List<ElectionOutput> out = server2.step(new ElectionInput.Unreachable(3));
        assertEquals(List.of(new Decided(ServerState.LEADING, new Vote(2, 10, 1), 1)), out);
    }

    @Test
    void anUnreachableVoterKnownBeforeTheRoundIsNotWaitedFor() {
        Election e = new Election(2, THREE, 10, 1, TIMINGS);
        e.assumeUnreachable(List.of(3L));
        e.step(new Start(0));
        List<ElectionOutput> out = e.step(new Received(1, looking(new Vote(2, 10, 1), 1)));
        assertEquals(List.of(new Decided(ServerState.LEADING, new Vote(2, 10, 1), 1)), out);
    }

    @Test
    void aVoterThatSpeaksAgainIsWaitedForAgain() {
        server2.step(new Start(0));
        server2.step(new ElectionInput.Unreachable(3));
        server2.step(new Received(3, looking(new Vote(1, 5, 1), 1))); // it is back, with a worse vote
        List<ElectionOutput> out = server2.step(new Received(1, looking(new Vote(2, 10, 1), 1)));
        assertTrue(out.stream().noneMatch(o -> o instanceof Decided),
                "server 3 has not agreed yet and can still send a better vote: " + out);
        assertEquals(List.of(new Decided(ServerState.LEADING, new Vote(2, 10, 1), 1)), server2.step(new Tick(3)));
    }

    @Test
    void aMissingVoteOfAReachableVoterIsWaitedFor() {
        server2.step(new Start(0));
        List<ElectionOutput> out = server2.step(new Received(1, looking(new Vote(2, 10, 1), 1)));
        assertTrue(out.stream().noneMatch(o -> o instanceof Decided), "server 3's vote may be better: " + out);
    }

    @Test
    void aBetterVoteDuringTheFinalizeWaitWins() {
        server2.step(new Start(0));
        server2.step(new Received(1, looking(new Vote(2, 10, 1), 1))); // quorum {1,2} for 2: wait until 3
        server2.step(new Tick(2));
        server2.step(new Received(3, looking(new Vote(3, 11, 1), 1))); // better: quorum {2,3}, wait until 5
        assertTrue(server2.step(new Tick(3)).stream().noneMatch(o -> o instanceof Decided));
        List<ElectionOutput> out = server2.step(new Tick(5));
        assertEquals(List.of(new Decided(ServerState.FOLLOWING, new Vote(3, 11, 1), 1)), out);
    }

    @Test
    void joinsALeaderThatAQuorumAlreadyFollows() {
        server2.step(new Start(0));
        Vote leader = new Vote(3, 20, 1);
        server2.step(new Received(1, new Notification(leader, 4, ServerState.FOLLOWING)));
        List<ElectionOutput> out = server2.step(new Received(3, new Notification(leader, 4, ServerState.LEADING)));
        assertEquals(List.of(new Decided(ServerState.FOLLOWING, leader, 4)), out);
        assertEquals(4, server2.round());
    }

    @Test
    void doesNotJoinWithoutHearingFromTheLeader() {
        server2.step(new Start(0));
        Vote leader = new Vote(3, 20, 1);
        List<ElectionOutput> out = server2.step(new Received(1, new Notification(leader, 4, ServerState.FOLLOWING)));
        assertTrue(out.stream().noneMatch(o -> o instanceof Decided), out.toString());
    }

    @Test
    void aDecidedServerAnswersLookingPeersWithItsLeader() {
        server2.step(new Start(0));
        server2.step(new Received(3, looking(new Vote(3, 11, 1), 1)));
        server2.step(new Received(1, looking(new Vote(3, 11, 1), 1)));
        server2.step(new Tick(3));
        assertEquals(ServerState.FOLLOWING, server2.state());
        List<ElectionOutput> out = server2.step(new Received(1, looking(new Vote(1, 0, 0), 9)));
        assertEquals(List.of(new Send(1, new Notification(new Vote(3, 11, 1), 1, ServerState.FOLLOWING))), out);
        assertTrue(server2.step(new Received(3, new Notification(new Vote(3, 11, 1), 1, ServerState.LEADING))).isEmpty());
    }

    @Test
    void resendsItsVoteWithADoublingBoundedGap() {
        server2.step(new Start(0));
        StringBuilder resendTicks = new StringBuilder();
        for (long tick = 1; tick <= 60; tick++) {
            if (!server2.step(new Tick(tick)).isEmpty()) {
                resendTicks.append(tick).append(' ');
            }
        }
        assertEquals("4 12 28 44 60 ", resendTicks.toString());
    }

    private static Notification looking(Vote vote, long round) {
        return new Notification(vote, round, ServerState.LOOKING);
    }
}
