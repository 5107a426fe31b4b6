package io.paddock.core.zab;

import io.paddock.core.election.Notification;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.quorum.QuorumPacket;
import java.util.Objects;

/**
 * What the shell tells one {@link QuorumPeerCore}. Time is ticks; messages arrive already decoded
 * (a frame that does not decode costs the shell that peer's connection, never an event here).
 */
public sealed interface PeerEvent {

    /** Virtual time advanced to {@code nowTick}. The first Tick starts the peer's first election. */
    record Tick(long nowTick) implements PeerEvent {
    }

    /** An election notification from server {@code fromSid} (election port). */
    record ElectionReceived(long fromSid, Notification notification) implements PeerEvent {
        public ElectionReceived {
            Objects.requireNonNull(notification, "notification");
        }
    }

    /**
     * A packet from server {@code fromSid} on the quorum port (the learner connection). Packets of
     * one connection arrive in the order sent, none twice (TCP); a lost connection is a
     * {@link PeerDown}.
     */
    record QuorumReceived(long fromSid, QuorumPacket packet) implements PeerEvent {
        public QuorumReceived {
            Objects.requireNonNull(packet, "packet");
        }
    }

    /**
     * A snapshot streamed after SNAP (ZooKeeper's format) is moving on the quorum connection with
     * {@code fromSid}, and may take longer than initLimit: on a learner, bytes of it arrived from
     * its leader (no whole message yet), which counts as hearing from the leader, as ZooKeeper's
     * learner, whose read timeout is per read, does; on a leader, that learner took more of the
     * snapshot it is sent, which counts as hearing from it while it syncs. The shell reports it at
     * most every few hundred milliseconds.
     */
    record Streaming(long fromSid) implements PeerEvent {
    }

    /**
     * A SNAP at {@code zxid} from {@code fromSid} whose snapshot, streamed after it in ZooKeeper's
     * format, the shell read whole as it arrived ({@code ZooKeeperSnapReader}, within the learner's
     * budget): the learner holds the nodes, never the stream's bytes. In its connection's order,
     * as a {@link QuorumReceived} of the SNAP would be.
     */
    record SnapshotReceived(long fromSid, long zxid, SnapshotData snapshot) implements PeerEvent {
        public SnapshotReceived {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /**
     * The quorum-port connection with {@code sid} closed (the other side closed it, or it broke; a
     * {@link PeerEffect.DropPeer} of our own is not reported back). The shell delivers it before any
     * packet of a later connection with the same server, so a role never mixes two connections.
     */
    record PeerDown(long sid) implements PeerEvent {
    }

    /**
     * The shell could not reach server {@code sid}'s election port (the connection was refused or
     * failed, or an open one broke). Until a notification from it arrives, the election counts it
     * among the servers whose vote will not come, so it need not sit out the finalize wait for it.
     * A wrong report costs nothing but that wait: any quorum's decision is safe.
     */
    record ElectionUnreachable(long sid) implements PeerEvent {
    }

    /**
     * The shell's {@link PeerEffect.PersistEpochs} of these values is durable (written to a temporary
     * file, fsynced, renamed). Writes complete in the order asked.
     */
    record EpochsPersisted(long acceptedEpoch, long currentEpoch) implements PeerEvent {
    }

    /**
     * From the host, to an established leader: {@code txn} is prepared (its zxid the next of this
     * epoch) and was handed to the log; broadcast it. {@code data} is its proposal bytes
     * ({@link ProposalCodec#encode}), made by the host before it took the transaction, so a
     * transaction ZooKeeper's bytes cannot carry never gets this far. Only an established leader gets these.
     */
    record Propose(TxnEnvelope txn, byte[] data) implements PeerEvent {
        public Propose {
            Objects.requireNonNull(txn, "txn");
            Objects.requireNonNull(data, "data");
        }
    }

    /** From the host: every transaction of its history up to {@code zxid} is durable in its log. */
    record LogDurable(long zxid) implements PeerEvent {
    }
}
