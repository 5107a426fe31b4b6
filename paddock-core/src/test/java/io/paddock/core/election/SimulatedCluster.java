package io.paddock.core.election;

import io.paddock.core.election.ElectionOutput.Decided;
import io.paddock.core.election.ElectionOutput.Send;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deterministic simulation of N election cores in one thread: virtual ticks and a network that
 * delays (0..delayTicksMax), drops, duplicates and thereby reorders messages, all drawn from one
 * seeded Random. Servers can crash, come back, restart their election, or be cut off by a
 * partition. After every delivered message and every tick it checks safety (see checkSafety).
 *
 * <p>It also stands in for Zab discovery, which the election alone does not include: a server
 * whose decision is not backed by an established leadership within {@code confirmTicks} goes back
 * to LOOKING, as a ZooKeeper follower that cannot connect to its leader (or a leader that gets no
 * quorum of followers) does.
 */
final class SimulatedCluster {
    record Faults(int delayTicksMax, int dropPercent, int duplicatePercent) {
    }

    private record InFlight(long deliverTick, long seq, long from, long to, Notification notification) {
    }

    private record Decision(Decided decided, long atTick) {
    }

    static final int CONFIRM_TICKS = 40;
    private static final int DELIVERIES_PER_TICK_MAX = 100_000;

    final long seed;
    private final Random random;
    private final Faults faults;
    private final QuorumVerifier quorum;
    private final ElectionTimings timings;
    private final Map<Long, Election> alive = new TreeMap<>();
    private final Map<Long, Decision> decisions = new TreeMap<>();
    private final Map<Long, long[]> zxidAndEpoch = new TreeMap<>();
    private final Set<Long> cutOff = new TreeSet<>();
    private final PriorityQueue<InFlight> network = new PriorityQueue<>(
            Comparator.comparingLong(InFlight::deliverTick).thenComparingLong(InFlight::seq));
    private long nextSeq;
    private long nowTick;
    int splitDecisions;

    SimulatedCluster(long seed, int servers, Faults faults, ElectionTimings timings) {
        this.seed = seed;
        this.random = new Random(seed);
        this.faults = faults;
        this.timings = timings;
        TreeSet<Long> sids = new TreeSet<>();
        for (long sid = 1; sid <= servers; sid++) {
            sids.add(sid);
            zxidAndEpoch.put(sid, new long[] {0, 0});
        }
        this.quorum = new QuorumVerifier(sids);
    }

    QuorumVerifier quorum() {
        return quorum;
    }

    long nowTick() {
        return nowTick;
    }

    void setLog(long sid, long zxid, long epoch) {
        zxidAndEpoch.put(sid, new long[] {zxid, epoch});
    }

    Vote initialVote(long sid) {
        long[] log = zxidAndEpoch.get(sid);
        return new Vote(sid, log[0], log[1]);
    }

    /** A (re)booted server: a fresh core, round 0, starting to look. */
    void boot(long sid) {
        long[] log = zxidAndEpoch.get(sid);
        alive.put(sid, new Election(sid, quorum, log[0], log[1], timings));
        restartElection(sid);
    }

    void crash(long sid) {
        alive.remove(sid);
        decisions.remove(sid);
    }

    void restartElection(long sid) {
        decisions.remove(sid);
        apply(sid, alive.get(sid).step(new ElectionInput.Start(nowTick)));
    }

    void partition(Set<Long> minority) {
        cutOff.clear();
        cutOff.addAll(minority);
    }

    void heal() {
        cutOff.clear();
    }

    Set<Long> aliveSids() {
        return alive.keySet();
    }

    Decided decisionOf(long sid) {
        Decision d = decisions.get(sid);
        return d == null ? null : d.decided();
    }

    /** Advances one tick: deliver what is due, tick every server, let unbacked decisions lapse. */
    void runTick() {
        nowTick++;
        int delivered = 0;
        while (!network.isEmpty() && network.peek().deliverTick() <= nowTick) {
            InFlight m = network.poll();
            Election target = alive.get(m.to());
            if (target != null && !blocked(m.from(), m.to())) {
                apply(m.to(), target.step(new ElectionInput.Received(m.from(), m.notification())));
            }
            if (++delivered > DELIVERIES_PER_TICK_MAX) {
                throw new AssertionError(fail("message storm: more than " + DELIVERIES_PER_TICK_MAX + " in a tick"));
            }
        }
        for (long sid : new ArrayList<>(alive.keySet())) {
            apply(sid, alive.get(sid).step(new ElectionInput.Tick(nowTick)));
        }
        lapseUnbackedDecisions();
    }

    /** Runs until {@code done} holds; fails with the seed after {@code ticksMax} ticks. */
    void runUntil(java.util.function.BooleanSupplier done, int ticksMax, String what) {
        for (int i = 0; i < ticksMax; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            runTick();
        }
        if (!done.getAsBoolean()) {
            throw new AssertionError(fail("liveness: not " + what + " within " + ticksMax + " ticks"));
        }
    }

