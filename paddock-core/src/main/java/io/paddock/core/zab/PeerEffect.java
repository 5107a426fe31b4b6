package io.paddock.core.zab;

import io.paddock.core.election.Notification;
import io.paddock.core.election.ServerState;
import io.paddock.core.election.Vote;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.quorum.TxnDigest;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.SnapStream;
import java.util.List;
import io.paddock.core.wire.quorum.QuorumPacket;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one {@link QuorumPeerCore} asks of its shell, in order. The durability contract: a packet
 * that depends on an epoch being durable (a learner's ACKEPOCH, a leader's LEADERINFO) is emitted
 * only after the matching {@link PeerEvent.EpochsPersisted}, so the shell may send every
 * {@link SendQuorum} as soon as it sees it. {@link Observation}s change nothing; they let the
 * election and discovery be seen (logs, a four-letter word, the simulator's checks).
 */
public sealed interface PeerEffect {

    /** Send an election notification to {@code toSid} (election port; it may be lost). */
    record SendElection(long toSid, Notification notification) implements PeerEffect {
        public SendElection {
            Objects.requireNonNull(notification, "notification");
        }
    }

    /** Send a packet to {@code toSid} on the quorum connection, opening it if there is none. */
    record SendQuorum(long toSid, QuorumPacket packet) implements PeerEffect {
        public SendQuorum {
            Objects.requireNonNull(packet, "packet");
        }
    }

    /**
     * Send {@code toSid} a SNAP at {@code zxid} as ZooKeeper's leaders do: the packet with null
     * data, then {@code stream}, read out piece by piece as the connection takes it (on the host's
     * thread; abandoned if the connection goes). Packets sent to {@code toSid} after this follow
     * the whole stream.
     */
    record SendSnapshot(long toSid, long zxid, SnapStream stream) implements PeerEffect {
        public SendSnapshot {
            Objects.requireNonNull(stream, "stream");
        }
    }

    /** Close the quorum connection with {@code sid}, dropping what is queued on it; one log line. */
    record DropPeer(long sid, String reason) implements PeerEffect {
    }

    /**
     * Write the epochs safely (tmp, fsync, rename; ZooKeeper's {@code acceptedEpoch} and
     * {@code currentEpoch} files), then post {@link PeerEvent.EpochsPersisted} with the same values.
     */
    record PersistEpochs(long acceptedEpoch, long currentEpoch) implements PeerEffect {
    }

    /**
     * For the host ({@code Replica}), never the shell: a change to the history, the tree or the
     * sessions that the protocol decided. The host carries them out in order, within the same step.
     */
    sealed interface ToReplica extends PeerEffect {
    }

    /**
     * Append {@code txn} to the history and the log (a learner's PROPOSAL or INFORM); not yet
     * committed. {@code digest} is the leader's TxnDigest (the tree digest once txn is applied),
     * null when the proposal carried none; the host compares it with its tree's after applying.
     * {@code replay}: logged while syncing, so the tree may hold it already, in part or whole (a
     * ZooKeeper leader serializes the snapshot it sends while it applies and forwards transactions;
     * a sync cut short after such a snapshot leaves them for the next sync to send): the host
     * applies it as a replay that tolerates what is there, and compares no digest (a closeSession's
     * replay deletes its paths as ZooKeeper does, moving a parent's pzxid even for one that is gone).
     */
    record LogTxn(TxnEnvelope txn, TxnDigest digest, boolean replay)
            implements ToReplica {
        public LogTxn {
            Objects.requireNonNull(txn, "txn");
        }

        public LogTxn(TxnEnvelope txn, TxnDigest digest) {
            this(txn, digest, false);
        }

        public LogTxn(TxnEnvelope txn) {
            this(txn, null, false);
        }
    }

    /** Every transaction of the history up to {@code zxid} is committed: apply each once it is durable too. */
    record Commit(long zxid) implements ToReplica {
    }

    /**
     * A learner's TRUNC: drop every transaction after {@code zxid} from the history and the log
     * (durably, before anything logged later). Never below the applied zxid (the role checks).
     */
    record Truncate(long zxid) implements ToReplica {
    }

    /**
     * A learner's SNAP: the leader's applied state at {@code zxid} replaces the tree and sessions,
     * and the whole history (the log starts again from this snapshot, durably, before anything
     * logged later). Clients' views may go back in time: the host closes their connections.
     */
    record InstallSnapshot(long zxid, SnapshotData snapshot) implements ToReplica {
        public InstallSnapshot {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /** A leader heard from a learner that these sessions are alive: push their expiry back. */
    record TouchSessions(List<Ping.SessionTouch> touches) implements ToReplica {
        public TouchSessions {
            touches = List.copyOf(touches);
        }
    }

    /**
     * A learner got its leader's SYNC: the oldest sync its clients asked for is answered once what
     * the leader had committed before it is applied here.
     */
    record SyncAnswered() implements ToReplica {
    }

    /** A leader got a learner's REVALIDATE: the host answers whether the session lives (and touches it). */
    record Revalidate(long fromSid, long sessionId, int timeoutMs) implements ToReplica {
    }

    /** A learner got its leader's answer to a REVALIDATE it sent for a reconnecting client's session. */
    record Revalidated(long sessionId, boolean valid) implements ToReplica {
    }

    /** A leader got a client request a learner forwarded (REQUEST): the host prepares and proposes it. */
    record Forwarded(long fromSid, QuorumPacket request) implements ToReplica {
        public Forwarded {
            Objects.requireNonNull(request, "request");
        }
    }

    /** Changes nothing outside the core: structured facts about the election and discovery. */
    sealed interface Observation extends PeerEffect {
    }

    /** Why a LOOKING server changed its vote (the seed's reasons). */
    enum VoteReason {
        /** The first vote of a round: for itself. */
        OWN_VOTE,
        /** A notification of a newer round arrived: the tally starts again (with the better vote). */
        NEWER_ROUND,
        /** The adopted vote has a higher epoch. */
        HIGHER_EPOCH,
        /** Same epoch, higher zxid. */
        HIGHER_ZXID,
        /** Same epoch and zxid, higher server id. */
        SAME_ZXID_HIGHER_ID;

        /** The reason for going from {@code before} (in {@code roundBefore}) to {@code after}. */
        public static VoteReason of(long roundBefore, Vote before, long roundAfter, Vote after) {
            if (roundAfter != roundBefore) {
                return NEWER_ROUND;
            }
            if (after.epoch() != before.epoch()) {
                return HIGHER_EPOCH;
            }
            return after.zxid() != before.zxid() ? HIGHER_ZXID : SAME_ZXID_HIGHER_ID;
        }
    }

    /**
     * A LOOKING server received {@code notification} from {@code fromSid} (before it acted on it:
     * the vote change, sends or decision it causes follow). Not emitted once the server has
     * decided: its answers to servers still looking are not part of its election.
     */
    record VoteReceived(long fromSid, Notification notification) implements Observation {
        public VoteReceived {
            Objects.requireNonNull(notification, "notification");
        }
    }

    /**
     * A LOOKING server's vote changed in {@code round}, on a notification from {@code causeSid}
     * (-1 when no message caused it: the start of a round).
     */
    record VoteChanged(long round, Vote from, Vote to, VoteReason reason, long causeSid) implements Observation {
    }

    /**
     * The election ended for this server: it takes {@code role} under {@code leader}; {@code votes}
     * is the round's tally it decided on (sid to the vote that server announced last; the deciding
     * quorum is among them); {@code firstVotes} is the first vote this server heard from each server
     * in that round, its own included (what each server proposed before it was persuaded).
     * {@code waitSkipped}: it decided without the finalize wait, every vote that could still come
     * being in; {@code unreachable}: the voters whose votes it did not wait for, since they could
     * not be reached.
     */
    record ElectionDecided(long round, ServerState role, Vote leader, Map<Long, Vote> votes,
            Map<Long, Vote> firstVotes, boolean waitSkipped, java.util.Set<Long> unreachable) implements Observation {
        public ElectionDecided {
            votes = Collections.unmodifiableMap(new TreeMap<>(votes));
            firstVotes = Collections.unmodifiableMap(new TreeMap<>(firstVotes));
            unreachable = Collections.unmodifiableSet(new java.util.TreeSet<>(unreachable));
        }

        /** A decision after the finalize wait, or one that needed none. */
        public ElectionDecided(long round, ServerState role, Vote leader, Map<Long, Vote> votes,
                Map<Long, Vote> firstVotes) {
            this(round, role, leader, votes, firstVotes, false, java.util.Set.of());
        }

        /** Why there was no finalize wait, or "" when there was one (or none was needed). */
        public String waitText() {
            if (!waitSkipped) {
                return "";
            }
            StringBuilder b = new StringBuilder("no finalize wait: every vote in");
            if (!unreachable.isEmpty()) {
                b.append(", server").append(unreachable.size() > 1 ? "s " : " ");
                b.append(unreachable.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
                b.append(" unreachable");
            }
            return b.toString();
        }

        /**
         * The election in the seed's style: the first votes as (sid,zxid), sid order, then the
         * winner and why it beat the best other first vote, e.g.
         * {@code (1,0) (2,0) (3,0) -> server 3, zxid equal, highest id}; a server that joined an
         * existing leader (never heard its vote while looking) says so. Epochs are shown
         * ({@code (sid,epoch:zxid)}) when the first votes differ in epoch.
         */
        public String seedStyle() {
            boolean epochsDiffer = firstVotes.values().stream().map(Vote::epoch).distinct().count() > 1;
            StringBuilder b = new StringBuilder();
            Vote runnerUp = null;
            for (Map.Entry<Long, Vote> e : firstVotes.entrySet()) {
                Vote v = e.getValue();
                b.append('(').append(v.leaderSid()).append(',');
                if (epochsDiffer) {
                    b.append(v.epoch()).append(':');
                }
                b.append(v.zxid()).append(") ");
                if (v.leaderSid() != leader.leaderSid() && (runnerUp == null || v.isBetterThan(runnerUp))) {
                    runnerUp = v;
                }
            }
            b.append("-> server ").append(leader.leaderSid());
            if (!firstVotes.containsKey(leader.leaderSid())) {
                return b.append(", joined: a quorum already follows it").toString();
            }
            if (runnerUp == null) {
                return b.append(", every first vote").toString();
            }
            if (runnerUp.isBetterThan(firstVotes.get(leader.leaderSid()))) {
                // A server that started late: the others had agreed on a leader before its better
                // vote could count, and it followed their decision.
                return b.append(", decided by a quorum before server ").append(runnerUp.leaderSid())
                        .append("'s better vote counted").toString();
            }
            if (leader.epoch() != runnerUp.epoch()) {
                return b.append(", higher epoch").toString();
            }
            if (leader.zxid() != runnerUp.zxid()) {
                return b.append(", highest zxid").toString();
            }
            return b.append(", zxid equal, highest id").toString();
        }
    }

    /** The server's role changed; {@code reason} says why (a decision, a timeout, a lost quorum). */
    record RoleChanged(ServerState from, ServerState to, String reason) implements Observation {
    }

    /**
     * This learner (follower or observer) is established in {@code epoch} under {@code leaderSid}:
     * it synced with the leader, persisted the epoch as current and acknowledged NEWLEADER, and the
     * leader's UPTODATE arrived; it serves clients from now on. The learner's counterpart of {@link
     * Established}.
     */
    record Synced(long epoch, long leaderSid) implements Observation {
    }

    /**
     * This server leads {@code epoch} and serves clients from now on: a quorum of voters ({@code
     * ackedBy}, itself included) synced with it, persisted the epoch as their current epoch and
     * acknowledged NEWLEADER, its own history being durable; its whole history is committed.
     */
    record Established(long epoch, Set<Long> ackedBy) implements Observation {
        public Established {
            ackedBy = Set.copyOf(ackedBy);
        }
    }
}
