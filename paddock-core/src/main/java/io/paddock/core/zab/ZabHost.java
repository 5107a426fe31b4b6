package io.paddock.core.zab;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.TxnDigest;
import io.paddock.core.wire.quorum.SnapStream;
import java.util.List;

/**
 * What the Zab roles read of the server that hosts them (the {@code Replica}): its history of
 * transactions and its state. Read-only and on the same thread; every change goes out as a {@link
 * PeerEffect.ToReplica} effect, so a role's effects say everything it did.
 *
 * <p>The <b>history</b> is this server's log, in zxid order: a prefix that is applied to the tree
 * (committed), then a tail that is logged (or being logged) and not yet known to be committed. The
 * tree never holds an uncommitted transaction; a learner's tail is committed by its leader's COMMIT
 * (or by UPTODATE for what came before NEWLEADER), a new leader's tail once a quorum acknowledged
 * NEWLEADER.
 */
public interface ZabHost {

    /** The zxid of the last transaction in the history (0 when empty). */
    long lastLoggedZxid();

    /** Every transaction up to this zxid is durable in the log. */
    long durableZxid();

    /** The last transaction applied to the tree. */
    long appliedZxid();

    /**
     * The history after {@code zxid}, up to {@link #lastLoggedZxid()}, in order; null when {@code
     * zxid} is not a transaction of this history that its in-memory window reaches (then a learner
     * at {@code zxid} needs a snapshot). {@code zxid == lastLoggedZxid()} gives an empty list.
     */
    List<TxnEnvelope> historyAfter(long zxid);

    /**
     * The last zxid of this history at or below {@code zxid} ({@code zxid} itself when the history
     * holds that transaction), as far as {@link #historyAfter}'s window reaches: -1 when {@code zxid}
     * lies below it. The history past the applied point is all in memory, so a learner, which asks
     * for {@code zxid >= appliedZxid()}, always gets an answer.
     */
    long lastHeldAtOrBelow(long zxid);

    /**
     * Whether this history holds a transaction at {@code zxid}, which lies above the applied point
     * (a learner's logged proposals still to commit). The replica finds a commit's zxid at the head
     * of what waits, without scanning its window.
     */
    default boolean holdsAboveApplied(long zxid) {
        return lastHeldAtOrBelow(zxid) == zxid;
    }

    /**
     * The TxnDigest of the transaction at {@code zxid} of {@link #historyAfter}'s window (the tree
     * digest once it is applied), or null when it has none or it is not known.
     */
    default TxnDigest digestOf(long zxid) {
        return null;
    }

    /**
     * The zxid a SNAP for a learner whose last zxid is {@code learnerLastZxid} says its snapshot
     * holds: {@link #appliedZxid()}. A simulated leader may say an earlier one while its snapshot
     * holds more, as a ZooKeeper leader's fuzzy snapshot does ({@code Replica#emulateFuzzySnapshots}),
     * never below what the learner may have applied; the history after it goes with the SNAP.
     */
    default long snapshotPoint(long learnerLastZxid) {
        return appliedZxid();
    }

    /**
     * The applied state (tree and sessions) as ZooKeeper's SNAP stream, taken now and read out
     * later in pieces ({@link SnapStream}); the SNAP says the zxid {@link #snapshotPoint} gave.
     */
    SnapStream snapshot();

    /**
     * The sessions this server's clients touched since the last call, for a learner's PING reply;
     * the list is handed over (the next call starts a new one).
     */
    List<Ping.SessionTouch> takeTouchedSessions();

    /** A host with no history beyond {@code lastZxid} and no state: election and discovery alone. */
    static ZabHost empty(long lastZxid) {
        return new ZabHost() {
            @Override
            public long lastLoggedZxid() {
                return lastZxid;
            }

            @Override
            public long durableZxid() {
                return lastZxid;
            }

            @Override
            public long appliedZxid() {
                return lastZxid;
            }

            @Override
            public List<TxnEnvelope> historyAfter(long zxid) {
                return zxid == lastZxid ? List.of() : null;
            }

            @Override
            public long lastHeldAtOrBelow(long zxid) {
                return zxid >= lastZxid ? lastZxid : -1;
            }

            @Override
            public SnapStream snapshot() {
                throw new UnsupportedOperationException("an empty host has no state to send");
            }

            @Override
            public List<Ping.SessionTouch> takeTouchedSessions() {
                return List.of();
            }
        };
    }
}
