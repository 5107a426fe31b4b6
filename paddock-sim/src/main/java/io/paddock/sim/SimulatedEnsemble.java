package io.paddock.sim;

import io.paddock.core.CoreConfig;
import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.Replica;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.CorruptFileException;
import io.paddock.core.storage.TreeCapture;
import io.paddock.core.wire.Code;
import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.Notification;
import io.paddock.core.election.QuorumVerifier;
import io.paddock.core.election.ServerState;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.SnapStream;
import io.paddock.core.wire.quorum.ZooKeeperSnapReader;
import io.paddock.core.wire.quorum.DecodeResult;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.core.wire.quorum.TxnDigest;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import io.paddock.core.zab.LearnerRole;
import io.paddock.core.zab.ElectionHistory;
import io.paddock.core.zab.PeerConfig;
import io.paddock.core.zab.PeerEffect;
import io.paddock.core.zab.PeerEvent;
import io.paddock.core.zab.QuorumPeerCore;
import io.paddock.core.zab.ZabTimings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * N whole server cores ({@link Replica}s, each with its {@link QuorumPeerCore}) in one thread: virtual ticks, a simulated network and disk, and a
 * nemesis, every choice drawn from one seeded {@link Random}. One seed is one exact run.
 *
 * <p><b>Network.</b> Election messages are delayed, lost, duplicated and thereby reordered. The quorum
 * port is a connection per pair of servers, ordered and lossless while it lasts (TCP): a lost packet,
 * a partition in either direction or a crash breaks it, and both ends get {@link PeerEvent.PeerDown}
 * (a {@link PeerEffect.DropPeer} tells only the other end); packets of a broken connection are never
 * delivered. Partitions are symmetric (two sides) or one-way (a to b cut, b to a open).
 *
 * <p><b>Disk.</b> A server keeps exactly its two epochs across a crash. Epoch writes become durable in
 * the order asked, a few ticks later; a crash keeps a prefix of the writes in flight (a rename
 * either happened or not).
 *
 * <p><b>Checks</b> ({@link SafetyChecker}) after every delivered event; liveness is the caller's
 * ({@link #runUntil}).
 */
public final class SimulatedEnsemble {
    /** One server: its config, its disk (kept across crashes) and its replica (null while down). */
    public static final class Server {
        final long sid;
        final PeerConfig config;
        long lastZxid;
        Replica replica;
        /** The replica's quorum peer (null while down). */
        QuorumPeerCore core;
        /** Its election history, fed as the real shell feeds it; a restart begins a new one (it is memory). */
        ElectionHistory history;
        int incarnation;
        long diskAcceptedEpoch;
        long diskCurrentEpoch;
        final ArrayDeque<long[]> writesInFlight = new ArrayDeque<>();
        long lastWriteTick;
        /** Its log and snapshots, in the server's formats; kept across crashes as the disk keeps them. */
        final SimDisk disk;
        /** A log sync is scheduled (group commit: one sync makes every append before it durable). */
        boolean syncScheduled;
        /**
         * Extra ticks every log sync of this server takes: some servers have a slow disk, so a quorum
         * of the others can commit (and answer clients) before, say, the leader's own log is durable.
         */
        int slowDiskTicks;
        long lastCheckedApplied = -1;
        /** Its logged history not yet applied, as its effects say (what it will apply, in order). */
        final TreeMap<Long, TxnEnvelope> logged = new TreeMap<>();
        /** Its own snapshot begun (at its applied zxid) and waiting for its log to be durable that far. */
        TreeCapture ownCapture;
        /** The zxid of its last own snapshot (or what it recovered), and how far past it the next one is due. */
        long lastSnapshotZxid;
        long snapshotThreshold;
        /**
         * Whether its core serves (established leader or synced learner), as its observations say,
         * exactly (a spell shorter than a tick too), and since when it has not: its last spell's end,
         * or its start.
         */
        boolean serving;
        long notServingSinceTick;
        /** When its last few serving spells ended (a crash ends one too), oldest first. */
        final ArrayDeque<Long> spellEnds = new ArrayDeque<>();

        Server(long sid, PeerConfig config) {
            this.sid = sid;
            this.config = config;
            this.disk = new SimDisk("s" + sid);
        }

        public SimDisk disk() {
            return disk;
        }

        public boolean isUp() {
            return core != null;
        }

        public QuorumPeerCore core() {
            return core;
        }

        /** The whole server core (null while down). */
        public Replica replica() {
            return replica;
        }

        /** The elections of its current incarnation (null while down). */
        public ElectionHistory history() {
            return history;
        }

        /** The tick since which it has not served (its last spell's end, or its start); -1 while it serves. */
        public long notServingSinceTick() {
            return serving ? -1 : notServingSinceTick;
        }

        /** Whether one of its serving spells ended in [from, to] (as far as the last few are kept). */
        public boolean stoppedServingWithin(long from, long to) {
            for (long end : spellEnds) {
                if (end >= from && end <= to) {
                    return true;
                }
            }
            return false;
        }

        void endSpell(long tick) {
            serving = false;
            notServingSinceTick = tick;
            spellEnds.addLast(tick);
            if (spellEnds.size() > 64) {
                spellEnds.pollFirst();
            }
        }

        public long diskAcceptedEpoch() {
            return diskAcceptedEpoch;
        }

        public long diskCurrentEpoch() {
            return diskCurrentEpoch;
        }
    }

    private sealed interface Envelope {
        long deliverTick();

        long seq();

        long to();

        int toIncarnation();
    }

    private record ElectionMessage(long deliverTick, long seq, long to, int toIncarnation, long from,
            Notification notification) implements Envelope {}

    /**
     * A quorum packet on its way. A SNAP carries its leader's {@link SnapStream} ({@code stream},
     * null for any other packet) and is read out of the leader's tree only when it arrives, as a
     * server's transport reads it while it streams: the leader applies what it committed
     * meanwhile, and the stream must still hold the state it began at. One that never arrives is
     * abandoned, so the leader's tree stops keeping nodes for it.
     */
    private record QuorumMessage(long deliverTick, long seq, long to, int toIncarnation, long from, long linkGeneration,
            QuorumPacket packet, long ackedEpoch, SnapStream stream) implements Envelope {
        void abandon() {
            if (stream != null) {
                stream.abandon();
            }
        }

        /**
         * What its peer's core is told: the packet, or for a SNAP the snapshot its stream makes, read
         * as a server's transport reads it ({@link ZooKeeperSnapReader}, in pieces as they arrive).
         */
        PeerEvent received() {
            if (stream == null) {
                return new PeerEvent.QuorumReceived(from, packet);
            }
            String origin = "SNAP from s" + from;
            ZooKeeperSnapReader reader = new ZooKeeperSnapReader(packet.zxid(), 0, Long.MAX_VALUE, origin);
            try {
                byte[] unread = new byte[0]; // an item's first bytes, whose rest comes with the next piece
                for (byte[] piece = stream.next(SNAP_PIECE_BYTES); piece != null; piece = stream.next(SNAP_PIECE_BYTES)) {
                    byte[] buf = java.util.Arrays.copyOf(unread, unread.length + piece.length);
                    System.arraycopy(piece, 0, buf, unread.length, piece.length);
                    int at = 0;
                    while (at < buf.length) {
                        DecodeResult<Object> r = reader.decode(buf, at, buf.length - at);
                        if (!(r instanceof DecodeResult.Complete<Object> c)) {
                            break;
                        }
                        at += c.length();
                        if (c.value() instanceof SnapshotData snapshot) {
                            if (at != buf.length || stream.next(SNAP_PIECE_BYTES) != null) {
                                throw new IllegalStateException(origin + ": bytes after the signature");
                            }
                            return new PeerEvent.SnapshotReceived(from, packet.zxid(), snapshot);
                        }
                    }
                    unread = java.util.Arrays.copyOfRange(buf, at, buf.length);
                }
            } catch (PeerProtocolException e) {
                throw new IllegalStateException(origin + ": a leader's stream does not read: " + e.getMessage(), e);
            }
            throw new IllegalStateException(origin + ": the stream ended before its signature");
        }
    }

    private record ConnectionClosed(long deliverTick, long seq, long to, int toIncarnation, long other)
            implements Envelope {}

    private record WriteDurable(long deliverTick, long seq, long to, int toIncarnation, long accepted, long current)
            implements Envelope {}

    private record LogSync(long deliverTick, long seq, long to, int toIncarnation) implements Envelope {}

    /** A server's own snapshot file is synced and renamed into place. */
    private record SnapshotSynced(long deliverTick, long seq, long to, int toIncarnation, long zxid) implements Envelope {}

    /**
     * Members take their own snapshots as the server does (Snapshots): once more than
     * SNAP_COUNT/2 + r transactions were applied since the last one (r random below SNAP_COUNT/2),
     * of the tree at its applied zxid; the file is written only once the log is durable that far
     * (a member applies commits before its own sync), and becomes durable a few ticks later, so
     * crashes land before, during and after it.
     */
    static final int SNAP_COUNT = 40;
    /** The pieces a leader's SNAP stream is read out in (small: many pieces per stream, as in a server). */
    private static final int SNAP_PIECE_BYTES = 512;
    private static final int SNAPSHOT_PIECE_NODES = 64;

    /** The shell of {@code to} tells its core that {@code about}'s election port could not be reached. */
    private record ElectionRefused(long deliverTick, long seq, long to, int toIncarnation, long about)
            implements Envelope {}

    private static final class Link {
        long generation;
        long lastDeliverTick;
    }

    /** What a server observed and when (votes, decisions, role changes, established epochs). */
    public record Observed(long tick, long sid, PeerEffect.Observation observation) {}

    /** Observations kept per run; beyond it the oldest are forgotten (and counted). */
    private static final int OBSERVATIONS_MAX = 100_000;

    /**
     * Virtual milliseconds per tick: a tick is one peer tick of the servers (the real server's is
     * 50 ms), and their replicas' clocks read {@code tick * TICK_MS}.
     */
    public static final long TICK_MS = 50;

    /** How often (percent) a notification's sender is told that its live target is unreachable. */
    private static final int UNREACHABLE_WRONGLY_PERCENT = 2;

    /** A bound on work per tick, so a message storm fails loudly instead of hanging the build. */
    private static final int DELIVERIES_PER_TICK_MAX = 200_000;

    public final long seed;
    private final Random random;
    private FaultPlan plan;
    private final QuorumVerifier voters;
    private final Map<Long, Server> servers = new TreeMap<>();
    private final PriorityQueue<Envelope> inFlight = new PriorityQueue<>(
            Comparator.comparingLong(Envelope::deliverTick).thenComparingLong(Envelope::seq));
    private final Map<Long, Link> links = new TreeMap<>();
    /** Directed cuts: a key (from, to) here means from's messages to to are lost. */
    private final Set<Long> cuts = new TreeSet<>();
    private final SafetyChecker checker;
    private final Trace trace;
    private final ArrayDeque<Observed> observations = new ArrayDeque<>();
    private long observationsForgotten;
    private long nextSeq;
    private long nowTick;

    public SimulatedEnsemble(long seed, int voterCount, int observerCount, FaultPlan plan, ElectionTimings electionTimings,
            ZabTimings zabTimings, Trace trace) {
        this.seed = seed;
        this.random = new Random(seed);
        this.plan = plan;
        this.trace = trace;
        Set<Long> voterSids = new TreeSet<>();
        Set<Long> observerSids = new TreeSet<>();
        for (long sid = 1; sid <= voterCount + observerCount; sid++) {
            (sid <= voterCount ? voterSids : observerSids).add(sid);
        }
        this.voters = new QuorumVerifier(voterSids);
        for (long sid = 1; sid <= voterCount + observerCount; sid++) {
            servers.put(sid, new Server(sid, new PeerConfig(sid, voters, observerSids, electionTimings, zabTimings)));
        }
        // Drawn apart from the run's main sequence, so that adding it changed no election scenario.
        Random disks = new Random(seed ^ 0x5D15C0DEL);
        for (Server s : servers.values()) {
            s.slowDiskTicks = disks.nextInt(3) == 0 ? 4 + disks.nextInt(12) : 0;
        }
        // Drawn apart too: a third of the seeds have leaders that send fuzzy snapshots, as ZooKeeper's do.
        Random fuzzy = new Random(seed ^ 0xF022_5EEDL);
        this.fuzzySnapshotTxns = fuzzy.nextInt(3) == 0 ? 1 + fuzzy.nextInt(4) : 0;
        this.checker = new SafetyChecker(this);
        StringBuilder slow = new StringBuilder();
        for (Server s : servers.values()) {
            if (s.slowDiskTicks > 0) {
                slow.append(" s").append(s.sid).append("+").append(s.slowDiskTicks);
            }
        }
        trace.line("seed=" + seed + " voters=" + voterSids + " observers=" + observerSids + " " + plan + " "
                + electionTimings + " " + zabTimings + " slow log disks:" + (slow.length() == 0 ? " none" : slow)
                + " fuzzy snapshots: " + (fuzzySnapshotTxns == 0 ? "no" : "up to " + fuzzySnapshotTxns + " txns"));
    }

    public Random random() {
        return random;
    }

    public FaultPlan plan() {
        return plan;
    }

    public void setPlan(FaultPlan plan) {
        this.plan = plan;
        trace.line("t=" + nowTick + " plan " + plan);
    }

    public QuorumVerifier voters() {
        return voters;
    }

    public Set<Long> sids() {
        return servers.keySet();
    }

    public Server server(long sid) {
        return servers.get(sid);
    }

    public long nowTick() {
        return nowTick;
    }

    public SafetyChecker checker() {
        return checker;
    }

    public Trace trace() {
        return trace;
    }

    /**
     * Gives a down server a logged history up to {@code zxid} (transactions that change nothing, as
     * if it had logged proposals no one else has): what its log says at its next start.
     */
    public void setLastZxid(long sid, long zxid) {
        Server s = servers.get(sid);
        if (s.isUp()) {
            throw new IllegalStateException("server " + sid + " is up");
        }
        try {
            s.disk.recover();
        } catch (CorruptFileException e) {
            throw checker.failure("s" + sid + "'s disk does not recover: " + e.getMessage(), e);
        }
        for (long z = s.disk.lastAppendedZxid() + 1; z <= zxid; z++) {
            s.disk.append(new TxnEnvelope(z, 0, 0, 0, new Txn.Error(Code.NO_NODE)));
        }
        try {
            s.disk.sync();
        } catch (SimDiskFullException e) {
            throw checker.failure("s" + sid + ": " + e.getMessage(), e);
        }
        s.disk.crash(random);
        s.lastZxid = zxid;
    }

    /** A packet on the quorum port, as a scenario's trigger sees it. */
    public interface PacketMatch {
        boolean matches(long from, long to, QuorumPacket packet);
    }

    private record Trigger(boolean onDelivery, PacketMatch match, Runnable action) {}

    private final List<Trigger> triggers = new ArrayList<>();
    private final List<Runnable> afterStep = new ArrayList<>();

    /**
     * Once, when a packet matching {@code match} is sent, runs {@code action} right after the
     * sender's step (so a crash there loses nothing that step already made durable or sent).
     */
    public void onceSent(PacketMatch match, Runnable action) {
        triggers.add(new Trigger(false, match, action));
    }

    /** Once, when a packet matching {@code match} has been delivered and handled, runs {@code action} after that step. */
    public void onceDelivered(PacketMatch match, Runnable action) {
        triggers.add(new Trigger(true, match, action));
    }

    /** Triggers not fired yet. */
    public int triggersPending() {
        return triggers.size();
    }

    private void fire(boolean onDelivery, long from, long to, QuorumPacket packet) {
        for (int i = 0; i < triggers.size(); i++) {
            Trigger t = triggers.get(i);
            if (t.onDelivery() == onDelivery && t.match().matches(from, to, packet)) {
                triggers.remove(i);
                trace.line("t=" + nowTick + " TRIGGER on " + (onDelivery ? "delivery" : "send") + " of "
                        + QuorumPacketType.name(packet.type()) + " 0x" + Long.toHexString(packet.zxid()) + " s" + from
                        + " -> s" + to);
                afterStep.add(t.action());
                return;
            }
        }
    }

    /** Where the servers' client effects go (replies, watches, closed connections); none by default. */
    public interface ClientSink {
        void deliver(long sid, Effect effect);
    }

    private ClientSink clientSink = (sid, effect) -> {
        throw new IllegalStateException("s" + sid + " answered a client, but no workload runs: " + effect);
    };

    public void setClientSink(ClientSink sink) {
        this.clientSink = sink;
    }

    /**
     * Feeds a client event (connect, request, close) to an up server. A client that reacts to an
     * answer (called while a step's effects are carried out) has its event fed right after that
     * step, as a real server's loop takes the next event only once a step's effects are done.
     */
    public void clientEvent(long sid, Event event) {
        Server s = servers.get(sid);
        if (!s.isUp()) {
            throw new IllegalStateException("s" + sid + " is down");
        }
        if (stepping) {
            afterStep.add(() -> {
                if (s.isUp()) {
                    stepServer(s, event);
                }
            });
            return;
        }
        stepServer(s, event);
    }

    /** Whether a step's effects are being carried out (client reactions wait until it is done). */
    private boolean stepping;

    // ---------------------------------------------------------------- lifecycle and nemesis

    /** Starts (or restarts) a down server from its disk; its election begins with the next tick. */
    public void start(long sid) {
        Server s = servers.get(sid);
        if (s.isUp()) {
            throw new IllegalStateException("server " + sid + " is already up");
        }
        s.incarnation++;
        long nowMs = nowTick * TICK_MS;
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        SimDisk.Recovered disk;
        try {
            disk = s.disk.recover();
        } catch (CorruptFileException e) {
            throw checker.failure("s" + sid + " cannot recover its disk: " + e.getMessage(), e);
        }
        // Session ids as the real server draws them: the clock in the middle bits, the sid in the top byte.
        s.replica = new Replica(CoreConfig.defaults(), ((nowMs << 24) >>> 8) | (sid << 56), secret, nowMs);
        s.replica.expectEnsemble();
        s.replica.emulateFuzzySnapshots(fuzzySnapshotTxns);
        if (disk.snapshot() != null) {
            s.replica.restoredSnapshot(disk.snapshot());
        }
        s.logged.clear();
        for (TxnEnvelope txn : disk.txns()) {
            s.logged.put(txn.zxid(), txn);
            s.replica.replay(txn);
        }
        s.lastZxid = Math.max(disk.lastZxid(), disk.snapshotZxid());
        s.replica.recovered(s.lastZxid);
        s.syncScheduled = false;
        s.lastCheckedApplied = -1;
        s.ownCapture = null;
        s.lastSnapshotZxid = s.lastZxid;
        s.snapshotThreshold = nextSnapshotThreshold();
        s.replica.joinEnsemble(s.config, s.diskAcceptedEpoch, s.diskCurrentEpoch, TICK_MS);
        s.core = s.replica.peer();
        s.serving = false;
        s.notServingSinceTick = nowTick;
        s.history = new ElectionHistory(sid);
        checker.restarted(s);
        trace.line("t=" + nowTick + " s" + sid + " START from disk (accepted=" + s.diskAcceptedEpoch + ", current="
                + s.diskCurrentEpoch + ") lastZxid=0x" + Long.toHexString(s.lastZxid));
    }

    /** Crashes a server: it keeps its durable epochs and a prefix of its epoch writes in flight. */
    public void crash(long sid) {
        Server s = servers.get(sid);
        if (!s.isUp()) {
            throw new IllegalStateException("server " + sid + " is already down");
        }
        int kept = random.nextInt(s.writesInFlight.size() + 1);
        for (int i = 0; i < kept; i++) {
            long[] w = s.writesInFlight.poll();
            applyWrite(s, w[0], w[1]);
        }
        s.writesInFlight.clear();
        if (s.serving) {
            s.endSpell(nowTick);
        }
        String torn = s.disk.crash(random);
        s.ownCapture = null; // it was memory: the capture of a snapshot not yet written
        s.replica = null;
        s.core = null;
        s.history = null;
        s.incarnation++;
        trace.line("t=" + nowTick + " s" + sid + " CRASH (kept " + kept + " writes in flight; disk accepted="
                + s.diskAcceptedEpoch + " current=" + s.diskCurrentEpoch + "; log: " + torn + ")");
        for (long other : servers.keySet()) {
            if (other != sid) {
                breakLink(sid, other, true);
            }
        }
    }

    /** Cuts every message between the two sides, both ways. */
    public void partition(Set<Long> side) {
        cuts.clear();
        for (long a : servers.keySet()) {
            for (long b : servers.keySet()) {
                if (side.contains(a) != side.contains(b)) {
                    cuts.add(cutKey(a, b));
                }
            }
        }
        trace.line("t=" + nowTick + " PARTITION " + side + " | rest");
    }

    /** Cuts messages from {@code from} to {@code to} only (adds to the current cuts). */
    public void cutOneWay(long from, long to) {
        cuts.add(cutKey(from, to));
        trace.line("t=" + nowTick + " CUT " + from + " -> " + to);
    }

    public void heal() {
        cuts.clear();
        trace.line("t=" + nowTick + " HEAL");
    }

    /** One tick of the nemesis, with the plan's rates. */
    public void nemesisTick() {
        List<Long> up = new ArrayList<>();
        List<Long> down = new ArrayList<>();
        for (Server s : servers.values()) {
            (s.isUp() ? up : down).add(s.sid);
        }
        if (!up.isEmpty() && chance(plan.crashPerMille(), 1000)) {
            crash(up.get(random.nextInt(up.size())));
        }
        if (!down.isEmpty() && chance(plan.restartPerMille(), 1000)) {
            start(down.get(random.nextInt(down.size())));
        }
        if (chance(plan.partitionPerMille(), 1000)) {
            List<Long> all = new ArrayList<>(servers.keySet());
            if (random.nextBoolean()) {
                Set<Long> side = new TreeSet<>();
                for (long sid : all) {
                    if (random.nextBoolean()) {
                        side.add(sid);
                    }
                }
                partition(side);
            } else {
                long a = all.get(random.nextInt(all.size()));
                long b = all.get(random.nextInt(all.size()));
                if (a != b) {
                    cutOneWay(a, b);
                }
            }
        }
        if (chance(plan.healPerMille(), 1000)) {
            heal();
        }
    }

    // ---------------------------------------------------------------- running

    /** Advances one tick: delivers everything due, then ticks every live server in sid order. */
    public void runTick() {
        nowTick++;
        int deliveries = 0;
        while (!inFlight.isEmpty() && inFlight.peek().deliverTick() <= nowTick) {
            if (++deliveries > DELIVERIES_PER_TICK_MAX) {
                throw checker.failure("more than " + DELIVERIES_PER_TICK_MAX + " deliveries in one tick");
            }
            deliver(inFlight.poll());
        }
        for (Server s : servers.values()) {
            if (s.isUp()) {
                stepServer(s, new Event.Tick(nowTick * TICK_MS));
            }
        }
        checker.afterTick();
    }

    public void runTicks(int ticks) {
        for (int i = 0; i < ticks; i++) {
            runTick();
        }
    }

    /** Runs until {@code done} holds, failing (with the seed) after {@code ticksMax} ticks. */
    public long runUntil(BooleanSupplier done, int ticksMax, String what) {
        long from = nowTick;
        for (int i = 0; i < ticksMax; i++) {
            if (done.getAsBoolean()) {
                return nowTick - from;
            }
            runTick();
        }
        if (done.getAsBoolean()) {
            return nowTick - from;
        }
        throw checker.failure("not reached within " + ticksMax + " ticks: " + what + "; " + describe());
    }

    private void deliver(Envelope envelope) {
        Server to = servers.get(envelope.to());
        if (!to.isUp() || to.incarnation != envelope.toIncarnation()) {
            if (envelope instanceof QuorumMessage m) {
                m.abandon();
            }
            return; // addressed to a server that crashed since
        }
        if (envelope instanceof ElectionMessage m) {
            stepServer(to, new PeerEvent.ElectionReceived(m.from(), m.notification()));
        } else if (envelope instanceof QuorumMessage m) {
            if (link(m.from(), m.to()).generation != m.linkGeneration()) {
                m.abandon();
                return; // the connection it travelled on is gone
            }
            if (cuts.contains(cutKey(m.from(), m.to()))) {
                m.abandon();
                breakLink(m.from(), m.to(), true); // a partition fell while it travelled
                return;
            }
            PeerEvent received = m.received();
            checker.quorumDelivered(m.from(), m.to(), m.packet(), m.ackedEpoch());
            fire(true, m.from(), m.to(), m.packet());
            stepServer(to, received);
        } else if (envelope instanceof ConnectionClosed c) {
            stepServer(to, new PeerEvent.PeerDown(c.other()));
        } else if (envelope instanceof ElectionRefused r) {
            stepServer(to, new PeerEvent.ElectionUnreachable(r.about()));
        } else if (envelope instanceof WriteDurable w) {
            long[] first = to.writesInFlight.poll();
            if (first == null || first[0] != w.accepted() || first[1] != w.current()) {
                throw checker.failure("disk completed a write out of order at s" + to.sid);
            }
            applyWrite(to, w.accepted(), w.current());
            stepServer(to, new PeerEvent.EpochsPersisted(w.accepted(), w.current()));
        } else if (envelope instanceof LogSync) {
            to.syncScheduled = false;
            long durable;
            try {
                durable = to.disk.sync();
            } catch (SimDiskFullException e) {
                throw checker.failure("s" + to.sid + ": " + e.getMessage(), e);
            }
            stepServer(to, new Event.LogAppended(durable));
        } else if (envelope instanceof SnapshotSynced done) {
            // An install may have made it land first, and a newer one of its own may be pending now.
            if (to.disk.pendingSnapshotZxid() == done.zxid()) {
                long zxid = to.disk.completeSnapshot();
                trace.line("t=" + nowTick + " s" + to.sid + " own snapshot at 0x" + Long.toHexString(zxid) + " durable");
            }
        }
    }

    private int nextSnapshotThreshold() {
        return SNAP_COUNT / 2 + random.nextInt(SNAP_COUNT / 2);
    }

    /** After each step of a live server: begins its own snapshot when due, writes it once its log is durable. */
    private void ownSnapshot(Server s) {
        if (s.ownCapture == null) {
            long applied = s.replica.lastAppliedZxid();
            if (s.disk.snapshotPending() || applied - s.lastSnapshotZxid <= s.snapshotThreshold) {
                return;
            }
            s.ownCapture = TreeCapture.begin(s.replica.tree(), s.replica.sessions(), applied, nowTick * TICK_MS);
            s.lastSnapshotZxid = applied;
            s.snapshotThreshold = nextSnapshotThreshold();
        }
        TreeCapture capture = s.ownCapture;
        if (s.disk.snapshotPending() || s.replica.durableZxid() < capture.lastZxid()) {
            return; // the file waits for the log (Snapshots.awaitLogDurable)
        }
        s.ownCapture = null;
        try {
            s.disk.writeSnapshot(capture.source(() -> capture.next(SNAPSHOT_PIECE_NODES)));
        } finally {
            capture.end();
        }
        enqueue(new SnapshotSynced(nowTick + 1 + random.nextInt(3), nextSeq++, s.sid, s.incarnation,
                capture.lastZxid()));
        trace.line("t=" + nowTick + " s" + s.sid + " writes its own snapshot at 0x" + Long.toHexString(capture.lastZxid()));
    }

    private void stepServer(Server s, PeerEvent event) {
        stepServer(s, new Event.Peer(event));
    }

    private void stepServer(Server s, Event event) {
        if (stepping) {
            throw new IllegalStateException("s" + s.sid + " stepped while a step's effects were carried out: " + event);
        }
        stepping = true;
        try {
            stepServerOnce(s, event);
        } finally {
            stepping = false;
        }
        while (!afterStep.isEmpty()) {
            List<Runnable> actions = new ArrayList<>(afterStep);
            afterStep.clear();
            actions.forEach(Runnable::run);
        }
    }

    private void stepServerOnce(Server s, Event event) {
        List<Effect> effects = new ArrayList<>();
        List<PeerEffect> peerEffects = new ArrayList<>();
        try {
            s.replica.step(event, effects);
            for (Effect effect : effects) {
                if (effect instanceof Effect.Peer p) {
                    peerEffects.add(p.effect());
                }
            }
            s.history.record(s.core.nowTick(), peerEffects); // its checks run under every fault too
            s.replica.checkInvariants();
        } catch (RuntimeException e) {
            throw checker.failure("s" + s.sid + " threw on " + event + ": " + e, e); // a core bug, with its seed
        }
        if (trace.full() && !(event instanceof Event.Tick)) {
            trace.line("t=" + nowTick + " s" + s.sid + " <- " + event);
        }
        for (Effect effect : effects) {
            if (!s.isUp()) {
                break; // nothing it does after a crash happens
            }
            if (effect instanceof Effect.Peer p) {
                execute(s, p.effect());
            } else {
                executeLocal(s, effect);
            }
        }
        if (s.isUp()) {
            checker.afterStep(s);
            checkAppliedState(s);
            ownSnapshot(s);
        }
    }

    /** The server's own effects: its disk, its clients, its log lines. */
    private void executeLocal(Server s, Effect effect) {
        if (effect instanceof Effect.AppendLog append) {
            s.disk.append(append.txn());
            s.logged.put(append.txn().zxid(), append.txn());
            if (!s.syncScheduled) {
                s.syncScheduled = true;
                enqueue(new LogSync(nowTick + 1 + random.nextInt(plan.diskDelayTicksMax() + 1) + s.slowDiskTicks,
                        nextSeq++, s.sid, s.incarnation));
            }
        } else if (effect instanceof Effect.TruncateLog truncate) {
            s.disk.truncateAfter(truncate.zxid());
            s.logged.tailMap(truncate.zxid(), false).clear();
            trace.line("t=" + nowTick + " s" + s.sid + " truncates its log after 0x" + Long.toHexString(truncate.zxid()));
        } else if (effect instanceof Effect.InstallSnapshot install) {
            long zxid = install.snapshot().header().lastZxid();
            if (s.disk.snapshotPending()) {
                s.disk.completeSnapshot(); // its own snapshot's rename lands first (its writer runs on)
            }
            s.disk.truncateAfter(zxid); // first: a crash between leaves an older state, never a mix
            s.logged.clear(); // what it applies next comes after the snapshot
            s.disk.writeSnapshot(install.snapshot().asSource());
            s.disk.completeSnapshot();
            if (zxid > s.lastSnapshotZxid) { // it counts as the last snapshot (Snapshots.installed)
                s.lastSnapshotZxid = zxid;
                s.snapshotThreshold = nextSnapshotThreshold();
            }
            trace.line("t=" + nowTick + " s" + s.sid + " installs its leader's snapshot at 0x" + Long.toHexString(zxid));
        } else if (effect instanceof Effect.Trace t) {
            trace.line("t=" + nowTick + " s" + s.sid + " " + t.message());
        } else {
            clientSink.deliver(s.sid, effect);
        }
    }

    private void execute(Server s, PeerEffect effect) {
        if (effect instanceof PeerEffect.SendElection send) {
            sendElection(s.sid, send.toSid(), send.notification());
            if (trace.full()) {
                trace.line("t=" + nowTick + " s" + s.sid + " -> " + effect);
            }
        } else if (effect instanceof PeerEffect.SendQuorum send) {
            sendQuorum(s, send.toSid(), send.packet());
            if (trace.full()) {
                trace.line("t=" + nowTick + " s" + s.sid + " -> " + effect + requestSummary(send.packet()));
            }
        } else if (effect instanceof PeerEffect.SendSnapshot send) {
            sendQuorum(s, send.toSid(), new QuorumPacket(QuorumPacketType.SNAP, send.zxid(), null, null), send.stream());
            trace.line("t=" + nowTick + " s" + s.sid + " -> SNAP 0x" + Long.toHexString(send.zxid()) + " to s" + send.toSid());
        } else if (effect instanceof PeerEffect.DropPeer drop) {
            trace.line("t=" + nowTick + " s" + s.sid + " drops " + drop.sid() + ": " + drop.reason());
            breakLink(s.sid, drop.sid(), false);
        } else if (effect instanceof PeerEffect.PersistEpochs persist) {
            long at = Math.max(s.lastWriteTick, nowTick + 1 + random.nextInt(plan.diskDelayTicksMax() + 1));
            s.lastWriteTick = at;
            s.writesInFlight.add(new long[] {persist.acceptedEpoch(), persist.currentEpoch()});
            enqueue(new WriteDurable(at, nextSeq++, s.sid, s.incarnation, persist.acceptedEpoch(),
                    persist.currentEpoch()));
            trace.line("t=" + nowTick + " s" + s.sid + " persist " + persist);
        } else if (effect instanceof PeerEffect.Observation observation) {
            trace.line("t=" + nowTick + " s" + s.sid + " " + observation);
            if (observations.size() == OBSERVATIONS_MAX) {
                observations.poll();
                observationsForgotten++;
            }
            observations.add(new Observed(nowTick, s.sid, observation));
            checker.observed(s, observation);
            if (observation instanceof PeerEffect.Established || observation instanceof PeerEffect.Synced) {
                s.serving = true;
            } else if (observation instanceof PeerEffect.RoleChanged changed && changed.to() == ServerState.LOOKING
                    && s.serving) {
                s.endSpell(nowTick);
            }
            if (observation instanceof PeerEffect.Established established) {
                checkLeaderHoldsCommitted(s, established.epoch());
            }
        }
    }

    /** For the trace: whose request a REQUEST forwards (session, cxid, op). */
    private static String requestSummary(QuorumPacket p) {
        byte[] d = p.data();
        if (p.type() != QuorumPacketType.REQUEST || d == null || d.length < 16) {
            return "";
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d);
        return " (session 0x" + Long.toHexString(b.getLong()) + " cxid " + b.getInt() + " op " + b.getInt() + ")";
    }

    private void sendElection(long from, long to, Notification n) {
        Server target = servers.get(to);
        if (target == null) {
            return;
        }
        // A crashed server refuses the connection, and its peer's shell says so; now and then a
        // live one is reported unreachable too (a connection that failed for a moment): such reports
        // only spare an election its finalize wait, and must never cost safety.
        if (!target.isUp() || (plan.linkBreakPerMille() > 0 && chance(UNREACHABLE_WRONGLY_PERCENT, 100))) {
            Server sender = servers.get(from);
            enqueue(new ElectionRefused(nowTick + 1, nextSeq++, from, sender.incarnation, to));
        }
        if (cuts.contains(cutKey(from, to)) || chance(plan.dropPercent(), 100)) {
            return;
        }
        enqueue(new ElectionMessage(nowTick + 1 + random.nextInt(plan.delayTicksMax() + 1), nextSeq++, to,
                target.incarnation, from, n));
        if (chance(plan.duplicatePercent(), 100)) {
            enqueue(new ElectionMessage(nowTick + 1 + random.nextInt(plan.delayTicksMax() + 1), nextSeq++, to,
                    target.incarnation, from, n));
        }
    }

    private void sendQuorum(Server s, long to, QuorumPacket packet) {
        sendQuorum(s, to, packet, null);
    }

    private void sendQuorum(Server s, long to, QuorumPacket packet, SnapStream stream) {
        Server target = servers.get(to);
        if (target == null) {
            throw checker.failure("s" + s.sid + " sent to unknown server " + to);
        }
        long ackedEpoch = checker.quorumSent(s, to, packet);
        fire(false, s.sid, to, packet);
        if (packet.type() >= QuorumPacketType.DIFF && packet.type() <= QuorumPacketType.SNAP) {
            syncModes.merge(QuorumPacketType.name(packet.type()), 1L, Long::sum);
        }
        if (!target.isUp() || cuts.contains(cutKey(s.sid, to)) || chance(plan.linkBreakPerMille(), 1000)) {
            if (stream != null) {
                stream.abandon();
            }
            breakLink(s.sid, to, true);
            return;
        }
        Link link = link(s.sid, to);
        long at = Math.max(link.lastDeliverTick, nowTick + 1 + random.nextInt(plan.delayTicksMax() + 1));
        link.lastDeliverTick = at;
        QuorumPacket delivered = misdigestProposals ? misdigested(packet) : packet;
        enqueue(new QuorumMessage(at, nextSeq++, to, target.incarnation, s.sid, link.generation, delivered, ackedEpoch,
                stream));
    }

    /**
     * From now on every PROPOSAL and INFORM that carries a TxnDigest reaches its learner with that
     * digest off by one (the txn itself intact): a leader whose digests are wrong, or learners whose
     * trees drifted. Learners must count each mismatch and go on, so the check that no server
     * counted one is off for this run.
     */
    public void misdigestProposals() {
        misdigestProposals = true;
        digestMismatchesExpected = true;
    }

    private boolean misdigestProposals;
    private boolean digestMismatchesExpected;

    private static QuorumPacket misdigested(QuorumPacket packet) {
        if (packet.type() != QuorumPacketType.PROPOSAL && packet.type() != QuorumPacketType.INFORM) {
            return packet;
        }
        try {
            ZabTxnCodec.Decoded txn = ZabTxnCodec.decode(packet.data());
            if (txn.digest() == null) {
                return packet;
            }
            TxnDigest wrong = new TxnDigest(txn.digest().version(), txn.digest().treeDigest() + 1);
            return new QuorumPacket(packet.type(), packet.zxid(),
                    ZabTxnCodec.encode(txn.envelope(), wrong), packet.authinfo());
        } catch (PeerProtocolException e) {
            throw new IllegalStateException("a core proposed bytes that do not decode: " + e.getMessage(), e);
        }
    }

    /**
     * Delivers {@code packet} to {@code to} as if {@code from} had sent it on their quorum
     * connection, bypassing {@code from}'s core and the checks of what cores send: a peer that
     * sends malformed bytes. Nothing is sent when the connection is not open.
     */
    public void injectHostile(long from, long to, QuorumPacket packet) {
        Server target = servers.get(to);
        if (!target.isUp() || !servers.get(from).isUp() || cuts.contains(cutKey(from, to))) {
            return;
        }
        Link link = link(from, to);
        long at = Math.max(link.lastDeliverTick, nowTick + 1);
        link.lastDeliverTick = at;
        trace.line("t=" + nowTick + " HOSTILE s" + from + " -> s" + to + " " + packet);
        enqueue(new QuorumMessage(at, nextSeq++, to, target.incarnation, from, link.generation, packet, -1, null));
    }

    /** Closes the a-b connection; b is told (and a too when the network broke it, not a's own close). */
    private void breakLink(long a, long b, boolean tellBoth) {
        Link link = link(a, b);
        link.generation++;
        link.lastDeliverTick = nowTick + 1;
        notifyClosed(b, a);
        if (tellBoth) {
            notifyClosed(a, b);
        }
    }

    private void notifyClosed(long to, long other) {
        Server s = servers.get(to);
        if (s.isUp()) {
            enqueue(new ConnectionClosed(nowTick + 1, nextSeq++, to, s.incarnation, other));
        }
    }

    private void applyWrite(Server s, long accepted, long current) {
        checker.diskWrite(s, accepted, current);
        s.diskAcceptedEpoch = accepted;
        s.diskCurrentEpoch = current;
    }

    private void enqueue(Envelope e) {
        inFlight.add(e);
    }

    private Link link(long a, long b) {
        return links.computeIfAbsent(Math.min(a, b) * 1_000_003L + Math.max(a, b), k -> new Link());
    }

    private static long cutKey(long from, long to) {
        return from * 1_000_003L + to;
    }

    private boolean chance(int rate, int outOf) {
        return rate > 0 && random.nextInt(outOf) < rate;
    }

    // ---------------------------------------------------------------- replicated state

    /** How often each sync mode was sent in this run (DIFF, TRUNC, SNAP). */
    private final Map<String, Long> syncModes = new TreeMap<>();

    public Map<String, Long> syncModes() {
        return Map.copyOf(syncModes);
    }

    /** The fingerprint of the applied state (tree and sessions) each zxid had on the first server to reach it. */
    private final Map<Long, Long> stateAt = new TreeMap<>();
    private final Map<Long, Long> stateFirstSeenOn = new TreeMap<>();
    private final Map<Long, Long> treeDigestAt = new TreeMap<>();

    /**
     * Servers that applied the same zxid hold the same tree and sessions: the committed prefixes
     * agree (a different transaction at a zxid, or a different order, shows as a different state).
     * They also have the same tree digest (ZooKeeper's), and no server ever applied a transaction
     * whose proposal's digest differs from its tree's (a leader's projection of the digest, or a
     * follower's tree, gone wrong). Checked whenever a server's applied zxid moved.
     */
    private void checkAppliedState(Server s) {
        long applied = s.replica.lastAppliedZxid();
        if (applied == s.lastCheckedApplied) {
            return;
        }
        long before = s.lastCheckedApplied;
        s.lastCheckedApplied = applied;
        recordCommitted(s, before, applied);
        if (mayHoldMoreThanApplied(s)) {
            return;
        }
        long fingerprint = fingerprint(s.replica);
        long digest = s.replica.tree().treeDigest();
        Long seen = stateAt.putIfAbsent(applied, fingerprint);
        Long seenDigest = treeDigestAt.putIfAbsent(applied, digest);
        if (seen == null) {
            stateFirstSeenOn.put(applied, s.sid);
        } else if (seen != fingerprint) {
            throw checker.failure("s" + s.sid + " applied 0x" + Long.toHexString(applied) + " with a state that differs"
                    + " from s" + stateFirstSeenOn.get(applied) + "'s at the same zxid");
        } else if (seenDigest != null && seenDigest != digest) {
            throw checker.failure("s" + s.sid + " applied 0x" + Long.toHexString(applied) + " with tree digest 0x"
                    + Long.toHexString(digest) + ", s" + stateFirstSeenOn.get(applied) + " with 0x"
                    + Long.toHexString(seenDigest));
        }
        if (s.replica.digestMismatches() != 0 && !digestMismatchesExpected) {
            throw checker.failure("s" + s.sid + " applied a transaction whose proposal's digest is not its tree's ("
                    + s.replica.digestMismatches() + " so far, applied 0x" + Long.toHexString(applied) + ")");
        }
    }

    /**
     * With fuzzy snapshots, a server not serving (neither leading nor a synced learner) may hold a
     * tree ahead of its applied zxid: a leader's fuzzy snapshot installed, or recovered from its disk,
     * until the sync's replay is over (at UPTODATE it applies everything committed at once). Its
     * state at that zxid is not compared then; everything it applies once serving is.
     */
    private boolean mayHoldMoreThanApplied(Server s) {
        if (fuzzySnapshotTxns == 0) {
            return false;
        }
        io.paddock.core.zab.Role role = s.core == null ? null : s.core.role();
        return !(role instanceof io.paddock.core.zab.LeaderRole)
                && !(role instanceof io.paddock.core.zab.LearnerRole l && l.phase() == io.paddock.core.zab.LearnerRole.Phase.SYNCED);
    }

    /** How many applied transactions a leader's SNAP leaves out of the zxid it names (0: exact snapshots). */
    private final int fuzzySnapshotTxns;

    /** Every transaction some server applied from its log, by zxid: the committed history as far as seen. */
    private final TreeMap<Long, TxnEnvelope> committed = new TreeMap<>();

    /**
     * Records the transactions {@code s} applied from its log in (before, applied]; a jump with
     * nothing logged there (a leader's snapshot, a restart) records nothing. A zxid applied by two
     * servers must be the same transaction.
     */
    private void recordCommitted(Server s, long before, long applied) {
        if (before < 0 || applied <= before) {
            s.logged.headMap(applied, true).clear();
            return;
        }
        for (TxnEnvelope txn : s.logged.subMap(before, false, applied, true).values()) {
            TxnEnvelope seen = committed.putIfAbsent(txn.zxid(), txn);
            if (seen != null && seen != txn && !sameTxn(seen, txn)) {
                throw checker.failure("s" + s.sid + " applied " + txn + " at 0x" + Long.toHexString(txn.zxid())
                        + " where another server applied " + seen);
            }
        }
        s.logged.headMap(applied, true).clear();
    }

    /**
     * ZAB's promise that no committed write is lost: a leader establishes its epoch holding every
     * transaction committed before it (applied by some server). Found missing once (seed 800777 of
     * the replication test, 3 voters and an observer): a leader made its epoch current before the
     * history it had logged as a learner was durable, crashed, came back with the epoch and without
     * the history, and won the next election over servers that had applied it.
     */
    private void checkLeaderHoldsCommitted(Server s, long epoch) {
        Long last = committed.floorKey((epoch << 32) - 1);
        if (last != null && last > s.replica.lastZxid()) {
            throw checker.failure("s" + s.sid + " established epoch " + epoch + " with its history ending at 0x"
                    + Long.toHexString(s.replica.lastZxid()) + ", but 0x" + Long.toHexString(last)
                    + " was committed before (some server applied it)");
        }
    }

    /**
     * Whether two servers' copies of a transaction are the same. A failed multi's op types are not on
     * ZooKeeper's quorum wire (each op travels as an error txn), so learners hold them as -1.
     */
    private static boolean sameTxn(TxnEnvelope a, TxnEnvelope b) {
        if (a.txn() instanceof Txn.MultiError x && b.txn() instanceof Txn.MultiError y) {
            return a.zxid() == b.zxid() && a.sessionId() == b.sessionId() && a.cxid() == b.cxid()
                    && x.errors().equals(y.errors());
        }
        return a.equals(b) || java.util.Arrays.equals(io.paddock.core.storage.TxnCodec.encode(a),
                io.paddock.core.storage.TxnCodec.encode(b));
    }

    /** The committed transactions some server applied from its log, by zxid (see {@link #recordCommitted}). */
    public java.util.NavigableMap<Long, TxnEnvelope> committed() {
        return java.util.Collections.unmodifiableNavigableMap(committed);
    }

    /** An order-independent hash of every node (path, data, stat, owner) and session (id, timeout). */
    public static long fingerprint(Replica replica) {
        long sum = 0;
        var source = io.paddock.core.storage.TreeSnapshot.capture(replica.tree(), replica.sessions(), 0, 0);
        for (var it = source.nodes(); it.hasNext(); ) {
            var n = it.next();
            long h = n.path().hashCode();
            h = h * 31 + java.util.Arrays.hashCode(n.data());
            h = h * 31 + n.version();
            h = h * 31 + n.cversion();
            h = h * 31 + n.aversion();
            h = h * 1_000_003 + n.czxid();
            h = h * 1_000_003 + n.mzxid();
            h = h * 1_000_003 + n.pzxid();
            h = h * 1_000_003 + n.ephemeralOwner();
            h = h * 31 + n.kind().ordinal();
            sum += mix(h);
        }
        for (var it = source.sessions(); it.hasNext(); ) {
            var session = it.next();
            sum += mix(session.id() * 31 + session.timeoutMs());
        }
        return sum;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    // ---------------------------------------------------------------- views for checks and scenarios

    /** The observations of this run, oldest first (the last {@value #OBSERVATIONS_MAX}). */
    public List<Observed> observations() {
        return List.copyOf(observations);
    }

    public long observationsForgotten() {
        return observationsForgotten;
    }

    /**
     * The sid of a leader established in some epoch whom a quorum of voters (itself included) follow
     * as synced in that epoch, and whom every up server in {@code mustFollow} follows; null if none.
     */
    public Long stableLeader(Set<Long> mustFollow) {
        for (Server s : servers.values()) {
            if (!s.isUp() || s.core.state() != ServerState.LEADING || s.core.establishedEpoch() < 0) {
                continue;
            }
            long epoch = s.core.establishedEpoch();
            Set<Long> with = new TreeSet<>();
            with.add(s.sid);
            for (Server f : servers.values()) {
                if (f.isUp() && f.core.role() instanceof LearnerRole l && l.leaderSid() == s.sid
                        && f.core.establishedEpoch() == epoch) {
                    with.add(f.sid);
                }
            }
            boolean all = true;
            for (long sid : mustFollow) {
                all &= !servers.get(sid).isUp() || with.contains(sid);
            }
            if (voters.containsQuorum(with) && all) {
                return s.sid;
            }
        }
        return null;
    }

    public Long stableLeader() {
        return stableLeader(Set.of());
    }

    /** Runs until {@link #stableLeader(Set)} with {@code mustFollow} exists; returns its sid. */
    public long runUntilLeader(Set<Long> mustFollow, int ticksMax) {
        runUntil(() -> stableLeader(mustFollow) != null, ticksMax,
                "one established leader followed by all up servers of " + mustFollow);
        return stableLeader(mustFollow);
    }

    /** One line per server: state, epochs, round. */
    public String describe() {
        StringBuilder b = new StringBuilder("t=" + nowTick);
        for (Server s : servers.values()) {
            b.append(" | s").append(s.sid);
            if (!s.isUp()) {
                b.append(" DOWN");
            } else {
                b.append(' ').append(s.core.state()).append(" est=").append(s.core.establishedEpoch())
                        .append(" round=").append(s.core.electionRound())
                        .append(" applied=0x").append(Long.toHexString(s.replica.lastAppliedZxid()))
                        .append(" logged=0x").append(Long.toHexString(s.replica.lastZxid()));
            }
            b.append(" disk=(").append(s.diskAcceptedEpoch).append(',').append(s.diskCurrentEpoch).append(')');
        }
        return b.toString();
    }

    static int ackedCurrentEpochOrZero(QuorumPacket packet) {
        try {
            return packet.type() == QuorumPacketType.ACKEPOCH ? LearnerHandshake.ackedCurrentEpoch(packet) : 0;
        } catch (PeerProtocolException e) {
            return 0;
        }
    }
}
