package io.paddock.server.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.paddock.core.election.Notification;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import io.paddock.core.zab.PeerEffect;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The log line of each kind of election observation is a compact sentence, never a record's
 * toString (the vote-received and synced lines used to print {@code VoteReceived[fromSid=...]}).
 */
class PeerShellDescribeTest {
    private static final Vote THREE = new Vote(3, 0x100000002L, 1);

    @Test
    void everyObservationReadsAsASentence() {
        List<PeerEffect.Observation> all = List.of(
                new PeerEffect.VoteReceived(2, new Notification(THREE, 4, ServerState.LOOKING)),
                new PeerEffect.VoteChanged(4, new Vote(1, 0, 1), THREE, PeerEffect.VoteReason.HIGHER_ZXID, 2),
                new PeerEffect.ElectionDecided(4, ServerState.FOLLOWING, THREE, Map.of(), Map.of(3L, THREE)),
                new PeerEffect.RoleChanged(ServerState.LOOKING, ServerState.FOLLOWING, "elected server 3 in round 4"),
                new PeerEffect.Synced(2, 3),
                new PeerEffect.Established(2, Set.of(1L, 3L)));
        for (PeerEffect.Observation o : all) {
            String line = PeerShell.describe(o);
            assertFalse(line.contains(o.getClass().getSimpleName() + "["), "a record's toString: " + line);
        }
        assertEquals("round 4: server 2 votes (server 3, zxid 0x100000002, epoch 1) (LOOKING)",
                PeerShell.describe(all.get(0)));
        assertEquals("synced with leader 3 in epoch 2", PeerShell.describe(all.get(4)));
    }

    /** zk_peer_state in ZooKeeper's four zab states: looking, then discovery, synchronization, broadcast. */
    @Test
    void thePeerStateNamesTheZabStateAsZooKeeperDoes() {
        assertEquals("looking", status(ServerState.LOOKING, -1, false).peerState());
        assertEquals("following - discovery", status(ServerState.FOLLOWING, -1, false).peerState());
        assertEquals("following - synchronization", status(ServerState.FOLLOWING, -1, true).peerState());
        assertEquals("leading - broadcast", status(ServerState.LEADING, 2, false).peerState());
    }

    private static PeerShell.Status status(ServerState state, long established, boolean synchronizing) {
        return new PeerShell.Status(state, 1, established, 2, 1, 3, 3, null, -1, synchronizing);
    }
}
