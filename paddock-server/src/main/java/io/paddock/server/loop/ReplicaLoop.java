package io.paddock.server.loop;

import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.Replica;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.TxnLog;
import io.paddock.server.quorum.PeerShell;
import io.paddock.core.zab.PeerEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a replica's core. Network threads post events; this thread feeds
 * them to the core in batches, carries out the effects (replies go to the {@link Outbox},
 * transactions to the {@link TxnLog}), flushes the log once per batch (so one disk sync serves
 * every write of the batch) and then the sockets. It also ticks the core's clock.
 *
 * <p>An exception that reaches this loop (the core failed outside the handling of one client's
 * request, applying a committed transaction, executing an effect) may have left the core
 * half-changed: the loop ends the process through {@link FailStop} rather than keep a port that
 * answers nothing; recovery from disk then rebuilds the state.
 *
 * <p>A learner's TRUNC and SNAP ({@link Effect.TruncateLog}, {@link Effect.InstallSnapshot}) are
 * carried out here, synchronously, before the next event. The log's durability reports come from
 * its writer thread and may be on their way when the log is cut; each report carries the number
 * of truncations done when it was made, and one made before the latest truncation is discarded
 * (it may name a dropped zxid, which would mark a later transaction with a smaller or equal zxid
 * durable by mistake). What the truncation kept is reported afresh instead: everything appended
 * before it up to its zxid is durable when the log returns.
 *
 * <p><b>Where it runs.</b> Standalone, on a thread of its own that waits on the inbox. An ensemble
 * member's loop runs on its quorum transport's event loop thread instead ({@link
 * PeerShell#eventLoop()}, {@link #startOn}), as tasks: a quorum packet that thread reads is posted
 * to the inbox and stepped by the next task on the same thread, and the packets a batch sends are
 * written to the sockets right there. A quorum packet then costs no hand-off between threads on
 * either side (a write through a follower crosses about ten of them: REQUEST, PROPOSAL, ACK and
 * COMMIT, each sent and received). Posts from other threads (client connections, the log writer)
 * queue one drain task at a time; between two drains the event loop reads its sockets; an idle
 * task ticks the clock every {@value #IDLE_TICK_MS} ms. One cycle ({@link #cycle}) does the same
 * work either way. While a step blocks (TRUNC, SNAP, an epoch file's sync), the member reads no
 * quorum packet: its leader buffers what it sends, up to the transport's send bound.
 */
public final class ReplicaLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLoop.class);
    /** At most this many events are fed between two log flushes. */
    public static final int BATCH_EVENTS_MAX = 1024;
    /** The core's clock advances at least this often even when nothing happens. */
    public static final long IDLE_TICK_MS = 25;
    /** The effects list is reused between steps unless one step made more effects than this. */
    private static final int EFFECTS_KEPT_MAX = 4096;

    /** Where replies and watch notifications go; called only from the loop thread. */
    public interface Outbox {
        void send(long connId, Effect message);

        void close(long connId, String reason);

        /** Pushes out everything sent since the last call. */
        void flush();
    }

    private final Replica replica;
    private final TxnLog log;
    private final Outbox outbox;
    private final FailStop failStop;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** The event loop this loop runs on (an ensemble member's transport thread); null: its own thread. */
    private volatile EventLoop host;
    /** Whether a drain task is queued on the host or running (posts then queue none). */
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final Runnable drainTask = this::drainOnHost;
    private volatile ScheduledFuture<?> idleTicks;
    /** The events of the current cycle (loop thread only). */
    private final List<Object> batch = new ArrayList<>();
    private long lastTickMs;
    /** The wall clock and the monotonic clock when this loop was made: the core's clock's origin. */
    private final long clockStartMs = System.currentTimeMillis();
    private final long clockStartNanos = System.nanoTime();
    /**
     * The highest zxid the log reported durable. The loop applies it at the start of every
     * batch, ahead of the requests queued meanwhile, so replies do not wait behind a whole
     * batch of new work (the event in the inbox then finds nothing left to do).
     */
    private final AtomicLong durableZxid = new AtomicLong();
    private long appliedDurableZxid;
    /** The current step's effects; one list serves every step (loop thread only). */
    private List<Effect> effects = new ArrayList<>();
    private Runnable afterBatch = () -> {};
    /** Told the zxid of every leader's snapshot installed (snapshot scheduling). */
    private LongConsumer snapshotInstalled = zxid -> {};
    /** Carries out the quorum peer's effects; null when standalone. */
    private PeerShell peerShell;
    /** Whether the current step carried out a peer effect. */
    private boolean peerTouched;
    /** For tests only: applying the transaction with this zxid fails (0 = never). */
    private long failApplyAtZxid;
    /** Truncations of the log carried out so far; written by the loop thread, read by the log's. */
    private volatile long truncations;
    /** The zxid of the last AppendLog carried out (loop thread only). */
    private long lastAppendedZxid;
    /** The replica's last applied zxid after its latest step, for threads outside the loop. */
    private volatile long appliedZxid;

    /** A durability report of the log, made when {@code truncations} truncations were done. */
    private record LogReport(Event event, long truncations) {}

    private final TxnLog.Listener logListener = new TxnLog.Listener() {
        @Override
        public void durable(long zxid) {
            durableZxid.accumulateAndGet(zxid, Math::max);
            enqueue(new LogReport(new Event.LogAppended(zxid), truncations)); // wakes the loop if it waits
        }

        @Override
        public void failed(long fromZxid, String reason) {
            // Not discarded after a truncation: the log takes nothing until resume(), and an ensemble
            // member (the only one that truncates) stops on a failed log anyway.
            enqueue(new LogReport(new Event.LogFailed(fromZxid, reason), truncations));
        }
    };

    public ReplicaLoop(Replica replica, TxnLog log, Outbox outbox, FailStop failStop, String name) {
        this.replica = replica;
        this.log = log;
        this.outbox = outbox;
        this.failStop = failStop;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /**
     * Carries out the replica's peer effects with {@code shell} (an ensemble member); set before
     * {@link #start()}. The shell posts what the peer hears through {@link #peerSink()}, and the
     * loop runs on the shell's event loop thread (see the class comment).
     */
    public void setPeerShell(PeerShell shell) {
        this.peerShell = shell;
    }

    /** Where a {@link PeerShell} posts the peer's events: this loop's inbox. */
    public PeerShell.Sink peerSink() {
        return new PeerShell.Sink() {
            @Override
            public void post(PeerEvent event) {
                enqueue(new Event.Peer(event));
            }

            @Override
            public int backlog() {
                return inbox.size();
            }
        };
    }

    /** Tells {@code hook}, on the loop thread, the zxid of each leader's snapshot installed (SNAP). */
    public void setSnapshotInstalled(LongConsumer hook) {
        this.snapshotInstalled = hook;
    }

    /** Runs {@code task} on the loop thread after every batch (snapshot scheduling). */
    public void setAfterBatch(Runnable task) {
        this.afterBatch = task;
    }

    /**
     * For tests only ({@code paddock.test.failApplyAtZxid} in zoo.cfg): the step that applies the
     * transaction with {@code zxid} throws once the core has applied it and before its reply goes
     * out, as a bug in the apply path would. Set before {@link #start()}.
     */
    public void failApplyAtZxid(long zxid) {
        this.failApplyAtZxid = zxid;
    }

    /** Starts the loop: on the peer shell's event loop for an ensemble member, else on its own thread. */
    public void start() {
        if (peerShell == null) {
            thread.start();
        } else {
            startOn(peerShell.eventLoop());
        }
    }

    /**
     * Starts the loop on {@code on} instead of a thread of its own (see the class comment); {@link
     * #start()} does this for a member. The loop then shares that thread with whatever else runs
     * there, and a blocking step (a learner's TRUNC or SNAP, an epoch file's sync) holds it up too:
     * a member's transport reads no packet meanwhile.
     */
    public void startOn(EventLoop on) {
        host = on;
        idleTicks = on.scheduleAtFixedRate(this::idleOnHost, IDLE_TICK_MS, IDLE_TICK_MS, TimeUnit.MILLISECONDS);
        wakeHost(on); // the events posted before the start, and the first tick (the election starts with it)
    }

    /** Posts an event from any thread. */
    public void post(Event event) {
        enqueue(event);
    }

    /**
     * Queues an event, report or task for the loop (any thread, the loop's own too). On a host event
     * loop it also queues a drain task unless one is queued already; a post before {@link #start()}
     * waits in the inbox, and the start drains it.
     */
    private void enqueue(Object item) {
        inbox.add(item);
        EventLoop on = host;
        if (on != null) {
            wakeHost(on);
        }
    }

    private void wakeHost(EventLoop on) {
        if (drainQueued.compareAndSet(false, true)) {
            try {
                on.execute(drainTask);
            } catch (RejectedExecutionException e) {
                drainQueued.set(false); // the transport has shut down: the server is closing
            }
        }
    }

    /** Runs {@code query} on the loop thread (where the core may be read) and returns its result. */
    public <T> CompletableFuture<T> call(Supplier<T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        enqueue((Runnable) () -> {
            try {
                result.complete(query.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Its own thread (standalone): waits for events, runs a cycle per wake-up or idle tick. */
    private void run() {
        try {
            while (running) {
                cycle(inbox.poll(IDLE_TICK_MS, TimeUnit.MILLISECONDS));
            }
        } catch (InterruptedException e) {
            if (running) {
                failStop.stop("the replica loop was interrupted while the server runs", e);
            }
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failed(e);
        }
    }

    /**
     * A drain task on the host event loop: one cycle, then the next drain if events are left. While
     * it runs, {@code drainQueued} stays set, so posts meanwhile queue nothing; what they left is
     * drained by a task scheduled after the host's next look at its sockets. (Queued as a plain task,
     * it would run in the same run of tasks: Netty runs 64 tasks before it checks its time, so a
     * busy member could step up to 64 batches of client requests before reading a quorum packet.)
     */
    private void drainOnHost() {
        if (!running) {
            drainQueued.set(false);
            return;
        }
        try {
            cycle(inbox.poll());
        } catch (RuntimeException | Error e) {
            failed(e); // drainQueued stays set: a failed loop takes no further task
            return;
        }
        drainQueued.set(false); // a post from now on queues the next drain itself
        if (!inbox.isEmpty() && drainQueued.compareAndSet(false, true)) {
            try {
                host.schedule(drainTask, 0, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                drainQueued.set(false); // the transport has shut down: the server is closing
            }
        }
    }

    /** The idle tick on the host: moves the clock and flushes when no event came for a while. */
    private void idleOnHost() {
        if (!running) {
            return;
        }
        try {
            cycle(null);
        } catch (RuntimeException | Error e) {
            failed(e);
        }
    }

    /** The loop failed outside one request's handling: the process stops (see the class comment). */
    private void failed(Throwable e) {
        if (running) {
            running = false; // a hosted loop takes no further tasks (a test's fail-stop does not halt)
            failStop.stop("the replica loop failed: " + e, e);
        } else {
            LOG.error("the replica loop failed while the server closes", e);
        }
    }

    /**
     * One turn of the loop: the clock, then {@code first} and whatever else waits (at most {@value
     * #BATCH_EVENTS_MAX} events), then the batch's quorum packets, log flush and replies. With no
     * event ({@code first} null) it only moves the clock and flushes: what the clock did goes out
     * too, such as the closeSession of a session that expired on an idle server, which would
     * otherwise wait in the log (and its ephemerals in the tree) until some client spoke.
     */
    private void cycle(Object first) {
        tick();
        if (first == null) {
            sendQuorum();
            log.flush(logListener);
            outbox.flush();
            return;
        }
        batch.add(first);
        inbox.drainTo(batch, BATCH_EVENTS_MAX - 1);
        long durable = durableZxid.get();
        if (durable > appliedDurableZxid) {
            appliedDurableZxid = durable;
            step(new Event.LogAppended(durable));
        }
        try {
            for (Object item : batch) {
                if (item instanceof LogReport r) {
                    onLogReport(r);
                } else if (item instanceof Event e) {
                    step(e);
                    if (e instanceof Event.Peer p && peerShell != null) {
                        peerShell.handled(p.event()); // after the step: what it holds is in the core now
                    }
                    if (e instanceof Event.LogFailed) {
                        log.resume(); // posted by hand (tests): as a report of the log
                    }
                } else {
                    ((Runnable) item).run();
                }
            }
        } finally {
            batch.clear();
        }
        sendQuorum();
        log.flush(logListener);
        afterBatch.run();
        outbox.flush();
    }

    /** The quorum packets of the batch's steps, to the transport together (see PeerShell.sendOutgoing). */
    private void sendQuorum() {
        if (peerShell != null) {
            peerShell.sendOutgoing();
        }
    }

    private void onLogReport(LogReport r) {
        if (r.event() instanceof Event.LogAppended && r.truncations() != truncations) {
            return; // made before the log was cut: it may name a dropped zxid (see the class comment)
        }
        step(r.event());
        if (r.event() instanceof Event.LogFailed) {
            log.resume(); // the core has dropped what failed; the disk may be tried again
        }
    }

    /**
     * The core's clock (see {@link Event.Tick}): the wall clock when this loop was made plus the
     * monotonic time since, so a step of the wall clock (NTP, a resumed VM) moves no timeout.
     */
    private void tick() {
        long now = clockStartMs + (System.nanoTime() - clockStartNanos) / 1_000_000;
        if (now != lastTickMs) {
            lastTickMs = now;
            step(new Event.Tick(now, System.currentTimeMillis()));
        }
    }

    /**
     * The replica's last applied zxid as of its latest step (any thread): what ZooKeeper puts in
     * the header of a reply the server makes without the replica, such as MARSHALLINGERROR.
     */
    public long appliedZxid() {
        return appliedZxid;
    }

    /** Feeds one event to the core and carries out its effects. */
    private void step(Event event) {
        try {
            replica.step(event, effects);
            if (failApplyAtZxid != 0 && event instanceof Event.LogAppended a && a.zxid() >= failApplyAtZxid) {
                throw new IllegalStateException("injected failure applying zxid 0x" + Long.toHexString(failApplyAtZxid)
                        + " (paddock.test.failApplyAtZxid, a test-only setting)");
            }
            for (int i = 0; i < effects.size(); i++) { // indexed: no iterator per step
                execute(effects.get(i));
            }
            long applied = replica.lastAppliedZxid();
            if (applied != appliedZxid) {
                appliedZxid = applied;
            }
            if (peerShell != null && (peerTouched || event instanceof Event.Tick || event instanceof Event.Peer)) {
                peerTouched = false;
                peerShell.stepDone(replica.peer());
            }
        } finally {
            if (effects.size() > EFFECTS_KEPT_MAX) {
                effects = new ArrayList<>(); // do not keep a huge array for good
            } else {
                effects.clear();
            }
        }
    }

    private void execute(Effect effect) {
        if (effect instanceof Effect.AppendLog a) {
            log.append(a.txn());
            lastAppendedZxid = a.txn().zxid();
        } else if (effect instanceof Effect.CloseClient c) {
            outbox.close(c.connId(), c.reason());
        } else if (effect instanceof Effect.Trace t) {
            if (t.warning()) {
                LOG.warn(t.message());
            } else {
                LOG.info(t.message());
            }
        } else if (effect instanceof Effect.Reply r) {
            outbox.send(r.connId(), r);
        } else if (effect instanceof Effect.Watch w) {
            outbox.send(w.connId(), w);
        } else if (effect instanceof Effect.ConnectReply c) {
            outbox.send(c.connId(), c);
        } else if (effect instanceof Effect.Peer p) {
            peerTouched = true;
            peerShell.carryOut(p.effect());
        } else if (effect instanceof Effect.TruncateLog t) {
            truncateLog(t.zxid());
        } else if (effect instanceof Effect.InstallSnapshot s) {
            installSnapshot(s);
        } else {
            throw new IllegalStateException("unknown effect " + effect);
        }
    }

    /** A learner's TRUNC: cut the log, durably, before the next event; a failure fail-stops (via run). */
    private void truncateLog(long zxid) {
        try {
            log.truncateAfter(zxid);
        } catch (IOException e) {
            throw new IllegalStateException("cannot truncate the transaction log after zxid 0x"
                    + Long.toHexString(zxid) + ": " + e.getMessage(), e);
        }
        afterTruncation(zxid);
    }

    /** A learner's SNAP: the log cut after the snapshot's zxid, then the snapshot written; before the next event. */
    private void installSnapshot(Effect.InstallSnapshot install) {
        long zxid = install.snapshot().header().lastZxid();
        try {
            log.installSnapshot(install.snapshot().asSource());
        } catch (IOException e) {
            throw new IllegalStateException("cannot install the leader's snapshot at zxid 0x"
                    + Long.toHexString(zxid) + ": " + e.getMessage(), e);
        }
        afterTruncation(zxid);
        snapshotInstalled.accept(zxid);
    }

    /**
     * Discards the durability reports made before the cut (they may name dropped zxids) and
     * reports afresh what the cut kept: everything appended up to {@code zxid} is durable now.
     * The log's writer reports nothing meanwhile (it has nothing flushed after the cut yet), so
     * the durable mark can be set here.
     */
    private void afterTruncation(long zxid) {
        truncations++;
        long kept = Math.min(Math.max(durableZxid.get(), lastAppendedZxid), zxid);
        lastAppendedZxid = Math.min(lastAppendedZxid, zxid);
        durableZxid.set(kept);
        appliedDurableZxid = Math.min(appliedDurableZxid, kept);
        if (kept > 0) {
            enqueue(new LogReport(new Event.LogAppended(kept), truncations));
        }
    }

    @Override
    public void close() {
        running = false;
        EventLoop on = host;
        if (on == null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (idleTicks != null) {
            idleTicks.cancel(false);
        }
        if (on.inEventLoop()) {
            return;
        }
        try {
            on.submit(() -> { }).get(5, TimeUnit.SECONDS); // a cycle under way finishes first
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            LOG.debug("the replica loop's event loop did not answer its close: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
