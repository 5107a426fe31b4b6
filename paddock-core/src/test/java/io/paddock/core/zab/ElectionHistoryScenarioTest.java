package io.paddock.core.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves each server's election history tells what happened, on three real cores in lock step
 * ({@link LockstepEnsemble}). The seed's worked example (leader-election.md): servers 1 and 2 start
 * and vote (1,0) and (2,0); server 1 changes to (2,0) (same zxid, higher id, from server 2); server 2
 * leads with the quorum {1,2} and establishes epoch 1; server 3 starts later and follows server 2 in
 * that epoch although its id is higher, and its record says it joined an existing leader. All three
 * starting together elect server 3 ({@code (1,0) (2,0) (3,0) -> server 3, zxid equal, highest id}).
 * A crashed leader ends its followers' roles, and their next election is a newer round.
 *
 * <p>The tables and log lines are compared exactly with the files under {@code
 * src/test/resources/zab/elections} (run with {@code -Dpaddock.rewrite=true} to rewrite them from
 * the code, then read the diff).
 */
class ElectionHistoryScenarioTest {
    private static final Path DIR = Path.of("src/test/resources/zab/elections");
    private static final long TICK_MS = 50;
    /** Election (a finalize wait of 5) and discovery (three round trips, two epoch writes) take far less. */
    private static final int ESTABLISH_TICKS_MAX = 40;

    @Test
    void theHistoriesTellTheSeedsWorkedExample() throws IOException {
        LockstepEnsemble e = new LockstepEnsemble(Set.of(1L, 2L, 3L), ElectionTimings.defaults(), ZabTimings.defaults());
        e.start(1, 0);
        e.start(2, 0);
        e.tickUntilEstablished(2, ESTABLISH_TICKS_MAX);
        e.tickUntilEstablished(1, ESTABLISH_TICKS_MAX);
        e.ticks(20);
        e.start(3, 0);
        e.tickUntilEstablished(3, ESTABLISH_TICKS_MAX);

        ElectionRecord one = only(e.history(1));
        ElectionRecord two = only(e.history(2));
        ElectionRecord three = only(e.history(3));
        assertEquals(List.of(new ElectionRecord.VoteChange(one.voteChanges().get(0).tick(), 1, 1, new Vote(1, 0, 0),
                new Vote(2, 0, 0), PeerEffect.VoteReason.SAME_ZXID_HIGHER_ID, 2, true)), one.voteChanges());
        assertEquals(ServerState.LEADING, two.decision().role());
        assertEquals(Set.of(1L, 2L), two.decidingQuorum());
        assertEquals("(1,0) (2,0) -> server 2, zxid equal, highest id", two.decision().seedStyle());
        assertEquals(1, two.establishedEpoch());
        assertEquals(ServerState.FOLLOWING, three.decision().role());
        assertEquals(2, three.decision().leader().leaderSid());
        assertTrue(three.joinedExistingLeader(), "server 3 joined an existing leader");
        assertFalse(one.joinedExistingLeader(), "server 1 took part in electing it");
        assertEquals(two.establishedEpoch(), three.establishedEpoch(), "no new epoch for server 3");
        assertTrue(three.votesSent() > 0 && three.votesReceived() > 0);

        assertGolden("seed-worked-example.txt", e, 1, 2, 3);
    }

    /** Servers 1, 2 and 3 start at tick 0 and each ticks until it is established (server 3 leads). */
    private static LockstepEnsemble threeStartedTogetherAndEstablished() {
        LockstepEnsemble e = new LockstepEnsemble(Set.of(1L, 2L, 3L), ElectionTimings.defaults(), ZabTimings.defaults());
        e.start(1, 0);
        e.start(2, 0);
        e.start(3, 0);
        e.tickUntilEstablished(3, ESTABLISH_TICKS_MAX);
        e.tickUntilEstablished(1, ESTABLISH_TICKS_MAX);
        e.tickUntilEstablished(2, ESTABLISH_TICKS_MAX);
        return e;
    }

    @Test
    void threeStartingTogetherElectTheHighestId() throws IOException {
        LockstepEnsemble e = threeStartedTogetherAndEstablished();
        assertEquals("(1,0) (2,0) (3,0) -> server 3, zxid equal, highest id", only(e.history(1)).decision().seedStyle());
        assertTrue(only(e.history(1)).voteChanges().stream().anyMatch(c -> c.own()
                && c.to().equals(new Vote(3, 0, 0)) && c.reason() == PeerEffect.VoteReason.SAME_ZXID_HIGHER_ID));
        assertGolden("three-start-together.txt", e, 1, 2, 3);
    }

    @Test
    void aCrashedLeaderEndsTheRolesAndANewerRoundElectsAgain() throws IOException {
        LockstepEnsemble e = threeStartedTogetherAndEstablished();
        e.ticks(5);
        e.crash(3);
        e.ticks(1);
        e.tickUntilEstablished(2, ESTABLISH_TICKS_MAX);
        e.tickUntilEstablished(1, ESTABLISH_TICKS_MAX);
        List<ElectionRecord> elections = e.history(1).elections();
        assertEquals(2, elections.size());
        assertTrue(elections.get(0).endReason() != null, "the first role ended");
        assertEquals(2, elections.get(1).round());
        assertEquals(2, elections.get(1).decision().leader().leaderSid());
        assertTrue(elections.get(1).establishedEpoch() > elections.get(0).establishedEpoch());
        assertGolden("leader-crash.txt", e, 1, 2);
    }

    private static void assertGolden(String name, LockstepEnsemble e, long... sids) throws IOException {
        StringBuilder actual = new StringBuilder();
        for (long sid : sids) {
            actual.append("---- server ").append(sid).append(": elec\n")
                    .append(ElectionText.table(e.history(sid), TICK_MS))
                    .append("---- server ").append(sid).append(": log\n");
            e.logLines(sid).forEach(line -> actual.append(line).append('\n'));
        }
        Path file = DIR.resolve(name);
        if (Boolean.getBoolean("paddock.rewrite")) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual.toString(), name);
    }

    private static ElectionRecord only(ElectionHistory h) {
        assertEquals(1, h.elections().size(), "one election each");
        return h.latest();
    }
}
