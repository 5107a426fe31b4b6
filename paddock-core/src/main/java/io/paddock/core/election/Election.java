package io.paddock.core.election;

import io.paddock.core.election.ElectionInput.Received;
import io.paddock.core.election.ElectionInput.Start;
import io.paddock.core.election.ElectionInput.Tick;
import io.paddock.core.election.ElectionInput.Unreachable;
import io.paddock.core.election.ElectionOutput.Decided;
import io.paddock.core.election.ElectionOutput.Send;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Fast Leader Election for one server, as a pure state machine: inputs in, sends and a decision
 * out, no threads or clocks (time is the ticks it is given). The rules follow ZooKeeper's FLE:
 * vote for yourself, adopt better votes of the same round, jump to newer rounds, ignore (but
 * answer) older ones, decide after a short finalize wait once a quorum agrees, and join an
 * existing leader when a quorum of FOLLOWING/LEADING servers reports it. After deciding it answers
 * LOOKING peers with the leader it follows or is. Deciding here is only a proposal: the leader
 * still has to gather a quorum of followers (Zab discovery) before it really leads.
 *
 * <p>A sender that is not a voter (an observer) gets our current notification back whatever our
 * state, as ZooKeeper's {@code WorkerReceiver} answers it; its own vote is never counted. An
 * observer runs this same election ({@link #forObserver}): it never proposes or adopts votes, and
 * decides OBSERVING only from a quorum of FOLLOWING/LEADING answers that the leader confirms.
 */
public final class Election {
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final long sid;
    private final QuorumVerifier quorum;
    private final Vote initialVote;
    private final ElectionTimings timings;
    private final boolean observer;

    private boolean started;
    private ServerState state = ServerState.LOOKING;
    private long round;
    private Vote proposal;
    private long nowTick;
    private long finalizeAtTick = NO_DEADLINE;
    private long resendAtTick = NO_DEADLINE;
    private int resendGapTicks;
    /** Votes of the current round, by sid (ours included), with the sender's state. */
    private final Map<Long, Notification> roundVotes = new TreeMap<>();
    /** Voters the shell could not reach since their last notification: their votes are not waited for. */
    private final java.util.Set<Long> unreachable = new TreeSet<>();
    /** The decision came without the finalize wait, every vote that could still come being in. */
    private boolean waitSkipped;

    /** Whether the decision skipped the finalize wait (every vote that could still come was in). */
    public boolean decidedWithoutWait() {
        return waitSkipped;
    }

    /** The voters counted as unreachable now (at a decision: those whose votes were not waited for). */
    public java.util.Set<Long> unreachableVoters() {
        return Collections.unmodifiableSet(new TreeSet<>(unreachable));
    }
    /** Latest notification of each FOLLOWING/LEADING server, whatever its round. */
    private final Map<Long, Notification> outOfElection = new TreeMap<>();
    /** The notifications the last decision counted (see {@link #decisionVotes()}). */
    private Map<Long, Notification> decisionVotes = Map.of();

    public Election(long sid, QuorumVerifier quorum, long lastZxid, long epoch, ElectionTimings timings) {
        this(sid, quorum, lastZxid, epoch, timings, 0, false);
    }

    /**
     * A voter's election whose first {@link ElectionInput.Start} opens round {@code roundBefore + 1}:
     * a server that goes back to LOOKING keeps counting rounds (ZooKeeper's logicalclock lives as
     * long as the process), so its next election is visibly a new round.
     */
    public Election(long sid, QuorumVerifier quorum, long lastZxid, long epoch, ElectionTimings timings,
            long roundBefore) {
        this(sid, quorum, lastZxid, epoch, timings, roundBefore, false);
    }

    /** An observer's election: it asks the voters who leads and never votes (see the class comment). */
    public static Election forObserver(long sid, QuorumVerifier quorum, long lastZxid, long epoch,
            ElectionTimings timings, long roundBefore) {
        return new Election(sid, quorum, lastZxid, epoch, timings, roundBefore, true);
    }

    /** What an observer votes (ZooKeeper's getInitId/getInitLastLoggedZxid/getPeerEpoch for an observer). */
    public static final Vote OBSERVER_VOTE = new Vote(Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE);

    private Election(long sid, QuorumVerifier quorum, long lastZxid, long epoch, ElectionTimings timings,
            long roundBefore, boolean observer) {
        if (quorum.isVoter(sid) == observer) {
            throw new IllegalArgumentException("server " + sid + (observer ? " is" : " is not") + " a voter of "
                    + quorum.voters());
        }
        if (roundBefore < 0) {
            throw new IllegalArgumentException("roundBefore must be >= 0: " + roundBefore);
        }
        this.sid = sid;
        this.quorum = quorum;
        // An observer never proposes itself: it sends ZooKeeper's observer vote (leader, zxid and
        // epoch all Long.MIN_VALUE), which every voter ignores (no voter has that sid), so that
        // voters whose configuration still lists it as a participant cannot elect it.
        this.initialVote = observer ? OBSERVER_VOTE : new Vote(sid, lastZxid, epoch);
        this.timings = Objects.requireNonNull(timings, "timings");
        this.proposal = initialVote;
        this.round = roundBefore;
        this.observer = observer;
    }

    public List<ElectionOutput> step(ElectionInput input) {
        List<ElectionOutput> out = new ArrayList<>();
        if (input instanceof Start start) {
            start(start.nowTick(), out);
        } else if (input instanceof Tick tick) {
            tick(tick.nowTick(), out);
        } else if (input instanceof Received received) {
            receive(received.fromSid(), received.notification(), out);
        } else if (input instanceof Unreachable u) {
            if (u.sid() != sid && quorum.isVoter(u.sid()) && unreachable.add(u.sid()) && started) {
                checkFinalize(out);
            }
        }
        return out;
    }

    public long sid() {
        return sid;
    }

    public boolean isObserver() {
        return observer;
    }

    public ServerState state() {
        return state;
    }

    public long round() {
        return round;
    }

    /** The vote this server starts every round with: for itself, with its zxid and epoch. */
    public Vote initialVote() {
        return initialVote;
    }

    /** Our current vote while LOOKING; the leader's vote once decided. */
    public Vote currentVote() {
        return proposal;
    }

    private void start(long tick, List<ElectionOutput> out) {
        started = true;
        nowTick = Math.max(nowTick, tick);
        state = ServerState.LOOKING;
        round++;
        roundVotes.clear();
        outOfElection.clear();
        resendGapTicks = timings.resendTicksMin();
        resendAtTick = nowTick + resendGapTicks;
        adopt(initialVote, out);
    }

    private void tick(long tick, List<ElectionOutput> out) {
        nowTick = Math.max(nowTick, tick);
        if (!started || state != ServerState.LOOKING) {
            return;
        }
        if (nowTick >= finalizeAtTick) {
            finalizeAtTick = NO_DEADLINE;
            if (quorumAgreesWith(roundVotes, proposal, false)) {
                decide(proposal, roundVotes, out);
                return;
            }
        }
        if (nowTick >= resendAtTick) {
            // Notification timeout: messages may have been lost, so say our vote again (with backoff).
            broadcast(out);
            resendGapTicks = Math.min(resendGapTicks * 2, timings.resendTicksMax());
            resendAtTick = nowTick + resendGapTicks;
        }
    }

    private void receive(long fromSid, Notification n, List<ElectionOutput> out) {
        if (!started || fromSid == sid) {
            return;
        }
        unreachable.remove(fromSid);
        if (!quorum.isVoter(fromSid)) {
            // An observer still looking asks who leads; never counted. A decided one is not answered:
            // it answers a looking voter in turn, and the two would answer each other for ever.
            if (n.state() == ServerState.LOOKING) {
                out.add(new Send(fromSid, myNotification()));
            }
            return;
        }
        if (state != ServerState.LOOKING) {
            // Tell the laggard who leads; an observer does not: no voter counts it, and a ZooKeeper
            // voter answers every observer whatever its state, so the two would answer each other
            // for as long as the voter looks.
            if (n.state() == ServerState.LOOKING && !observer) {
                out.add(new Send(fromSid, myNotification()));
            }
            return;
        }
        if (!quorum.isVoter(n.vote().leaderSid())) {
            // ZooKeeper's validVoter(n.leader): only a voter can lead; such a vote counts for nothing
            // (adopted and decided, it would make this server follow a server it cannot follow).
            return;
        }
        if (n.state() == ServerState.LOOKING) {
            outOfElection.remove(fromSid);
            if (!observer) {
                receiveLooking(fromSid, n, out);
            }
        } else if (n.state() == ServerState.FOLLOWING || n.state() == ServerState.LEADING) {
            receiveDecided(fromSid, n, out);
        }
    }

    private void receiveLooking(long fromSid, Notification n, List<ElectionOutput> out) {
        if (n.round() > round) {
            round = n.round();
            roundVotes.clear();
            adopt(Vote.better(initialVote, n.vote()), out);
        } else if (n.round() < round) {
            out.add(new Send(fromSid, myNotification())); // help the laggard catch up
            return;
        } else if (n.vote().isBetterThan(proposal)) {
            adopt(n.vote(), out);
        }
        roundVotes.put(fromSid, n);
        checkFinalize(out);
    }

    private void receiveDecided(long fromSid, Notification n, List<ElectionOutput> out) {
        if (n.round() == round) {
            roundVotes.put(fromSid, n);
            if (quorumAgreesWith(roundVotes, n.vote(), true) && leaderConfirmed(roundVotes, n)) {
                decide(n.vote(), roundVotes, out);
                return;
            }
        }
        // A server starting while a leader exists: join it if a quorum already follows it.
        outOfElection.put(fromSid, n);
        if (quorumAgreesWith(outOfElection, n.vote(), true) && leaderConfirmed(outOfElection, n)) {
            round = n.round();
            decide(n.vote(), outOfElection, out);
        }
    }

    /** ZooKeeper's checkLeader: we must know the proposed leader really leads (or be it, in its round). */
    private boolean leaderConfirmed(Map<Long, Notification> votes, Notification n) {
        long leaderSid = n.vote().leaderSid();
        if (leaderSid == sid) {
            return round == n.round();
        }
        Notification fromLeader = votes.get(leaderSid);
        return fromLeader != null && fromLeader.state() == ServerState.LEADING;
    }

    private boolean quorumAgreesWith(Map<Long, Notification> votes, Vote vote, boolean leaderOnly) {
        TreeSet<Long> agreeing = new TreeSet<>();
        for (Map.Entry<Long, Notification> entry : votes.entrySet()) {
            Vote v = entry.getValue().vote();
            boolean same = leaderOnly
                    ? v.leaderSid() == vote.leaderSid() && v.epoch() == vote.epoch()
                    : v.equals(vote);
            if (same) {
                agreeing.add(entry.getKey());
            }
        }
        return quorum.containsQuorum(agreeing);
    }

    private void checkFinalize(List<ElectionOutput> out) {
        if (state != ServerState.LOOKING || observer) {
            return; // already decided (a zero finalize wait decides inside adopt)
        }
        if (!quorumAgreesWith(roundVotes, proposal, false)) {
            finalizeAtTick = NO_DEADLINE;
            return;
        }
        if (timings.finalizeWaitTicks() == 0) {
            decide(proposal, roundVotes, out);
        } else if (everyVoteIn()) {
            waitSkipped = true;
            decide(proposal, roundVotes, out);
        } else if (finalizeAtTick == NO_DEADLINE) {
            finalizeAtTick = nowTick + timings.finalizeWaitTicks();
        }
    }

    /**
     * Whether every vote that can still come is in and agrees with ours: each other voter either
     * sent this round's vote for our proposal or cannot be reached. The finalize wait exists for a
     * better vote that is still on its way; with none that can come, waiting only delays the
     * decision (by {@code finalizeWait}, 200 ms by default, on every leader change). Our own
     * extension of Fast Leader Election, with the same bytes: ZooKeeper always waits.
     */
    private boolean everyVoteIn() {
        for (long voter : quorum.voters()) {
            if (voter == sid || unreachable.contains(voter)) {
                continue;
            }
            Notification n = roundVotes.get(voter);
            if (n == null || n.state() != ServerState.LOOKING || !n.vote().equals(proposal)) {
                return false;
            }
        }
        return true;
    }

    /** Voters that cannot be reached, as the shell said, until a notification of theirs arrives. */
    public void assumeUnreachable(java.util.Collection<Long> sids) {
        for (long s : sids) {
            if (s != sid && quorum.isVoter(s)) {
                unreachable.add(s);
            }
        }
    }

    private void adopt(Vote vote, List<ElectionOutput> out) {
        proposal = vote;
        finalizeAtTick = NO_DEADLINE; // a changed vote needs a fresh quorum and a fresh wait
        roundVotes.put(sid, myNotification());
        broadcast(out);
        checkFinalize(out);
    }

    private void decide(Vote leader, Map<Long, Notification> countedVotes, List<ElectionOutput> out) {
        proposal = leader;
        decisionVotes = Collections.unmodifiableMap(new TreeMap<>(countedVotes));
        if (observer) {
            state = ServerState.OBSERVING;
        } else {
            state = leader.leaderSid() == sid ? ServerState.LEADING : ServerState.FOLLOWING;
        }
        finalizeAtTick = NO_DEADLINE;
        resendAtTick = NO_DEADLINE;
        out.add(new Decided(state, leader, round));
    }

    private void broadcast(List<ElectionOutput> out) {
        Notification mine = myNotification();
        for (long peer : quorum.voters()) {
            if (peer != sid) {
                out.add(new Send(peer, mine));
            }
        }
    }

    private Notification myNotification() {
        return new Notification(proposal, round, state);
    }

    /**
     * A decided server whose leader is now established in {@code established}'s epoch announces
     * that vote from now on. Every server of the ensemble then reports the same (leader, epoch), so a
     * server that starts later finds a quorum agreeing on it and joins; otherwise followers that
     * decided on different rounds' votes (different epochs) could never add up to a quorum for it
     * (ZooKeeper fixed a problem of this kind in ZOOKEEPER-1732; this rule is ours).
     */
    public void settle(Vote established) {
        // The decided vote's epoch is what peers said; the established one is what a quorum
        // acknowledged, and it wins even when lower (a peer that sent a vote with an epoch far
        // above any server's: no honest server does, and this server must not stop for it).
        if (state == ServerState.LOOKING || established.leaderSid() != proposal.leaderSid()) {
            throw new IllegalStateException("cannot settle on " + established + " from " + proposal + " in " + state);
        }
        proposal = established;
    }

    /**
     * The notifications the last decision was made on, by sid: the round's tally, or, when this
     * server joined an existing leader, the FOLLOWING/LEADING answers it heard (whatever their
     * round; the round's tally then says nothing about the decision). Empty before a decision.
     */
    public Map<Long, Notification> decisionVotes() {
        return decisionVotes;
    }

    /** The current-round tally (for tests and diagnostics). */
    public Map<Long, Notification> roundVotes() {
        return Collections.unmodifiableMap(roundVotes);
    }
}
