package io.paddock.core.zab;

import io.paddock.core.election.Notification;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One election as one server saw it, from the round it started looking in to the role it took
 * (and whether that role was established, or ended before): the votes it sent and received, every
 * change of vote with its reason, the decision with its deciding quorum, the epoch, and the tick of
 * each step. Built by {@link ElectionHistory} from the core's effects; read it on the thread that
 * feeds the history.
 *
 * <p>Bounded: at most {@link ElectionHistory.Limits#voteMessagesMax()} vote messages and {@link
 * ElectionHistory.Limits#voteChangesMax()} vote changes are kept (the first ones: they are what
 * decided); the rest are counted. The totals of votes sent and received count every one.
 *
 * <p>Vote changes are this server's own ({@link PeerEffect.VoteChanged}, with the server that caused
 * them) and those of other servers as this one heard them: a LOOKING server whose later notification
 * carries a better vote, or a newer round, than the one heard from it before changed its vote (its
 * reason is read off the two votes; a late copy of an older vote is not a change).
 */
public final class ElectionRecord {

    /** Which way a vote went. */
    public enum Direction { SENT, RECEIVED }

    /** One election notification sent to, or received from, {@code peerSid} at {@code tick}. */
    public record VoteMessage(long tick, Direction direction, long peerSid, Notification notification) {}

    /**
     * Server {@code voterSid}'s vote went from {@code from} to {@code to} at {@code tick} in {@code
     * round}. {@code own}: this server's vote, caused by {@code causeSid}'s notification (-1: none);
     * otherwise a change heard from {@code voterSid} (causeSid -1).
     */
    public record VoteChange(long tick, long round, long voterSid, Vote from, Vote to, PeerEffect.VoteReason reason,
            long causeSid, boolean own) {}

    private final long number;
    private final long sid;
    private final ElectionHistory.Limits limits;
    private final long startTick;
    private final long startRound;
    private final Vote initialVote;
    private long round;

    private final List<VoteMessage> messages = new ArrayList<>();
    private long messagesDropped;
    private long votesSent;
    private long votesReceived;
    private final List<VoteChange> changes = new ArrayList<>();
    private long changesDropped;
    /** The last LOOKING notification heard from each server, to see other servers change their vote. */
    private final Map<Long, Notification> lastHeard = new TreeMap<>();
    /** The first LOOKING vote heard from each server (and our own first), shown until the decision. */
    private final Map<Long, Vote> firstHeard = new TreeMap<>();

    private PeerEffect.ElectionDecided decision;
    private long decidedTick = -1;
    private long epoch = -1;
    private long establishedTick = -1;
    private Set<Long> ackedBy = Set.of();
    private String endReason;
    private long endTick = -1;

    ElectionRecord(long number, long sid, ElectionHistory.Limits limits, long startTick, long round, Vote initialVote) {
        this.number = number;
        this.sid = sid;
        this.limits = limits;
        this.startTick = startTick;
        this.startRound = round;
        this.round = round;
        this.initialVote = initialVote;
        this.firstHeard.put(sid, initialVote);
    }

    // ---------------------------------------------------------------- fed by ElectionHistory

    void sent(long tick, PeerEffect.SendElection send) {
        votesSent++;
        keep(new VoteMessage(tick, Direction.SENT, send.toSid(), send.notification()));
    }

    void received(long tick, PeerEffect.VoteReceived received) {
        votesReceived++;
        Notification n = received.notification();
        keep(new VoteMessage(tick, Direction.RECEIVED, received.fromSid(), n));
        if (n.state() != ServerState.LOOKING || received.fromSid() == sid) {
            return;
        }
        Notification before = lastHeard.get(received.fromSid());
        if (before == null) {
            if (lastHeard.size() < limits.voteMessagesMax()) { // bounded: one entry per server heard
                lastHeard.put(received.fromSid(), n);
                firstHeard.put(received.fromSid(), n.vote());
            }
            return;
        }
        boolean newerRound = n.round() > before.round();
        if (newerRound || (n.round() == before.round() && n.vote().isBetterThan(before.vote()))) {
            lastHeard.put(received.fromSid(), n);
            change(new VoteChange(tick, n.round(), received.fromSid(), before.vote(), n.vote(),
                    PeerEffect.VoteReason.of(before.round(), before.vote(), n.round(), n.vote()), -1, false));
        }
    }

    /** Records this server's own vote change; returns it (kept or, beyond the limit, only counted). */
    VoteChange voteChanged(long tick, PeerEffect.VoteChanged changed) {
        round = changed.round();
        VoteChange c = new VoteChange(tick, changed.round(), sid, changed.from(), changed.to(), changed.reason(),
                changed.causeSid(), true);
        change(c);
        return c;
    }

