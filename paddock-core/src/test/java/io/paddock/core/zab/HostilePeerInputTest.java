package io.paddock.core.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.Notification;
import io.paddock.core.election.QuorumVerifier;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a peer server sends is untrusted: a single message a ZooKeeper server would never send must
 * not stop this one (an exception out of {@link QuorumPeerCore#step} ends the process), nor make a
 * learner apply what its leader did not commit. Found by a review of the peer inputs; each case
 * threw, or was taken, before.
 */
class HostilePeerInputTest {
    private static final QuorumVerifier THREE = new QuorumVerifier(Set.of(1L, 2L, 3L));
    private static final ElectionTimings IMMEDIATE = new ElectionTimings(0, 4, 16);
    private static final ElectionTimings WAITING = new ElectionTimings(4, 4, 16);
    private static final ZabTimings ZAB = new ZabTimings(10, 5, 2);

    /** A vote for a server that is not a voter (unknown, or an observer) counts for nothing, as in ZooKeeper (validVoter). */
    @Test
    void aVoteForAServerThatCannotLeadIsIgnored() {
        QuorumPeerCore unknown = new QuorumPeerCore(new PeerConfig(1, THREE, Set.of(), IMMEDIATE, ZAB), 0, 0, 0);
        unknown.step(new PeerEvent.Tick(1));
        unknown.step(new PeerEvent.ElectionReceived(3, new Notification(new Vote(99, 0, 5), 1, ServerState.LOOKING)));
        assertEquals(ServerState.LOOKING, unknown.state(), "decided on a vote for server 99");
        assertEquals(1, unknown.currentVote().leaderSid(), "adopted a vote for server 99");

        QuorumPeerCore withObserver = new QuorumPeerCore(new PeerConfig(1, THREE, Set.of(4L), WAITING, ZAB), 0, 0, 0);
        withObserver.step(new PeerEvent.Tick(1));
        withObserver.step(new PeerEvent.ElectionReceived(3,
                new Notification(new Vote(4, 0x100, 1), 1, ServerState.LOOKING)));
        withObserver.step(new PeerEvent.ElectionReceived(2,
                new Notification(new Vote(4, 0x100, 1), 1, ServerState.FOLLOWING)));
        for (int t = 2; t < 10; t++) {
            withObserver.step(new PeerEvent.Tick(t));
        }
        assertTrue(withObserver.currentVote().leaderSid() != 4, "adopted a vote for observer 4");
        assertTrue(withObserver.state() == ServerState.LOOKING || withObserver.state() == ServerState.LEADING,
                "state " + withObserver.state());
    }

    /**
     * A vote whose epoch is above any server's (the peer's word) decides a leader that then
     * establishes a lower epoch: the leader settles on the established one instead of stopping.
     */
    @Test
    void aVoteWithAnEpochAboveTheEstablishedOneDoesNotStopTheLeader() {
        QuorumPeerCore p = new QuorumPeerCore(new PeerConfig(2, THREE, Set.of(), IMMEDIATE, ZAB), 0, 0, 0);
        p.step(new PeerEvent.Tick(1));
        p.step(new PeerEvent.ElectionReceived(3, new Notification(new Vote(2, 0, 1000), 1, ServerState.LOOKING)));
        assertEquals(ServerState.LEADING, p.state());
        p.step(new PeerEvent.QuorumReceived(3, LearnerHandshake.followerInfo(0,
                new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0))));
        p.step(new PeerEvent.EpochsPersisted(1, 0));
        p.step(new PeerEvent.QuorumReceived(3, LearnerHandshake.ackEpoch(0, 0)));
        p.step(new PeerEvent.EpochsPersisted(1, 1));
        p.step(new PeerEvent.QuorumReceived(3, new QuorumPacket(QuorumPacketType.ACK, LearnerHandshake.epochZxid(1))));
        assertEquals(ServerState.LEADING, p.state());
        assertEquals(new Vote(2, 0, 1), p.currentVote(), "the vote announced once established");
    }

    /**
     * A DIFF whose committed point lies beyond the history the sync sent: acknowledged, every later
     * proposal up to that point would be applied as committed when logged. The learner gives up at
     * NEWLEADER instead, before acknowledging anything.
     */
    @Test
    void aSyncWhoseCommittedPointIsBeyondItsHistoryIsRefused() {
        ScriptHost host = new ScriptHost(0x1_0000_0001L);
        Epochs epochs = new Epochs(1, 1);
        FollowerRole f = new FollowerRole(new PeerConfig(1, THREE, Set.of(), IMMEDIATE, ZAB), epochs, host, 2, 0,
                new ArrayList<>());
        ackEpochTwoAndDiff(f, host, epochs, 0x2_0000_00ffL);
        assertNull(f.exitReason());
        List<PeerEffect> atNewLeader = step(f, host,
                new PeerEvent.QuorumReceived(2, new QuorumPacket(QuorumPacketType.NEWLEADER, LearnerHandshake.epochZxid(2))));
        assertNotNull(f.exitReason(), "acknowledged a sync that calls 0x2000000ff committed with history to 0x100000001");
        assertTrue(atNewLeader.stream().noneMatch(e -> e instanceof PeerEffect.SendQuorum s
                && s.packet().type() == QuorumPacketType.ACK), "acknowledged NEWLEADER: " + atNewLeader);
    }

    /**
     * A COMMIT of a zxid this follower logged no proposal for (between its transactions) would
     * apply everything logged up to it: the follower gives up instead, as ZooKeeper's stops on an
     * unmatched commit. The COMMIT of a proposal it logged is applied as usual.
     */
    @Test
    void aCommitOfAZxidNeverProposedIsRefused() {
        ScriptHost host = new ScriptHost(0x1_0000_0001L);
        Epochs epochs = new Epochs(1, 1);
        FollowerRole f = new FollowerRole(new PeerConfig(1, THREE, Set.of(), IMMEDIATE, ZAB), epochs, host, 2, 0,
                new ArrayList<>());
        syncInEpochTwo(f, host, epochs);

        long proposed = 0x2_0000_0002L;
        step(f, host, new PeerEvent.QuorumReceived(2, new QuorumPacket(QuorumPacketType.PROPOSAL, proposed,
                ProposalCodec.encode(ScriptHost.txn(proposed)), null)));
        List<PeerEffect> gap = step(f, host, new PeerEvent.QuorumReceived(2,
                new QuorumPacket(QuorumPacketType.COMMIT, 0x2_0000_0001L)));
        assertTrue(gap.stream().noneMatch(e -> e instanceof PeerEffect.Commit), "applied up to a gap: " + gap);
        assertNotNull(f.exitReason(), "took a COMMIT of a zxid it logged no proposal for");
    }

    /**
     * Once synced, an observer gets INFORM; a PROPOSAL or COMMIT is ignored, as ZooKeeper's Observer
     * does, and the INFORM of the same zxid is then applied as usual.
     */
    @Test
    void aSyncedObserverIgnoresProposalsAndCommits() {
        ScriptHost host = new ScriptHost(0x1_0000_0001L);
        Epochs epochs = new Epochs(1, 1);
        ObserverRole o = new ObserverRole(new PeerConfig(4, THREE, Set.of(4L), IMMEDIATE, ZAB), epochs, host, 2, 0,
                new ArrayList<>());
        syncInEpochTwo(o, host, epochs);

        long z = 0x2_0000_0001L;
        byte[] data = ProposalCodec.encode(ScriptHost.txn(z));
        List<PeerEffect> proposal = step(o, host, new PeerEvent.QuorumReceived(2,
                new QuorumPacket(QuorumPacketType.PROPOSAL, z, data, null)));
        List<PeerEffect> commit = step(o, host, new PeerEvent.QuorumReceived(2, new QuorumPacket(QuorumPacketType.COMMIT, z)));
        assertTrue(proposal.isEmpty() && commit.isEmpty(), "took " + proposal + " and " + commit);
        assertEquals(0x1_0000_0001L, host.lastLoggedZxid(), "logged a PROPOSAL");
        List<PeerEffect> inform = step(o, host, new PeerEvent.QuorumReceived(2,
                new QuorumPacket(QuorumPacketType.INFORM, z, data, null)));
        assertTrue(inform.contains(new PeerEffect.Commit(z)), "the INFORM after them: " + inform);
    }

    /**
     * The last epoch a leader may choose (the largest an ACKEPOCH carries) is one a learner may
     * report having accepted when it joins that leader; one above it is refused.
     */
    @Test
    void aLearnerThatAcceptedTheLastEpochCanJoinItsLeader() {
        List<PeerEffect> out = new ArrayList<>();
        LeaderRole l = new LeaderRole(new PeerConfig(1, THREE, Set.of(), IMMEDIATE, ZAB),
                new Epochs(0x7ffffffeL, 0x7ffffffeL), ZabHost.empty(0), 0, 0, out);
        l.step(new PeerEvent.QuorumReceived(2, LearnerHandshake.followerInfo(0x7ffffffeL,
                new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0))), out);
        assertEquals(0x7fffffffL, l.newEpoch());
        out.clear();
        l.step(new PeerEvent.QuorumReceived(3, LearnerHandshake.followerInfo(0x7fffffffL,
                new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0))), out);
        assertTrue(out.stream().noneMatch(e -> e instanceof PeerEffect.DropPeer), "refused: " + out);
        assertNull(l.exitReason());

        LeaderRole other = new LeaderRole(new PeerConfig(1, THREE, Set.of(), IMMEDIATE, ZAB),
                new Epochs(5, 5), ZabHost.empty(0), 0, 0, out);
        out.clear();
        other.step(new PeerEvent.QuorumReceived(3, LearnerHandshake.followerInfo(0x8000_0000L,
                new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0))), out);
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.DropPeer), "took an epoch no ACKEPOCH carries: " + out);
    }

    /** Leader 2's LEADERINFO of epoch 2, acknowledged once durable, then a DIFF naming {@code committed}. */
    private static void ackEpochTwoAndDiff(LearnerRole r, ScriptHost host, Epochs epochs, long committed) {
        step(r, host, new PeerEvent.QuorumReceived(2, LearnerHandshake.leaderInfo(2, LearnerInfo.PROTOCOL_VERSION)));
        epochs.persisted(2, 1);
        step(r, host, new PeerEvent.EpochsPersisted(2, 1));
        step(r, host, new PeerEvent.QuorumReceived(2, new QuorumPacket(QuorumPacketType.DIFF, committed)));
    }

    /** A learner at 0x100000001 synced by leader 2 in epoch 2 with an empty DIFF, up to UPTODATE. */
    private static void syncInEpochTwo(LearnerRole r, ScriptHost host, Epochs epochs) {
        ackEpochTwoAndDiff(r, host, epochs, 0x1_0000_0001L);
        step(r, host, new PeerEvent.QuorumReceived(2, new QuorumPacket(QuorumPacketType.NEWLEADER, LearnerHandshake.epochZxid(2))));
        epochs.persisted(2, 2);
        step(r, host, new PeerEvent.EpochsPersisted(2, 2));
        step(r, host, new PeerEvent.QuorumReceived(2, new QuorumPacket(QuorumPacketType.UPTODATE, -1)));
        assertEquals(LearnerRole.Phase.SYNCED, r.phase());
    }

    private static List<PeerEffect> step(Role r, ScriptHost host, PeerEvent e) {
        List<PeerEffect> out = new ArrayList<>();
        r.step(e, out);
        host.carryOut(out);
        return out;
    }
}
