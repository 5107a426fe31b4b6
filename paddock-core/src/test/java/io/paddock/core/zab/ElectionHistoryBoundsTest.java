package io.paddock.core.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.election.Notification;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves the history's bounds and its text for what the scenarios do not reach: only the last
 * {@code electionsMax} elections are kept (numbering goes on), vote messages and vote changes beyond
 * their limits are counted and said so; an election still looking, one whose role ended before it
 * was established, and votes that differ in epoch read as they should; a stale copy of a vote is
 * not a change; the text of a standalone server; effects out of order fail loudly.
 */
class ElectionHistoryBoundsTest {
    private static final Vote ONE = new Vote(1, 0, 0);
    private static final Vote TWO = new Vote(2, 0, 0);
    private static final Vote THREE = new Vote(3, 0, 0);

    private static PeerEffect.VoteChanged own(long round, Vote v) {
        return new PeerEffect.VoteChanged(round, v, v, PeerEffect.VoteReason.OWN_VOTE, -1);
    }

    private static PeerEffect.VoteReceived heard(long from, Vote v, long round) {
        return new PeerEffect.VoteReceived(from, new Notification(v, round, ServerState.LOOKING));
    }

    private static PeerEffect.SendElection send(long to, Vote v, long round) {
        return new PeerEffect.SendElection(to, new Notification(v, round, ServerState.LOOKING));
    }

    @Test
    void onlyTheLastElectionsAreKeptAndTheNumberingGoesOn() {
        ElectionHistory h = new ElectionHistory(1, new ElectionHistory.Limits(2, 8, 8));
        for (long round = 1; round <= 3; round++) {
            h.record(round * 10, List.of(own(round, ONE)));
        }
        assertEquals(3, h.electionsStarted());
        assertEquals(1, h.electionsForgotten());
        assertEquals(List.of(2L, 3L), h.elections().stream().map(ElectionRecord::number).toList());
        assertEquals("""
                server 1: 3 elections since start, the last 2 kept; 1 tick = 100 ms

                election 2: round 2, looking
                  first votes   (1,0)
                  vote changes  none
                  decision      none yet, still looking
                  votes         0 sent, 0 received

                election 3: round 3, looking
                  first votes   (1,0)
                  vote changes  none
                  decision      none yet, still looking
                  votes         0 sent, 0 received
                """, ElectionText.table(h, 100));
    }

    @Test
    void votesAndChangesBeyondTheirLimitsAreCountedAndSaid() {
        ElectionHistory h = new ElectionHistory(1, new ElectionHistory.Limits(16, 3, 1));
        h.record(1, List.of(own(1, ONE), send(2, ONE, 1), send(3, ONE, 1)));
        h.record(2, List.of(heard(2, TWO, 1),
                new PeerEffect.VoteChanged(1, ONE, TWO, PeerEffect.VoteReason.SAME_ZXID_HIGHER_ID, 2),
                send(2, TWO, 1), send(3, TWO, 1)));
        h.record(2, List.of(heard(2, ONE, 1))); // a late copy of an older vote: no change
        h.record(3, List.of(heard(2, THREE, 1))); // server 2 changed: a heard change, beyond the limit
        ElectionRecord r = h.latest();
        assertEquals(4, r.votesSent());
        assertEquals(3, r.votesReceived());
        assertEquals(3, r.voteMessages().size());
        assertEquals(4, r.voteMessagesDropped());
        assertEquals(1, r.voteChanges().size());
        assertEquals(1, r.voteChangesDropped());
        assertEquals("""
                election 1: round 1, looking
                  first votes   (1,0) (2,0)
                  vote changes  t+1  server 1: (1,0) -> (2,0) same zxid, higher id (from server 2)
                                and 1 more, not kept
                  decision      none yet, still looking
                  votes         4 sent, 3 received (4 not kept)
                """, ElectionText.election(r, 2000));
    }

    @Test
    void aRoleThatEndsBeforeItIsEstablishedIsNeverEstablished() {
        ElectionHistory h = new ElectionHistory(2);
        List<String> log = new ArrayList<>();
        Vote oldLeader = new Vote(3, 7, 2);
        h.record(5, List.of(own(4, new Vote(2, 9, 1))), log::add);
        h.record(6, List.of(heard(3, oldLeader, 4),
                new PeerEffect.VoteChanged(4, new Vote(2, 9, 1), oldLeader, PeerEffect.VoteReason.HIGHER_EPOCH, 3)),
                log::add);
        h.record(9, List.of(new PeerEffect.ElectionDecided(4, ServerState.FOLLOWING, oldLeader,
                        Map.of(2L, oldLeader, 3L, oldLeader), Map.of(2L, new Vote(2, 9, 1), 3L, oldLeader)),
                new PeerEffect.RoleChanged(ServerState.LOOKING, ServerState.FOLLOWING, "elected server 3 in round 4")),
                log::add);
        h.record(29, List.of(new PeerEffect.RoleChanged(ServerState.FOLLOWING, ServerState.LOOKING,
                "leader 3 silent for more than 20 ticks in CONNECTING")), log::add);
        assertEquals("""
                election 1: round 4, following server 3
                  first votes   (2,1:9) (3,2:7)
                  vote changes  t+1  server 2: (2,1:9) -> (3,2:7) higher epoch (from server 3)
                  decision      t+4  -> server 3, higher epoch
                  quorum        {2,3}
                  epoch         never established
                  ended         t+24  leader 3 silent for more than 20 ticks in CONNECTING
                  took          looking -> decided 4 ticks (8000 ms); decided -> established never
                  votes         0 sent, 1 received
                """, ElectionText.election(h.latest(), 2000));
        assertEquals(List.of(
                "election 1 round 4 t+1: server 2: (2,1:9) -> (3,2:7) higher epoch (from server 3)",
                "election 1 round 4 t+4: following server 3: (2,1:9) (3,2:7) -> server 3, higher epoch; quorum {2,3}",
                "election 1 round 4 t+24: ended, following server 3: leader 3 silent for more than 20 ticks in CONNECTING"),
                log);
    }

    @Test
    void aNewerRoundIsAChangeWithItsRound() {
        ElectionHistory h = new ElectionHistory(1);
        h.record(1, List.of(own(1, ONE)));
        h.record(2, List.of(heard(3, THREE, 2),
                new PeerEffect.VoteChanged(2, ONE, THREE, PeerEffect.VoteReason.NEWER_ROUND, 3)));
        assertEquals("server 1: (1,0) -> (3,0) newer round 2 (from server 3)",
                ElectionText.voteChange(h.latest().voteChanges().get(0)));
        assertEquals(2, h.latest().round());
    }

    @Test
    void aStandaloneServerAndAServerBeforeItsFirstElectionSaySo() {
        assertEquals("standalone: no elections\n", ElectionText.STANDALONE);
        assertEquals("server 4: no elections yet\n", ElectionText.table(new ElectionHistory(4), 2000));
    }

    @Test
    void effectsOutOfOrderFailLoudly() {
        ElectionHistory h = new ElectionHistory(1);
        h.record(1, List.of(own(1, ONE)));
        assertThrows(IllegalStateException.class, () -> h.record(2, List.of(new PeerEffect.Established(1, Set.of(1L)))));
        assertThrows(IllegalArgumentException.class, () -> ElectionText.table(h, 0));
        assertThrows(IllegalArgumentException.class, () -> new ElectionHistory.Limits(0, 1, 1));
    }
}
