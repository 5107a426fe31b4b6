package io.paddock.sim;

import io.paddock.core.election.ServerState;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.core.zab.Epochs;
import io.paddock.core.zab.LearnerRole;
import io.paddock.core.zab.PeerEffect;
import io.paddock.sim.SimulatedEnsemble.Server;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The safety properties of election plus discovery, checked from outside the cores (the simulated
 * disk and the packets actually delivered), after every step, for the whole run:
 * <ol>
 *   <li>at most one leader is ever established per epoch (across crashes and restarts);
 *   <li>a leader is established only when a quorum of voters is behind the epoch: itself (its
 *       accepted epoch durable) and voters whose counting ACKEPOCH for that epoch reached it; and
 *       its current epoch is durable; and it leads (serves) only when a quorum of voters, itself
 *       included, acknowledged NEWLEADER (the voters it counts are among those whose ACK reached it);
 *   <li>a learner acknowledges NEWLEADER only once the history it held when NEWLEADER arrived is
 *       durable in its log and the new epoch is durable as its current epoch (ZOOKEEPER-3911);
 *   <li>accepted and current epochs on disk never go backwards, and current never passes accepted;
 *       a core's accepted epoch never goes backwards while it runs, and it never believes more is
 *       durable than the disk holds;
 *   <li>a learner never sends ACKEPOCH for an epoch that is not durable on its disk, and a leader
 *       never sends LEADERINFO before its own accepted epoch is durable;
 *   <li>a learner synced in an epoch follows the leader that established that epoch.
 * </ol>
 * It also counts moments when two servers hold the LEADING role at once (FLE allows it).
 */
public final class SafetyChecker {
    private final SimulatedEnsemble ensemble;
    private final Map<Long, Long> leaderOfEpoch = new TreeMap<>();
    /** (leader, epoch) -> voters whose counting ACKEPOCH for it was delivered. */
    private final Map<String, Set<Long>> acksDelivered = new HashMap<>();
    /** (learner, leader) -> epoch of the last LEADERINFO delivered to the learner from that leader. */
    private final Map<String, Long> leaderInfoEpoch = new HashMap<>();
    private final Map<Long, Long> acceptedSeen = new TreeMap<>();
    /** (leader, epoch) -> voters whose ACK of that epoch's NEWLEADER was delivered. */
    private final Map<String, Set<Long>> newLeaderAcksDelivered = new HashMap<>();
    /** learner -> {epoch, last logged zxid} when its NEWLEADER arrived. */
    private final Map<Long, long[]> newLeaderHistory = new HashMap<>();
    private long stepsWithTwoLeading;

    SafetyChecker(SimulatedEnsemble ensemble) {
        this.ensemble = ensemble;
    }

    /** Epoch to the sid that established it, over the whole run so far. */
    public Map<Long, Long> establishedEpochs() {
        return Map.copyOf(leaderOfEpoch);
    }

    /** Steps after which two servers held the LEADING role at the same time. */
    public long stepsWithTwoLeading() {
        return stepsWithTwoLeading;
    }

    long quorumSent(Server s, long to, QuorumPacket p) {
        if (p.type() == QuorumPacketType.LEADERINFO) {
            long epoch = LearnerHandshake.epochOf(p.zxid());
            if (s.diskAcceptedEpoch < epoch) {
                throw failure("s" + s.sid + " sent LEADERINFO for epoch " + epoch + " before it was durable (disk "
                        + s.diskAcceptedEpoch + ")");
            }
        } else if (p.type() == QuorumPacketType.ACKEPOCH) {
            Long epoch = leaderInfoEpoch.get(s.sid + "/" + to);
            if (epoch == null) {
                throw failure("s" + s.sid + " sent ACKEPOCH to " + to + " without a LEADERINFO from it");
            }
            if (s.diskAcceptedEpoch < epoch) {
                throw failure("s" + s.sid + " acked epoch " + epoch + " that is not durable: disk accepted "
                        + s.diskAcceptedEpoch);
            }
            return epoch;
        } else if (p.type() == QuorumPacketType.ACK && (p.zxid() & 0xffffffffL) == 0) {
            long epoch = LearnerHandshake.epochOf(p.zxid());
            long[] history = newLeaderHistory.get(s.sid);
            if (history == null || history[0] != epoch) {
                throw failure("s" + s.sid + " acked NEWLEADER of epoch " + epoch + " it never received");
            }
            if (s.diskCurrentEpoch < epoch || s.disk.lastDurableZxid() < history[1]) {
                throw failure("s" + s.sid + " acked NEWLEADER of epoch " + epoch + " with current epoch "
                        + s.diskCurrentEpoch + " on disk and its log durable to 0x"
                        + Long.toHexString(s.disk.lastDurableZxid()) + " of 0x" + Long.toHexString(history[1]));
            }
        }
        return -1;
    }

