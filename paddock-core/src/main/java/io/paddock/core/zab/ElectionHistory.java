package io.paddock.core.zab;

import io.paddock.core.election.ServerState;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One server's last elections, fed with what its {@link QuorumPeerCore} emits. Pure: time is the
 * core's ticks ({@link QuorumPeerCore#nowTick()}); the text (table and log lines, {@link
 * ElectionText}) converts them with a milliseconds-per-tick the shell passes in.
 *
 * <p>The shell feeds it after every step, with the same effects it executes:
 *
 * <pre>{@code
 * core.step(event, effects);
 * history.record(core.nowTick(), effects, LOG::info); // one log line per vote change, decision, epoch
 * }</pre>
 *
 * An election begins with the server's own vote ({@link PeerEffect.VoteReason#OWN_VOTE}) and holds
 * everything until the next one begins: the votes sent ({@link PeerEffect.SendElection}) and
 * received ({@link PeerEffect.VoteReceived}) while looking, each vote change, the decision, the
 * epoch established ({@link PeerEffect.Established} for a leader, {@link PeerEffect.Synced} for a
 * learner) and the end of the role ({@link PeerEffect.RoleChanged} back to LOOKING). Other effects
 * are ignored.
 *
 * <p>Bounded: the last {@link Limits#electionsMax()} elections are kept (older ones are counted in
 * {@link #electionsForgotten()}), each with its own bounds ({@link ElectionRecord}). Not thread-safe:
 * feed it and read it on one thread (the server's loop; a four-letter word asks the loop for the
 * text).
 */
public final class ElectionHistory {

    /**
     * The bounds of a history.
     *
     * @param electionsMax elections kept per server
     * @param voteMessagesMax vote messages (sent and received) kept per election
     * @param voteChangesMax vote changes (own and heard) kept per election
     */
    public record Limits(int electionsMax, int voteMessagesMax, int voteChangesMax) {
        /** Elections a server keeps by default. */
        public static final int ELECTIONS_MAX = 16;
        /** Vote messages kept per election by default: a 9-server election with a few rounds of resends. */
        public static final int VOTE_MESSAGES_MAX = 256;
        /** Vote changes kept per election by default. */
        public static final int VOTE_CHANGES_MAX = 64;

        public Limits {
            if (electionsMax < 1 || voteMessagesMax < 1 || voteChangesMax < 1) {
                throw new IllegalArgumentException("bad election history limits: electionsMax=" + electionsMax
                        + " voteMessagesMax=" + voteMessagesMax + " voteChangesMax=" + voteChangesMax);
            }
        }

        public static Limits defaults() {
            return new Limits(ELECTIONS_MAX, VOTE_MESSAGES_MAX, VOTE_CHANGES_MAX);
        }
    }

    private final long sid;
    private final Limits limits;
    private final ArrayDeque<ElectionRecord> elections = new ArrayDeque<>();
    private long electionsStarted;
    private long electionsForgotten;

    public ElectionHistory(long sid) {
        this(sid, Limits.defaults());
    }

    public ElectionHistory(long sid, Limits limits) {
        this.sid = sid;
        this.limits = limits;
    }

    /** Records what one step emitted at {@code nowTick}. */
    public void record(long nowTick, List<PeerEffect> effects) {
        record(nowTick, effects, line -> { });
    }

    /**
     * Records what one step emitted at {@code nowTick}, handing {@code logLine} one line per own vote
     * change, decision, established epoch and ended role ({@link ElectionText}'s log lines).
     */
    public void record(long nowTick, List<PeerEffect> effects, Consumer<String> logLine) {
        for (PeerEffect effect : effects) {
            record(nowTick, effect, logLine);
        }
    }

    private void record(long tick, PeerEffect effect, Consumer<String> logLine) {
        if (effect instanceof PeerEffect.VoteChanged changed && changed.reason() == PeerEffect.VoteReason.OWN_VOTE) {
            begin(tick, changed);
            return;
        }
        ElectionRecord current = elections.peekLast();
        if (current == null) {
            return; // nothing is emitted before the first election begins
        }
        if (effect instanceof PeerEffect.SendElection send) {
            if (!current.isDecided()) {
                current.sent(tick, send);
            }
        } else if (effect instanceof PeerEffect.VoteReceived received) {
            if (!current.isDecided()) {
                current.received(tick, received);
            }
        } else if (effect instanceof PeerEffect.VoteChanged changed) {
            logLine.accept(ElectionText.voteChangeLine(current, current.voteChanged(tick, changed)));
        } else if (effect instanceof PeerEffect.ElectionDecided decided) {
            current.decided(tick, decided);
            logLine.accept(ElectionText.decisionLine(current));
        } else if (effect instanceof PeerEffect.Established established) {
            current.established(tick, established.epoch(), established.ackedBy());
            logLine.accept(ElectionText.establishedLine(current));
        } else if (effect instanceof PeerEffect.Synced synced) {
            current.established(tick, synced.epoch(), Set.of());
            logLine.accept(ElectionText.establishedLine(current));
        } else if (effect instanceof PeerEffect.RoleChanged changed
                && changed.to() == ServerState.LOOKING) {
            current.ended(tick, changed.reason());
            logLine.accept(ElectionText.endedLine(current));
        }
    }

    private void begin(long tick, PeerEffect.VoteChanged own) {
        if (elections.size() == limits.electionsMax()) {
            elections.pollFirst();
            electionsForgotten++;
        }
        electionsStarted++;
        elections.addLast(new ElectionRecord(electionsStarted, sid, limits, tick, own.round(), own.to()));
    }

    /** The server whose history this is. */
    public long sid() {
        return sid;
    }

    public Limits limits() {
        return limits;
    }

    /** The elections kept, oldest first (live records: read them on the feeding thread). */
    public List<ElectionRecord> elections() {
        return List.copyOf(elections);
    }

    /** The latest election, or null before the first. */
    public ElectionRecord latest() {
        return elections.peekLast();
    }

    /** Elections begun since the server started, kept or not. */
    public long electionsStarted() {
        return electionsStarted;
    }

    /** Elections no longer kept (the oldest, beyond {@link Limits#electionsMax()}). */
    public long electionsForgotten() {
        return electionsForgotten;
    }
}
