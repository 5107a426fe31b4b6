package io.paddock.core.zab;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.QuorumVerifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A few {@link QuorumPeerCore}s on a perfect network, in lock step (test support): every message
 * and every epoch write arrives one tick after it was emitted, in the order emitted; a message to
 * a server not started is lost; a dropped quorum connection loses what travels on it and the other
 * side hears {@link PeerEvent.PeerDown} a tick later. Each server's {@link ElectionHistory} is fed exactly as the shell
 * feeds it, and its log lines kept. No randomness, so its histories can be compared with golden text.
 */
final class LockstepEnsemble {
    private record Delivery(long toSid, PeerEvent event) {}

    private final QuorumVerifier voters;
    private final ElectionTimings electionTimings;
    private final ZabTimings zabTimings;
    private final Map<Long, QuorumPeerCore> peers = new TreeMap<>();
    private final Map<Long, ElectionHistory> histories = new TreeMap<>();
    private final Map<Long, List<String>> logLines = new TreeMap<>();
    private ArrayDeque<Delivery> inFlight = new ArrayDeque<>();
    private long nowTick;

    LockstepEnsemble(Set<Long> voterSids, ElectionTimings electionTimings, ZabTimings zabTimings) {
        this.voters = new QuorumVerifier(voterSids);
        this.electionTimings = electionTimings;
        this.zabTimings = zabTimings;
    }

    /** Starts a server with empty epochs and {@code lastZxid}; its election begins at the next tick. */
    void start(long sid, long lastZxid) {
        peers.put(sid, new QuorumPeerCore(new PeerConfig(sid, voters, Set.of(), electionTimings, zabTimings), 0, 0,
                lastZxid));
        histories.put(sid, new ElectionHistory(sid));
        logLines.put(sid, new ArrayList<>());
    }

    /** Crashes a server: what travels to it is lost, and every other server's connection to it breaks. */
    void crash(long sid) {
        peers.remove(sid);
        inFlight.removeIf(d -> d.toSid() == sid);
        for (long other : peers.keySet()) {
            inFlight.add(new Delivery(other, new PeerEvent.PeerDown(sid)));
            // Its election connections break too: each shell tells its core the server is unreachable.
            inFlight.add(new Delivery(other, new PeerEvent.ElectionUnreachable(sid)));
        }
    }

    /** One tick: delivers what the previous tick emitted, then ticks every server in sid order. */
    void tick() {
        nowTick++;
        ArrayDeque<Delivery> due = inFlight;
        inFlight = new ArrayDeque<>();
        for (Delivery d : due) {
            if (peers.containsKey(d.toSid())) {
                step(d.toSid(), d.event());
            }
        }
        for (long sid : peers.keySet()) {
            step(sid, new PeerEvent.Tick(nowTick));
        }
    }

    /** Ticks until {@code sid} is established, failing after {@code ticksMax}. */
    void tickUntilEstablished(long sid, int ticksMax) {
        for (int i = 0; i < ticksMax && peer(sid).establishedEpoch() < 0; i++) {
            tick();
        }
        if (peer(sid).establishedEpoch() < 0) {
            throw new AssertionError("server " + sid + " not established within " + ticksMax + " ticks: "
                    + peer(sid).state());
        }
    }

    void ticks(int count) {
        for (int i = 0; i < count; i++) {
            tick();
        }
    }

    QuorumPeerCore peer(long sid) {
        return peers.get(sid);
    }

    ElectionHistory history(long sid) {
        return histories.get(sid);
    }

    List<String> logLines(long sid) {
        return logLines.get(sid);
    }

    private void step(long sid, PeerEvent event) {
        QuorumPeerCore core = peers.get(sid);
        List<PeerEffect> effects = core.step(event);
        histories.get(sid).record(core.nowTick(), effects, logLines.get(sid)::add);
        for (PeerEffect e : effects) {
            if (e instanceof PeerEffect.SendElection send) {
                inFlight.add(new Delivery(send.toSid(), new PeerEvent.ElectionReceived(sid, send.notification())));
            } else if (e instanceof PeerEffect.SendQuorum send) {
                inFlight.add(new Delivery(send.toSid(), new PeerEvent.QuorumReceived(sid, send.packet())));
            } else if (e instanceof PeerEffect.PersistEpochs persist) {
                inFlight.add(new Delivery(sid, new PeerEvent.EpochsPersisted(persist.acceptedEpoch(),
                        persist.currentEpoch())));
            } else if (e instanceof PeerEffect.DropPeer drop) {
                // The connection closes: what travels on it is lost, and the other side is told.
                inFlight.removeIf(d -> d.event() instanceof PeerEvent.QuorumReceived q
                        && (d.toSid() == drop.sid() && q.fromSid() == sid || d.toSid() == sid && q.fromSid() == drop.sid()));
                inFlight.add(new Delivery(drop.sid(), new PeerEvent.PeerDown(sid)));
            }
        }
    }
}
