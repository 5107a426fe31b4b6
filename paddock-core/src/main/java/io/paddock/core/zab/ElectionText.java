package io.paddock.core.zab;

import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The election history as text, in the seed's style (votes as {@code (sid,zxid)}, with the epoch as
 * {@code (sid,epoch:zxid)} where the votes shown differ in epoch): a table per election for the
 * {@code elec} four-letter word and {@code bin/paddock elections}, and one compact log line per own
 * vote change, decision, established epoch and ended role. Times are ticks counted from the start
 * of the election ({@code t+6}); durations are also shown in milliseconds, {@code tickMs} per tick.
 *
 * <p>A table for the seed's example, as server 1 saw it (tests: {@code ElectionHistoryScenarioTest}):
 *
 * <pre>
 * server 1: 1 election since start, the last 16 kept; 1 tick = 50 ms
 *
 * election 1: round 1, following server 2
 *   first votes   (1,0) (2,0)
 *   vote changes  t+0  server 1: (1,0) -> (2,0) same zxid, higher id (from server 2)
 *   decision      t+5  -> server 2, zxid equal, highest id
 *   quorum        {1,2}
 *   epoch         1, established t+14
 *   took          looking -> decided 5 ticks (250 ms); decided -> established 9 ticks (450 ms)
 *   votes         6 sent, 2 received
 * </pre>
 */
public final class ElectionText {
    /** The whole answer of a standalone server, which never elects. */
    public static final String STANDALONE = "standalone: no elections\n";

    private static final String INDENT = "  ";
    private static final int LABEL_WIDTH = 14;

    private ElectionText() {}

    /** Every election kept, oldest first, under a line naming the server and the limits. */
    public static String table(ElectionHistory history, long tickMs) {
        checkTickMs(tickMs);
        StringBuilder out = new StringBuilder();
        long started = history.electionsStarted();
        if (started == 0) {
            return out.append("server ").append(history.sid()).append(": no elections yet\n").toString();
        }
        out.append("server ").append(history.sid()).append(": ").append(started)
                .append(started == 1 ? " election" : " elections").append(" since start, the last ")
                .append(history.limits().electionsMax()).append(" kept; 1 tick = ").append(tickMs).append(" ms\n");
        for (ElectionRecord r : history.elections()) {
            out.append('\n').append(election(r, tickMs));
        }
        return out.toString();
    }

    /** One election's block: a heading line, then one labelled line per part. */
    public static String election(ElectionRecord r, long tickMs) {
        checkTickMs(tickMs);
        StringBuilder out = new StringBuilder();
        out.append("election ").append(r.number()).append(": round ").append(r.round()).append(", ")
                .append(outcome(r)).append(r.joinedExistingLeader() ? ", joined an existing leader" : "").append('\n');
        PeerEffect.ElectionDecided d = r.decision();
        label(out, "first votes").append(d != null ? firstVotesOf(d.seedStyle()) : votes(r.firstVotesHeard()))
                .append('\n');
        voteChanges(out, r);
        label(out, "decision");
        if (d == null) {
            out.append("none yet, still looking\n");
            return appendVotes(out, r).toString();
        }
        out.append(at(r, r.decidedTick())).append("  ").append(decisionOf(d.seedStyle()));
        if (!d.waitText().isEmpty()) {
            out.append(" (").append(d.waitText()).append(')');
        }
        out.append('\n');
        label(out, "quorum").append(sids(r.decidingQuorum())).append('\n');
        label(out, "epoch").append(epoch(r)).append('\n');
        if (r.endReason() != null) {
            label(out, "ended").append(at(r, r.endTick())).append("  ").append(r.endReason()).append('\n');
        }
        label(out, "took").append("looking -> decided ").append(duration(r.decidedTick() - r.startTick(), tickMs))
                .append("; decided -> established ");
        if (r.establishedEpoch() >= 0) {
            out.append(duration(r.establishedTick() - r.decidedTick(), tickMs));
        } else {
            out.append(r.endReason() == null ? "not yet" : "never");
        }
        out.append('\n');
        return appendVotes(out, r).toString();
    }

    /** The log line of a vote change: {@code election 1 round 1 t+1: server 1: (1,0) -> (2,0) ...}. */
    public static String voteChangeLine(ElectionRecord r, ElectionRecord.VoteChange c) {
        return prefix(r, c.tick()) + voteChange(c);
    }

    /** The log line of a decision. */
    public static String decisionLine(ElectionRecord r) {
        String wait = r.decision().waitText();
        return prefix(r, r.decidedTick()) + outcome(r) + ": " + r.decision().seedStyle() + "; quorum "
                + sids(r.decidingQuorum()) + (wait.isEmpty() ? "" : "; " + wait);
    }

    /** The log line of an established epoch. */
    public static String establishedLine(ElectionRecord r) {
        return prefix(r, r.establishedTick()) + "epoch " + r.establishedEpoch() + " established, " + outcome(r);
    }

    /** The log line of a role that ended (the server looks again). */
    public static String endedLine(ElectionRecord r) {
        return prefix(r, r.endTick()) + "ended, " + outcome(r) + ": " + r.endReason();
    }

