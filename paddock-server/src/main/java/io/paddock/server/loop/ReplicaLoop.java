package io.paddock.server.loop;

import java.util.concurrent.atomic.AtomicLong;
import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.Replica;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.TxnLog;
import io.paddock.server.quorum.PeerShell;
import io.paddock.core.zab.PeerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
    private long lastTickMs;
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
    /** Carries out the quorum peer's effects; null when standalone. */
    private PeerShell peerShell;
    /** Whether the current step carried out a peer effect. */
    private boolean peerTouched;
    /** For tests only: applying the transaction with this zxid fails (0 = never). */
    private long failApplyAtZxid;
    private final TxnLog.Listener logListener = new TxnLog.Listener() {
        @Override
        public void durable(long zxid) {
            durableZxid.accumulateAndGet(zxid, Math::max);
            inbox.add(new Event.LogAppended(zxid)); // wakes the loop if it waits
        }

        @Override
        public void failed(long fromZxid, String reason) {
            inbox.add(new Event.LogFailed(fromZxid, reason));
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
     * {@link #start()}. The shell posts what the peer hears through {@link #peerSink()}.
     */
    public void setPeerShell(PeerShell shell) {
        this.peerShell = shell;
    }

    /** Where a {@link PeerShell} posts the peer's events: this loop's inbox. */
    public PeerShell.Sink peerSink() {
        return new PeerShell.Sink() {
            @Override
            public void post(PeerEvent event) {
                inbox.add(new Event.Peer(event));
            }

            @Override
            public int backlog() {
                return inbox.size();
            }
        };
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

    public void start() {
        thread.start();
    }

    /** Posts an event from any thread. */
    public void post(Event event) {
        inbox.add(event);
    }

    /** Runs {@code query} on the loop thread (where the core may be read) and returns its result. */
    public <T> CompletableFuture<T> call(Supplier<T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        inbox.add((Runnable) () -> {
            try {
                result.complete(query.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private void run() {
        List<Object> batch = new ArrayList<>();
        try {
            while (running) {
                Object first = inbox.poll(IDLE_TICK_MS, TimeUnit.MILLISECONDS);
                tick();
                if (first == null) {
                    outbox.flush();
                    continue;
                }
                batch.add(first);
                inbox.drainTo(batch, BATCH_EVENTS_MAX - 1);
                long durable = durableZxid.get();
                if (durable > appliedDurableZxid) {
                    appliedDurableZxid = durable;
                    step(new Event.LogAppended(durable));
                }
                for (Object item : batch) {
                    if (item instanceof Event e) {
                        step(e);
                        if (e instanceof Event.LogFailed) {
                            log.resume(); // the core has dropped what failed; the disk may be tried again
                        }
                    } else {
                        ((Runnable) item).run();
                    }
                }
                batch.clear();
                log.flush(logListener);
                afterBatch.run();
                outbox.flush();
            }
        } catch (InterruptedException e) {
            if (running) {
                failStop.stop("the replica loop was interrupted while the server runs", e);
            }
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            if (running) {
                failStop.stop("the replica loop failed: " + e, e);
            } else {
                LOG.error("the replica loop failed while the server closes", e);
            }
        }
    }

    private void tick() {
        long now = System.currentTimeMillis();
        if (now != lastTickMs) {
            lastTickMs = now;
            step(new Event.Tick(now));
        }
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
        } else if (effect instanceof Effect.CloseClient c) {
            outbox.close(c.connId(), c.reason());
        } else if (effect instanceof Effect.Trace t) {
            LOG.info(t.message());
        } else if (effect instanceof Effect.Reply r) {
            outbox.send(r.connId(), r);
        } else if (effect instanceof Effect.Watch w) {
            outbox.send(w.connId(), w);
        } else if (effect instanceof Effect.ConnectReply c) {
            outbox.send(c.connId(), c);
        } else if (effect instanceof Effect.Peer p) {
            peerTouched = true;
            peerShell.carryOut(p.effect());
        } else if (effect instanceof Effect.TruncateLog || effect instanceof Effect.InstallSnapshot) {
            // Until the file log can truncate and install a leader's snapshot (issue 12), a learner
            // told to stops rather than keep a history its leader has refused.
            throw new IllegalStateException("not supported by this server yet: " + effect.getClass().getSimpleName()
                    + " (a learner's TRUNC or SNAP)");
        } else {
            throw new IllegalStateException("unknown effect " + effect);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