    void runTicks(int ticks) {
        for (int i = 0; i < ticks; i++) {
            runTick();
        }
    }

    /** The leader that LEADS with a quorum (itself included) deciding for it, or null. */
    Long establishedLeader() {
        for (Map.Entry<Long, Decision> entry : decisions.entrySet()) {
            Decided d = entry.getValue().decided();
            if (d.role() == ServerState.LEADING && backers(entry.getKey(), d).size() >= quorum.quorumSize()) {
                return entry.getKey();
            }
        }
        return null;
    }

    /** True when every alive, reachable server has decided for the established leader. */
    boolean allFollow(Set<Long> sids) {
        Long leader = establishedLeader();
        if (leader == null) {
            return false;
        }
        for (long sid : sids) {
            Decided d = decisionOf(sid);
            if (d == null || d.leader().leaderSid() != leader) {
                return false;
            }
        }
        return true;
    }

    String fail(String message) {
        return message + " seed=" + seed + " tick=" + nowTick + " decisions=" + describeDecisions();
    }

    private Set<Long> backers(long leaderSid, Decided leading) {
        TreeSet<Long> backers = new TreeSet<>();
        for (Map.Entry<Long, Decision> entry : decisions.entrySet()) {
            Decided d = entry.getValue().decided();
            if (d.round() == leading.round() && d.leader().equals(leading.leader())
                    && alive.containsKey(entry.getKey()) && !blocked(entry.getKey(), leaderSid)) {
                backers.add(entry.getKey());
            }
        }
        return backers;
    }

    private void apply(long sid, List<ElectionOutput> outputs) {
        for (ElectionOutput output : outputs) {
            if (output instanceof Send send) {
                enqueue(sid, send.toSid(), send.notification());
            } else if (output instanceof Decided decided) {
                record(sid, decided);
            }
        }
        checkSafety();
    }

    private void record(long sid, Decided decided) {
        if (decisions.containsKey(sid)) {
            throw new AssertionError(fail("server " + sid + " decided twice without restarting: " + decided));
        }
        if (decided.role() == ServerState.LEADING && decided.leader().leaderSid() != sid) {
            throw new AssertionError(fail("server " + sid + " leads for another: " + decided));
        }
        for (Decision other : decisions.values()) {
            if (other.decided().round() == decided.round()
                    && other.decided().leader().leaderSid() != decided.leader().leaderSid()) {
                splitDecisions++; // FLE allows it; Zab discovery (lapseUnbackedDecisions) repairs it
                break;
            }
        }
        decisions.put(sid, new Decision(decided, nowTick));
    }

    /** Safety: at most one leader is established per round, and in all (two quorums intersect). */
    private void checkSafety() {
        Map<Long, Long> leaderByRound = new TreeMap<>();
        int established = 0;
        for (Map.Entry<Long, Decision> entry : decisions.entrySet()) {
            Decided d = entry.getValue().decided();
            if (d.role() != ServerState.LEADING || backers(entry.getKey(), d).size() < quorum.quorumSize()) {
                continue;
            }
            established++;
            Long previous = leaderByRound.put(d.round(), entry.getKey());
            if (previous != null) {
                throw new AssertionError(fail("two leaders established in round " + d.round()
                        + ": " + previous + " and " + entry.getKey()));
            }
        }
        if (established > 1) {
            throw new AssertionError(fail(established + " leaders established at once"));
        }
    }

    private void lapseUnbackedDecisions() {
        Long leader = establishedLeader();
        for (Map.Entry<Long, Decision> entry : new ArrayList<>(decisions.entrySet())) {
            long sid = entry.getKey();
            Decision d = entry.getValue();
            boolean backed = leader != null && d.decided().leader().leaderSid() == leader
                    && !blocked(sid, leader);
            if (!backed && nowTick - d.atTick() >= CONFIRM_TICKS) {
                restartElection(sid);
            }
        }
    }

    private void enqueue(long from, long to, Notification notification) {
        if (random.nextInt(100) < faults.dropPercent()) {
            return;
        }
        int copies = random.nextInt(100) < faults.duplicatePercent() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = random.nextInt(faults.delayTicksMax() + 1);
            network.add(new InFlight(nowTick + delay, nextSeq++, from, to, notification));
        }
    }

    private boolean blocked(long a, long b) {
        return cutOff.contains(a) != cutOff.contains(b);
    }

    private String describeDecisions() {
        StringBuilder sb = new StringBuilder("{");
        decisions.forEach((sid, d) -> sb.append(sid).append('=').append(d.decided().role())
                .append(':').append(d.decided().leader().leaderSid()).append("@r").append(d.decided().round())
                .append(' '));
        return sb.append('}').toString();
    }
}