    void quorumDelivered(long from, long to, QuorumPacket p, long ackedEpoch) {
        if (p.type() == QuorumPacketType.NEWLEADER) {
            Server learner = ensemble.server(to);
            newLeaderHistory.put(to, new long[] {LearnerHandshake.epochOf(p.zxid()), learner.disk.lastAppendedZxid()});
        } else if (p.type() == QuorumPacketType.ACK && (p.zxid() & 0xffffffffL) == 0 && ensemble.voters().isVoter(from)) {
            newLeaderAcksDelivered.computeIfAbsent(to + "/" + LearnerHandshake.epochOf(p.zxid()), k -> new TreeSet<>())
                    .add(from);
        }
        if (p.type() == QuorumPacketType.LEADERINFO) {
            leaderInfoEpoch.put(to + "/" + from, LearnerHandshake.epochOf(p.zxid()));
        } else if (p.type() == QuorumPacketType.ACKEPOCH
                && SimulatedEnsemble.ackedCurrentEpochOrZero(p) != LearnerHandshake.EPOCH_ALREADY_ACCEPTED
                && ensemble.voters().isVoter(from)) {
            acksDelivered.computeIfAbsent(to + "/" + ackedEpoch, k -> new TreeSet<>()).add(from);
        }
    }

    void observed(Server s, PeerEffect.Observation o) {
        if (!(o instanceof PeerEffect.Established est)) {
            return;
        }
        long epoch = est.epoch();
        Long before = leaderOfEpoch.putIfAbsent(epoch, s.sid);
        if (before != null) {
            throw failure("epoch " + epoch + " established twice: by s" + before + " and by s" + s.sid);
        }
        Set<Long> backing = new TreeSet<>(acksDelivered.getOrDefault(s.sid + "/" + epoch, Set.of()));
        if (s.diskAcceptedEpoch >= epoch) {
            backing.add(s.sid);
        }
        if (!ensemble.voters().containsQuorum(backing)) {
            throw failure("s" + s.sid + " established epoch " + epoch + " backed only by " + backing);
        }
        Set<Long> synced = new TreeSet<>(newLeaderAcksDelivered.getOrDefault(s.sid + "/" + epoch, Set.of()));
        synced.add(s.sid);
        if (!ensemble.voters().containsQuorum(est.ackedBy()) || !synced.containsAll(est.ackedBy())) {
            throw failure("s" + s.sid + " leads epoch " + epoch + " counting NEWLEADER acks " + est.ackedBy()
                    + " but only " + synced + " arrived");
        }
        if (s.diskCurrentEpoch < epoch) {
            throw failure("s" + s.sid + " established epoch " + epoch + " with current epoch " + s.diskCurrentEpoch
                    + " on disk");
        }
    }

    void diskWrite(Server s, long accepted, long current) {
        if (accepted < s.diskAcceptedEpoch || current < s.diskCurrentEpoch || current > accepted) {
            throw failure("s" + s.sid + " epochs on disk (" + s.diskAcceptedEpoch + ", " + s.diskCurrentEpoch
                    + ") overwritten with (" + accepted + ", " + current + ")");
        }
    }

    void restarted(Server s) {
        newLeaderHistory.remove(s.sid);
        acceptedSeen.put(s.sid, s.diskAcceptedEpoch);
        leaderInfoEpoch.keySet().removeIf(k -> k.startsWith(s.sid + "/"));
    }

    void afterStep(Server s) {
        if (!s.isUp()) {
            return;
        }
        Epochs epochs = s.core.epochs();
        long seen = acceptedSeen.getOrDefault(s.sid, 0L);
        if (epochs.acceptedEpoch() < seen) {
            throw failure("s" + s.sid + " accepted epoch went back from " + seen + " to " + epochs.acceptedEpoch());
        }
        acceptedSeen.put(s.sid, epochs.acceptedEpoch());
        if (epochs.durableAcceptedEpoch() > s.diskAcceptedEpoch || epochs.durableCurrentEpoch() > s.diskCurrentEpoch) {
            throw failure("s" + s.sid + " believes " + epochs + " durable, disk has (" + s.diskAcceptedEpoch + ", "
                    + s.diskCurrentEpoch + ")");
        }
        if (s.core.role() instanceof LearnerRole learner && s.core.establishedEpoch() >= 0) {
            Long leader = leaderOfEpoch.get(s.core.establishedEpoch());
            if (leader == null || leader != learner.leaderSid()) {
                throw failure("s" + s.sid + " synced with s" + learner.leaderSid() + " in epoch "
                        + s.core.establishedEpoch() + ", which s" + leader + " established");
            }
        }
        int leading = 0;
        for (long sid : ensemble.sids()) {
            Server other = ensemble.server(sid);
            if (other.isUp() && other.core.state() == ServerState.LEADING) {
                leading++;
            }
        }
        if (leading > 1) {
            stepsWithTwoLeading++;
        }
    }

    void afterTick() {
        // every property is checked per step; nothing is only visible between ticks
    }

    /** A failure naming the seed, the state, the replay command and the last trace lines. */
    public SimulationFailure failure(String what) {
        return failure(what, null);
    }

    /** The same, for an exception or a failed assertion that happened during the run. */
    public SimulationFailure failure(String what, Throwable cause) {
        Trace trace = ensemble.trace();
        return new SimulationFailure("seed=" + ensemble.seed + ": " + what + "\n" + ensemble.describe()
                + "\nreplay with: " + trace.replayCommand() + "\nlast trace lines:\n" + trace.tail(), cause);
    }
}
