package io.paddock.core.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.Notification;
import io.paddock.core.election.QuorumVerifier;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.core.wire.quorum.LearnerInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves how one peer composes the election and the roles: the first tick starts round 1 with its
 * own vote; each vote change is recorded with its reason and the server that caused it; a decision
 * swaps in the role handler (and records the tally and, in the seed's style, why the winner won); a role that gives up closes its connections
 * and starts a newer round; a quorum packet reaching a LOOKING server costs that connection; once
 * established, the election answers LOOKING servers with the established epoch. A LOOKING server
 * observes each vote it receives; a server joining an existing leader records the answers it
 * joined on as its tally.
 */
class QuorumPeerCoreTest {
    private static final QuorumVerifier THREE = new QuorumVerifier(Set.of(1L, 2L, 3L));
    /** No finalize wait: a quorum decides at once, which keeps the scripts short. */
    private static final ElectionTimings IMMEDIATE = new ElectionTimings(0, 4, 16);
    private static final ZabTimings ZAB = new ZabTimings(10, 5, 2);

    private static QuorumPeerCore peer(long sid, long zxid) {
        return new QuorumPeerCore(new PeerConfig(sid, THREE, Set.of(), IMMEDIATE, ZAB), 0, 0, zxid);
    }

    private static Notification looking(long leader, long zxid, long round) {
        return new Notification(new Vote(leader, zxid, 0), round, ServerState.LOOKING);
    }

    @Test
    void theFirstTickStartsRoundOneWithItsOwnVote() {
        List<PeerEffect> out = peer(2, 5).step(new PeerEvent.Tick(1));
        Vote own = new Vote(2, 5, 0);
        assertEquals(new PeerEffect.VoteChanged(1, own, own, PeerEffect.VoteReason.OWN_VOTE, -1), out.get(0));
        Notification mine = new Notification(own, 1, ServerState.LOOKING);
        assertEquals(List.of(new PeerEffect.SendElection(1, mine), new PeerEffect.SendElection(3, mine)), out.subList(1, 3));
    }

    @Test
    void voteChangesCarryTheirReasonAndCause() {
        QuorumPeerCore p = new QuorumPeerCore(new PeerConfig(1, new QuorumVerifier(Set.of(1L, 2L, 3L, 4L, 5L)),
                Set.of(), IMMEDIATE, ZAB), 0, 0, 5);
        p.step(new PeerEvent.Tick(1));
        List<PeerEffect> out = p.step(new PeerEvent.ElectionReceived(2, looking(2, 5, 1)));
        assertEquals(new PeerEffect.VoteReceived(2, looking(2, 5, 1)), out.get(0), "the vote received comes first");
        assertEquals(new PeerEffect.VoteChanged(1, new Vote(1, 5, 0), new Vote(2, 5, 0),
                PeerEffect.VoteReason.SAME_ZXID_HIGHER_ID, 2), out.get(1));
        out = p.step(new PeerEvent.ElectionReceived(3, looking(3, 6, 1)));
        assertEquals(PeerEffect.VoteReason.HIGHER_ZXID, ((PeerEffect.VoteChanged) out.get(1)).reason());
    }

    @Test
    void aDecisionSwapsInTheLeaderRoleAndRecordsTheTally() {
        QuorumPeerCore p = peer(3, 0);
        p.step(new PeerEvent.Tick(1));
        List<PeerEffect> out = p.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 1)));
        assertEquals(ServerState.LEADING, p.state());
        assertInstanceOf(LeaderRole.class, p.role());
        PeerEffect.ElectionDecided decided = (PeerEffect.ElectionDecided) out.stream()
                .filter(e -> e instanceof PeerEffect.ElectionDecided).findFirst().orElseThrow();
        assertEquals(Set.of(2L, 3L), decided.votes().keySet());
        assertEquals("(3,0) (3,0) -> server 3, every first vote", decided.seedStyle()); // 2 already voted 3
        assertTrue(out.contains(new PeerEffect.RoleChanged(ServerState.LOOKING, ServerState.LEADING,
                "elected server 3 in round 1")), out.toString());
    }

    @Test
    void aServerThatJoinsAnExistingLeaderRecordsTheAnswersItJoinedOn() {
        QuorumPeerCore p = peer(3, 0);
        p.step(new PeerEvent.Tick(1)); // round 1, while the others decided in round 3
        Vote leader = new Vote(2, 0, 1);
        p.step(new PeerEvent.ElectionReceived(1, new Notification(leader, 3, ServerState.FOLLOWING)));
        List<PeerEffect> out = p.step(new PeerEvent.ElectionReceived(2, new Notification(leader, 3, ServerState.LEADING)));
        PeerEffect.ElectionDecided decided = (PeerEffect.ElectionDecided) out.stream()
                .filter(e -> e instanceof PeerEffect.ElectionDecided).findFirst().orElseThrow();
        assertEquals(3, decided.round());
        assertEquals(Map.of(1L, leader, 2L, leader), decided.votes(), "the answers it joined on, not its own round's tally");
        assertEquals("(3,0) -> server 2, joined: a quorum already follows it", decided.seedStyle());
    }

    /** Server 1, server 3's election port refused, decides for server 2 on 2's vote alone. */
    private static QuorumPeerCore oneFollowsTwoWithoutWaitingForThree() {
        return decidesForTwoWithoutWaitingForThree(1, ServerState.FOLLOWING);
    }

    /** Server {@code sid} (1 or 2), server 3's election port refused, decides for server 2 on the other's vote. */
    private static QuorumPeerCore decidesForTwoWithoutWaitingForThree(long sid, ServerState expected) {
        QuorumPeerCore p = peer(sid, 0);
        p.step(new PeerEvent.Tick(1));
        p.step(new PeerEvent.ElectionUnreachable(3));
        p.step(new PeerEvent.ElectionReceived(3 - sid, looking(2, 0, 1)));
        assertEquals(expected, p.state(), "decided without the finalize wait");
        return p;
    }

    /**
     * Server 1 decided for server 2 without waiting, server 3 not being up yet; server 2 then
     * votes for server 3. Server 1, still connecting to 2, gives up at once (it used to retry
     * until initLimit, 20 s with ZooKeeper's defaults) and its new round joins server 3. A vote
     * of server 2 for itself, or one from an older round, changes nothing.
     */
    @Test
    void aLearnerStillConnectingGivesUpOnceItsLeaderVotesForAnother() {
        QuorumPeerCore p = oneFollowsTwoWithoutWaitingForThree();
        LearnerRole learner = (LearnerRole) p.role();
        assertEquals(2, learner.leaderSid());
        p.step(new PeerEvent.ElectionReceived(2, looking(2, 0, 1)));
        assertEquals(learner, p.role(), "its leader's own vote keeps it connecting");
        p.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 0)));
        assertEquals(learner, p.role(), "a vote of an older round says nothing about this one");
        List<PeerEffect> out = p.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 1)));
        assertEquals(ServerState.LOOKING, p.state());
        assertTrue(out.contains(new PeerEffect.DropPeer(2, "leaving FOLLOWING")), out.toString());
        assertTrue(out.contains(new PeerEffect.RoleChanged(ServerState.FOLLOWING, ServerState.LOOKING,
                "server 2 votes for server 3 (LOOKING in round 1): it will not lead")), out.toString());
        p.step(new PeerEvent.ElectionReceived(3, new Notification(new Vote(3, 0, 1), 1, ServerState.LEADING)));
        p.step(new PeerEvent.ElectionReceived(2, new Notification(new Vote(3, 0, 1), 1, ServerState.FOLLOWING)));
        assertEquals(ServerState.FOLLOWING, p.state());
        assertEquals(3, ((LearnerRole) p.role()).leaderSid(), "the next round joins the real leader");
    }

    @Test
    void aLearnerPastLeaderInfoKeepsItsLeaderWhateverItsOldVotesSay() {
        QuorumPeerCore p = oneFollowsTwoWithoutWaitingForThree();
        p.step(new PeerEvent.QuorumReceived(2, LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION)));
        assertEquals(LearnerRole.Phase.PERSISTING, ((LearnerRole) p.role()).phase());
        p.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 1)));
        assertEquals(ServerState.FOLLOWING, p.state(), "a leader that sent LEADERINFO leads");
    }

    /**
     * The leader's side: server 2 decided to lead on server 1's vote alone (server 3's election
     * port refused); then server 1 and server 3 vote for server 3, a better vote. No quorum can
     * follow server 2 this round, so it gives up at once instead of waiting initLimit for
     * followers. One better vote, while a quorum may still follow, changes nothing; nor does a
     * vote for itself or a worse one.
     */
    @Test
    void aLeaderNotYetEstablishedGivesUpOnceNoQuorumCanFollowIt() {
        QuorumPeerCore p = decidesForTwoWithoutWaitingForThree(2, ServerState.LEADING);
        Role leader = p.role();
        p.step(new PeerEvent.ElectionReceived(1, looking(2, 0, 1)));
        p.step(new PeerEvent.ElectionReceived(1, looking(1, 0, 1)));
        assertEquals(leader, p.role(), "a vote for it, or a worse one, keeps it leading");
        p.step(new PeerEvent.ElectionReceived(3, looking(3, 0, 1)));
        assertEquals(leader, p.role(), "servers 1 and 2 are still a quorum");
        List<PeerEffect> out = p.step(new PeerEvent.ElectionReceived(1, looking(3, 0, 1)));
        assertEquals(ServerState.LOOKING, p.state());
        assertTrue(out.contains(new PeerEffect.RoleChanged(ServerState.LEADING, ServerState.LOOKING,
                "servers [1, 3] vote for better servers (server 3 from server 1): no quorum can follow this one")),
                out.toString());
    }

    @Test
    void aLookingServerObservesEveryVoteItReceivesAndNoneOnceDecided() {
        QuorumPeerCore p = peer(3, 0);
        p.step(new PeerEvent.Tick(1));
        List<PeerEffect> out = p.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 1)));
        assertEquals(new PeerEffect.VoteReceived(2, looking(3, 0, 1)), out.get(0));
        assertEquals(ServerState.LEADING, p.state());
        out = p.step(new PeerEvent.ElectionReceived(1, looking(1, 0, 1)));
        assertTrue(out.stream().noneMatch(e -> e instanceof PeerEffect.VoteReceived), out.toString());
        assertEquals(1, p.nowTick());
    }

    @Test
    void theRecordSaysWhyTheWinnerWon() {
        Vote one = new Vote(1, 7, 0);
        Vote two = new Vote(2, 9, 0);
        Vote three = new Vote(3, 9, 0);
        assertEquals("(1,7) (2,9) (3,9) -> server 3, zxid equal, highest id", new PeerEffect.ElectionDecided(1,
                ServerState.FOLLOWING, three, Map.of(), Map.of(1L, one, 2L, two, 3L, three)).seedStyle());
        assertEquals("(1,7) (2,9) -> server 2, highest zxid", new PeerEffect.ElectionDecided(1,
                ServerState.FOLLOWING, two, Map.of(), Map.of(1L, one, 2L, two)).seedStyle());
        Vote oldLeader = new Vote(1, 7, 3);
        assertEquals("(1,3:7) (2,0:9) -> server 1, higher epoch", new PeerEffect.ElectionDecided(1,
                ServerState.LEADING, oldLeader, Map.of(), Map.of(1L, oldLeader, 2L, two)).seedStyle());
        Vote lateThree = new Vote(3, 0, 0);
        assertEquals("(1,0) (2,0) (3,0) -> server 2, decided by a quorum before server 3's better vote counted",
                new PeerEffect.ElectionDecided(1, ServerState.FOLLOWING, new Vote(2, 0, 0), Map.of(),
                        Map.of(1L, new Vote(1, 0, 0), 2L, new Vote(2, 0, 0), 3L, lateThree)).seedStyle(),
                "server 3 started late: 1 and 2 had agreed on 2, and 3 followed");
    }

    @Test
    void aRoleThatGivesUpClosesItsConnectionAndStartsANewerRound() {
        QuorumPeerCore p = peer(2, 0);
        p.step(new PeerEvent.Tick(1));
        p.step(new PeerEvent.ElectionReceived(3, looking(3, 0, 1)));
        p.step(new PeerEvent.ElectionReceived(1, looking(3, 0, 1)));
        assertEquals(ServerState.FOLLOWING, p.state());
        List<PeerEffect> out = List.of();
        for (long t = 2; p.state() == ServerState.FOLLOWING && t < 100; t++) {
            out = p.step(new PeerEvent.Tick(t)); // the leader never answers: initLimit passes
        }
        assertEquals(ServerState.LOOKING, p.state());
        assertNull(p.role());
        assertEquals(2, p.electionRound());
        assertTrue(out.contains(new PeerEffect.DropPeer(3, "leaving FOLLOWING")), out.toString());
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.RoleChanged r && r.to() == ServerState.LOOKING));
    }

    /**
     * A learner whose syncs keep failing after its leader answered (a SNAP it cannot take, say)
     * waits before each next try: learnerRetryTicks, doubling, at most half of initLimit; it used
     * to try again at once, every few milliseconds, each try costing the leader a whole snapshot.
     * The first try after an election, and any after a good sync, go at once.
     */
    @Test
    void aLearnerWhoseSyncsKeepFailingWaitsLongerBeforeEachTry() {
        QuorumPeerCore p = peer(2, 0);
        long[] tick = {1};
        p.step(new PeerEvent.Tick(tick[0]));
        List<Long> waited = new java.util.ArrayList<>();
        for (long round = 1; round <= 4; round++) {
            List<PeerEffect> out = new java.util.ArrayList<>(p.step(new PeerEvent.ElectionReceived(3, looking(3, 0, round))));
            out.addAll(p.step(new PeerEvent.ElectionReceived(1, looking(3, 0, round))));
            assertEquals(ServerState.FOLLOWING, p.state(), "round " + round);
            long decidedAt = tick[0];
            while (!sendsFollowerInfo(out)) {
                assertTrue(tick[0] < decidedAt + 50, "no FOLLOWERINFO within 50 ticks in round " + round);
                out = p.step(new PeerEvent.Tick(++tick[0]));
            }
            waited.add(tick[0] - decidedAt);
            p.step(new PeerEvent.QuorumReceived(3, LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION)));
            p.step(new PeerEvent.PeerDown(3)); // the sync fails after the leader answered
            assertEquals(ServerState.LOOKING, p.state());
        }
        assertEquals(List.of(0L, 2L, 4L, 5L), waited, "learnerRetryTicks 2, doubling, at most initLimit 10 / 2");
    }

    private static boolean sendsFollowerInfo(List<PeerEffect> out) {
        return out.stream().anyMatch(e -> e instanceof PeerEffect.SendQuorum q && q.toSid() == 3
                && q.packet().type() == QuorumPacketType.FOLLOWERINFO);
    }

    /**
     * A learner that decided before this server did: its FOLLOWERINFO waits for this server's
     * decision instead of costing its connection (and the learner a retry, learnerRetryTicks
     * later). Leading, this server takes it at once (with its own info, a quorum of three: it picks
     * the epoch); following another, it drops that connection. Any other quorum packet to a
     * LOOKING server still costs its connection.
     */
    @Test
    void aLearnerInfoToALookingServerWaitsForItsDecision() {
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0));
        QuorumPeerCore leads = peer(3, 0);
        leads.step(new PeerEvent.Tick(1));
        assertEquals(List.of(), leads.step(new PeerEvent.QuorumReceived(2, info)), "kept while LOOKING");
        List<PeerEffect> out = leads.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 1)));
        assertEquals(ServerState.LEADING, leads.state());
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.PersistEpochs), "the waiting info counted: "
                + out);
        assertEquals(LeaderRole.Phase.PERSISTING_ACCEPTED, ((LeaderRole) leads.role()).phase());

        QuorumPeerCore follows = peer(1, 0);
        follows.step(new PeerEvent.Tick(1));
        assertEquals(List.of(), follows.step(new PeerEvent.QuorumReceived(2, info)));
        out = follows.step(new PeerEvent.ElectionReceived(3, looking(3, 0, 1)));
        out.addAll(follows.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 1))));
        assertEquals(ServerState.FOLLOWING, follows.state());
        assertTrue(out.contains(new PeerEffect.DropPeer(2, "not leading: following 3")), out.toString());

        QuorumPeerCore looking = peer(1, 0);
        looking.step(new PeerEvent.Tick(1));
        assertEquals(List.of(), looking.step(new PeerEvent.QuorumReceived(2, info)));
        looking.step(new PeerEvent.PeerDown(2));
        out = looking.step(new PeerEvent.ElectionReceived(2, looking(1, 0, 1)));
        assertEquals(ServerState.LEADING, looking.state());
        assertTrue(out.stream().noneMatch(e -> e instanceof PeerEffect.PersistEpochs),
                "an info whose connection went down is forgotten: " + out);
        assertEquals(List.of(new PeerEffect.DropPeer(3, "not leading: LOOKING")), peerLooking()
                .step(new PeerEvent.QuorumReceived(3, new QuorumPacket(QuorumPacketType.PING, 0))));
    }

    private static QuorumPeerCore peerLooking() {
        QuorumPeerCore p = peer(1, 0);
        p.step(new PeerEvent.Tick(1));
        return p;
    }

    @Test
    void anEstablishedLeaderAnnouncesItsEpochToLookingServers() {
        QuorumPeerCore p = peer(3, 0);
        p.step(new PeerEvent.Tick(1));
        p.step(new PeerEvent.ElectionReceived(2, looking(3, 0, 1)));
        p.step(new PeerEvent.QuorumReceived(2,
                LearnerHandshake.followerInfo(0, new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0))));
        p.step(new PeerEvent.EpochsPersisted(1, 0));
        p.step(new PeerEvent.QuorumReceived(2, LearnerHandshake.ackEpoch(0, 0)));
        List<PeerEffect> out = p.step(new PeerEvent.EpochsPersisted(1, 1));
        assertTrue(out.contains(new PeerEffect.SendQuorum(2, new QuorumPacket(QuorumPacketType.NEWLEADER, 1L << 32))),
                out.toString());
        out = p.step(new PeerEvent.QuorumReceived(2, new QuorumPacket(QuorumPacketType.ACK, 1L << 32)));
        assertTrue(out.contains(new PeerEffect.Established(1, Set.of(2L, 3L))), out.toString());
        out = p.step(new PeerEvent.ElectionReceived(1, looking(1, 0, 1)));
        assertEquals(List.of(new PeerEffect.SendElection(1,
                new Notification(new Vote(3, 0, 1), 1, ServerState.LEADING))), out);
    }

    /**
     * A leader's snapshot that decodes but cannot be installed (here a session twice; a node under
     * an ephemeral or of a kind at odds with its owner alike) costs the learner its sync, not its
     * state or the process: it gives up before dropping anything, and looks again.
     */
    @Test
    void aLearnerGivesUpOnASnapshotItCannotInstallBeforeTouchingItsState() {
        QuorumPeerCore p = followerSyncing(1);
        byte[] passwd = io.paddock.core.wire.quorum.ZabTxnCodec.zooKeeperPassword(7);
        io.paddock.core.storage.SnapshotData twice = new io.paddock.core.storage.SnapshotData("bad",
                new io.paddock.core.storage.SnapshotHeader(io.paddock.core.storage.SnapshotFormat.VERSION, 1L << 32, 0),
                List.of(new io.paddock.core.storage.SnapshotSession(7, 4000, passwd),
                        new io.paddock.core.storage.SnapshotSession(7, 4000, passwd)),
                List.of(new io.paddock.core.storage.SnapshotNode("/", new byte[0], io.paddock.core.wire.Acl.OPEN,
                        io.paddock.core.tree.NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        io.paddock.core.storage.SnapshotEncoder encoder = new io.paddock.core.storage.SnapshotEncoder(twice.asSource());
        io.paddock.core.wire.JuteWriter bytes = new io.paddock.core.wire.JuteWriter(256);
        while (!encoder.writeNext(bytes, 8)) {
            // bounded frames
        }
        List<PeerEffect> out = p.step(new PeerEvent.QuorumReceived(3,
                new QuorumPacket(QuorumPacketType.SNAP, 1L << 32, bytes.toByteArray(), null)));
        assertEquals(ServerState.LOOKING, p.state(), out.toString());
        assertTrue(out.stream().noneMatch(e -> e instanceof PeerEffect.InstallSnapshot), out.toString());
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.RoleChanged r
                && r.reason().contains("cannot be installed: session 0x7 twice")), out.toString());

        // The same snapshot as a server's shell hands it over: read from the stream as it arrived.
        QuorumPeerCore streamed = followerSyncing(1);
        out = streamed.step(new PeerEvent.SnapshotReceived(3, 1L << 32, twice));
        assertEquals(ServerState.LOOKING, streamed.state(), out.toString());
        assertTrue(out.stream().noneMatch(e -> e instanceof PeerEffect.InstallSnapshot), out.toString());
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.RoleChanged r
                && r.reason().contains("cannot be installed: session 0x7 twice")), out.toString());
    }

    /** A snapshot read from the leader's stream is installed as a SNAP's is; one from another server is not. */
    @Test
    void aStreamedSnapshotFromTheLeaderIsInstalledAndOneFromAnotherServerDropsIt() {
        long snapZxid = 1L << 32 | 5;
        io.paddock.core.storage.SnapshotData root = new io.paddock.core.storage.SnapshotData("snap",
                new io.paddock.core.storage.SnapshotHeader(io.paddock.core.storage.SnapshotFormat.VERSION, snapZxid, 0),
                List.of(), List.of(new io.paddock.core.storage.SnapshotNode("/", new byte[0], io.paddock.core.wire.Acl.OPEN,
                        io.paddock.core.tree.NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        QuorumPeerCore p = followerSyncing(1);
        List<PeerEffect> out = p.step(new PeerEvent.SnapshotReceived(2, snapZxid, root));
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.DropPeer d && d.sid() == 2), out.toString());
        assertTrue(out.stream().noneMatch(e -> e instanceof PeerEffect.InstallSnapshot), out.toString());
        out = p.step(new PeerEvent.SnapshotReceived(3, snapZxid, root));
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.InstallSnapshot i && i.zxid() == snapZxid),
                out.toString());
        assertEquals(ServerState.FOLLOWING, p.state());
        out = p.step(new PeerEvent.SnapshotReceived(3, snapZxid, root));
        assertEquals(ServerState.LOOKING, p.state(), "a second sync mode in one sync: " + out);
    }

    /**
     * What a learner logs while syncing (before NEWLEADER) is applied as a replay, whatever the sync
     * mode: after a SNAP it may be in the snapshot already, and after a sync cut short following a
     * SNAP the next sync (by DIFF) sends the rest of what the snapshot may hold. A transaction up to
     * the SNAP's zxid is skipped (the snapshot holds it), with no give-up.
     */
    @Test
    void whatALearnerLogsWhileSyncingIsAReplayAndWhatTheSnapHoldsIsSkipped() throws Exception {
        QuorumPeerCore p = followerSyncing(1);
        p.step(new PeerEvent.QuorumReceived(3, new QuorumPacket(QuorumPacketType.DIFF, 0)));
        List<PeerEffect> out = p.step(new PeerEvent.QuorumReceived(3, proposal(1L << 32 | 1)));
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.LogTxn l && l.replay()), out.toString());

        QuorumPeerCore q = followerSyncing(1);
        long snapZxid = 1L << 32 | 5;
        io.paddock.core.storage.SnapshotData root = new io.paddock.core.storage.SnapshotData("snap",
                new io.paddock.core.storage.SnapshotHeader(io.paddock.core.storage.SnapshotFormat.VERSION, snapZxid, 0),
                List.of(), List.of(new io.paddock.core.storage.SnapshotNode("/", new byte[0], io.paddock.core.wire.Acl.OPEN,
                        io.paddock.core.tree.NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        io.paddock.core.storage.SnapshotEncoder encoder = new io.paddock.core.storage.SnapshotEncoder(root.asSource());
        io.paddock.core.wire.JuteWriter bytes = new io.paddock.core.wire.JuteWriter(256);
        while (!encoder.writeNext(bytes, 8)) {
            // bounded frames
        }
        out = q.step(new PeerEvent.QuorumReceived(3, new QuorumPacket(QuorumPacketType.SNAP, snapZxid, bytes.toByteArray(), null)));
        assertTrue(out.stream().anyMatch(e -> e instanceof PeerEffect.InstallSnapshot), out.toString());
        out = q.step(new PeerEvent.QuorumReceived(3, proposal(1L << 32 | 4)));
        assertEquals(ServerState.FOLLOWING, q.state(), "a proposal the snapshot holds is skipped: " + out);
        assertTrue(out.stream().noneMatch(e -> e instanceof PeerEffect.LogTxn), out.toString());
    }

    private static QuorumPacket proposal(long zxid) {
        io.paddock.core.request.TxnEnvelope env = new io.paddock.core.request.TxnEnvelope(zxid, 0, 1, 0,
                new io.paddock.core.request.Txn.SetData("/", new byte[] {1}, 1));
        return new QuorumPacket(QuorumPacketType.PROPOSAL, zxid, io.paddock.core.wire.quorum.ZabTxnCodec.encode(env), null);
    }

    /**
     * A learner reading a snapshot its leader streams hears from it meanwhile (the shell's
     * Streaming events), so a snapshot that takes longer than initLimit to arrive does not cost
     * the sync, as ZooKeeper's per-read timeout does not; without them it gives up after initLimit.
     */
    @Test
    void aLearnerReadingAStreamedSnapshotHearsFromItsLeader() {
        for (boolean streaming : new boolean[] {true, false}) {
            long tick = 1;
            QuorumPeerCore p = followerSyncing(tick);
            for (int i = 0; i < 3 * ZAB.initLimitTicks() && p.state() == ServerState.FOLLOWING; i++) {
                p.step(new PeerEvent.Tick(++tick));
                if (streaming) {
                    p.step(new PeerEvent.Streaming(3));
                    p.step(new PeerEvent.Streaming(1)); // not its leader: no matter
                }
            }
            assertEquals(streaming ? ServerState.FOLLOWING : ServerState.LOOKING, p.state(), "streaming " + streaming);
        }
    }

    /**
     * Server 2 following server 3 (elected at {@code tick} with server 1's vote), past LEADERINFO
     * and its ACKEPOCH: waiting for the sync mode.
     */
    private static QuorumPeerCore followerSyncing(long tick) {
        QuorumPeerCore p = peer(2, 0);
        p.step(new PeerEvent.Tick(tick));
        p.step(new PeerEvent.ElectionReceived(3, looking(3, 0, 1)));
        p.step(new PeerEvent.ElectionReceived(1, looking(3, 0, 1)));
        assertEquals(ServerState.FOLLOWING, p.state());
        p.step(new PeerEvent.QuorumReceived(3, LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION)));
        p.step(new PeerEvent.EpochsPersisted(1, 0));
        return p;
    }
}