    /** {@code server 1: (1,0) -> (2,0) same zxid, higher id (from server 2)}; a heard change ends {@code (heard)}. */
    public static String voteChange(ElectionRecord.VoteChange c) {
        boolean withEpoch = c.from().epoch() != c.to().epoch();
        StringBuilder b = new StringBuilder("server ").append(c.voterSid()).append(": ")
                .append(vote(c.from(), withEpoch)).append(" -> ").append(vote(c.to(), withEpoch)).append(' ')
                .append(reason(c.reason()));
        if (c.reason() == PeerEffect.VoteReason.NEWER_ROUND) {
            b.append(' ').append(c.round());
        }
        if (!c.own()) {
            b.append(" (heard)");
        } else if (c.causeSid() >= 0) {
            b.append(" (from server ").append(c.causeSid()).append(')');
        }
        return b.toString();
    }

    /** The seed's words for a reason. */
    public static String reason(PeerEffect.VoteReason reason) {
        return switch (reason) {
            case OWN_VOTE -> "own vote";
            case NEWER_ROUND -> "newer round";
            case HIGHER_EPOCH -> "higher epoch";
            case HIGHER_ZXID -> "higher zxid";
            case SAME_ZXID_HIGHER_ID -> "same zxid, higher id";
        };
    }

    /** {@code (sid,zxid)}, or {@code (sid,epoch:zxid)}, as {@link PeerEffect.ElectionDecided#seedStyle()}. */
    public static String vote(Vote v, boolean withEpoch) {
        return "(" + v.leaderSid() + "," + (withEpoch ? v.epoch() + ":" : "") + v.zxid() + ")";
    }

    // ---------------------------------------------------------------- parts

    private static void voteChanges(StringBuilder out, ElectionRecord r) {
        List<ElectionRecord.VoteChange> changes = r.voteChanges();
        label(out, "vote changes");
        if (changes.isEmpty()) {
            out.append("none\n");
        }
        for (int i = 0; i < changes.size(); i++) {
            if (i > 0) {
                out.append(INDENT).append(" ".repeat(LABEL_WIDTH));
            }
            ElectionRecord.VoteChange c = changes.get(i);
            out.append(at(r, c.tick())).append("  ").append(voteChange(c)).append('\n');
        }
        if (r.voteChangesDropped() > 0) {
            out.append(INDENT).append(" ".repeat(LABEL_WIDTH)).append("and ").append(r.voteChangesDropped())
                    .append(" more, not kept\n");
        }
    }

    private static StringBuilder appendVotes(StringBuilder out, ElectionRecord r) {
        label(out, "votes").append(r.votesSent()).append(" sent, ").append(r.votesReceived()).append(" received");
        if (r.voteMessagesDropped() > 0) {
            out.append(" (").append(r.voteMessagesDropped()).append(" not kept)");
        }
        return out.append('\n');
    }

    private static String outcome(ElectionRecord r) {
        PeerEffect.ElectionDecided d = r.decision();
        if (d == null) {
            return "looking";
        }
        ServerState role = d.role();
        long leader = d.leader().leaderSid();
        return switch (role) {
            case LEADING -> "leading";
            case FOLLOWING -> "following server " + leader;
            case OBSERVING -> "observing server " + leader;
            case LOOKING -> "looking";
        };
    }

    private static String epoch(ElectionRecord r) {
        if (r.establishedEpoch() < 0) {
            return r.endReason() == null ? "not established yet" : "never established";
        }
        String text = r.establishedEpoch() + ", established " + at(r, r.establishedTick());
        return r.ackedBy().isEmpty() ? text : text + ", acknowledged by " + sids(r.ackedBy());
    }

    /** The first votes part of a seed-style decision: what comes before " -> ". */
    private static String firstVotesOf(String seedStyle) {
        int arrow = seedStyle.indexOf("-> ");
        return arrow == 0 ? "none heard" : seedStyle.substring(0, arrow - 1);
    }

    /** The decision part of a seed-style decision: from "-> " on. */
    private static String decisionOf(String seedStyle) {
        return seedStyle.substring(seedStyle.indexOf("-> "));
    }

    private static String votes(Map<Long, Vote> bySid) {
        boolean withEpoch = bySid.values().stream().map(Vote::epoch).distinct().count() > 1;
        StringJoiner j = new StringJoiner(" ");
        for (Vote v : bySid.values()) {
            j.add(vote(v, withEpoch));
        }
        return j.toString();
    }

    private static String sids(Collection<Long> sids) {
        StringJoiner j = new StringJoiner(",", "{", "}");
        for (long sid : sids) {
            j.add(Long.toString(sid));
        }
        return j.toString();
    }

    private static String prefix(ElectionRecord r, long tick) {
        return "election " + r.number() + " round " + r.round() + " " + at(r, tick) + ": ";
    }

    private static String at(ElectionRecord r, long tick) {
        return "t+" + (tick - r.startTick());
    }

    private static String duration(long ticks, long tickMs) {
        return ticks + (ticks == 1 ? " tick (" : " ticks (") + ticks * tickMs + " ms)";
    }

    private static StringBuilder label(StringBuilder out, String label) {
        return out.append(INDENT).append(label).append(" ".repeat(LABEL_WIDTH - label.length()));
    }

    private static void checkTickMs(long tickMs) {
        if (tickMs < 1) {
            throw new IllegalArgumentException("tickMs must be >= 1: " + tickMs);
        }
    }
}