    void decided(long tick, PeerEffect.ElectionDecided decided) {
        if (decision != null) {
            throw new IllegalStateException("election " + number + " of server " + sid + " decided twice");
        }
        decision = decided;
        decidedTick = tick;
        round = decided.round();
    }

    void established(long tick, long establishedEpoch, Set<Long> acked) {
        if (decision == null || epoch >= 0 || endReason != null) {
            throw new IllegalStateException("election " + number + " of server " + sid + " established epoch "
                    + establishedEpoch + " out of order: decided=" + (decision != null) + " epoch=" + epoch
                    + " ended=" + endReason);
        }
        epoch = establishedEpoch;
        establishedTick = tick;
        ackedBy = Collections.unmodifiableSet(new TreeSet<>(acked));
    }

    void ended(long tick, String reason) {
        if (decision == null || endReason != null) {
            throw new IllegalStateException("election " + number + " of server " + sid + " ended out of order: "
                    + reason);
        }
        endReason = reason;
        endTick = tick;
    }

    private void keep(VoteMessage m) {
        if (messages.size() < limits.voteMessagesMax()) {
            messages.add(m);
        } else {
            messagesDropped++;
        }
    }

    private void change(VoteChange c) {
        if (changes.size() < limits.voteChangesMax()) {
            changes.add(c);
        } else {
            changesDropped++;
        }
    }

    // ---------------------------------------------------------------- read

    /** 1 for the first election since the server started, counting those no longer kept. */
    public long number() {
        return number;
    }

    /** The server whose record this is. */
    public long sid() {
        return sid;
    }

    public long startTick() {
        return startTick;
    }

    /** The round the server started looking in. */
    public long startRound() {
        return startRound;
    }

    /** The round of the decision, or the latest round while looking. */
    public long round() {
        return round;
    }

    /** The vote the server started with: for itself. */
    public Vote initialVote() {
        return initialVote;
    }

    /** The first vote messages, in order (at most the limit; see {@link #voteMessagesDropped()}). */
    public List<VoteMessage> voteMessages() {
        return Collections.unmodifiableList(messages);
    }

    public long voteMessagesDropped() {
        return messagesDropped;
    }

    /** Every vote sent while looking, kept or not. */
    public long votesSent() {
        return votesSent;
    }

    /** Every vote received while looking, kept or not. */
    public long votesReceived() {
        return votesReceived;
    }

    /**
     * The first vote of each server in this election as this server heard it, its own included,
     * by sid. Once decided, the decision's {@link PeerEffect.ElectionDecided#firstVotes()} (those of
     * the deciding round) say it better.
     */
    public Map<Long, Vote> firstVotesHeard() {
        return Collections.unmodifiableMap(firstHeard);
    }

    /** The vote changes, own and heard, in order (at most the limit; see {@link #voteChangesDropped()}). */
    public List<VoteChange> voteChanges() {
        return Collections.unmodifiableList(changes);
    }

    public long voteChangesDropped() {
        return changesDropped;
    }

    /** The decision, or null while still looking. */
    public PeerEffect.ElectionDecided decision() {
        return decision;
    }

    public boolean isDecided() {
        return decision != null;
    }

    /** The tick of the decision, or -1. */
    public long decidedTick() {
        return decidedTick;
    }

    /**
     * The servers whose votes made the decision: those in the decision's tally that named the same
     * leader in the same epoch (empty while looking).
     */
    public Set<Long> decidingQuorum() {
        Set<Long> quorum = new TreeSet<>();
        if (decision != null) {
            Vote leader = decision.leader();
            for (Map.Entry<Long, Vote> e : decision.votes().entrySet()) {
                if (e.getValue().leaderSid() == leader.leaderSid() && e.getValue().epoch() == leader.epoch()) {
                    quorum.add(e.getKey());
                }
            }
        }
        return quorum;
    }

    /**
     * True when the server joined a leader that already led (it never heard the leader's own vote
     * while looking: a quorum answered that they follow it), rather than elected it.
     */
    public boolean joinedExistingLeader() {
        return decision != null && !decision.firstVotes().containsKey(decision.leader().leaderSid());
    }

    /** The epoch the server's role was established in, or -1 (not yet, or never). */
    public long establishedEpoch() {
        return epoch;
    }

    /** The tick it was established, or -1. */
    public long establishedTick() {
        return establishedTick;
    }

    /** For a leader, the voters that acknowledged the epoch (itself included); empty otherwise. */
    public Set<Long> ackedBy() {
        return ackedBy;
    }

    /** Why the role taken ended (the server went back to looking), or null while it holds. */
    public String endReason() {
        return endReason;
    }

    /** The tick the role ended, or -1. */
    public long endTick() {
        return endTick;
    }
}
