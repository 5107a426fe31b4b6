package io.paddock.server.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.paddock.core.CoreConfig;
import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.Replica;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.OpCode;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.InMemoryTxnLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica loop started on an event loop (as an ensemble member's runs on its quorum transport's
 * thread): events posted from other threads are stepped there, in order, with their replies; the
 * clock moves with no event at all (on its own thread too); a failure fail-stops and the loop steps
 * nothing after it.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ReplicaLoopOnEventLoopTest {
    private static final long BOUND_MS = 10_000;
    private static final int CREATES = 200;

    /** What the outbox saw, with the thread that handed it over. */
    private record Sent(long connId, Effect effect, String thread) {}

    private final LinkedBlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private NioEventLoopGroup group;
    private EventLoop host;
    private Thread hostThread;

    @BeforeEach
    void startHost() throws Exception {
        group = new NioEventLoopGroup(1, (java.util.concurrent.ThreadFactory) r -> new Thread(r, "test-host"));
        host = group.next();
        hostThread = host.submit(Thread::currentThread).get(BOUND_MS, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stopHost() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ReplicaLoop.Outbox recording(Runnable onFlush) {
        return new ReplicaLoop.Outbox() {
            @Override
            public void send(long connId, Effect message) {
                sent.add(new Sent(connId, message, Thread.currentThread().getName()));
            }

            @Override
            public void close(long connId, String reason) {
                sent.add(new Sent(connId, new Effect.CloseClient(connId, reason), Thread.currentThread().getName()));
            }

            @Override
            public void flush() {
                onFlush.run();
            }
        };
    }

    private Sent next() throws InterruptedException {
        Sent s = sent.poll(BOUND_MS, TimeUnit.MILLISECONDS);
        assertNotNull(s, "nothing sent within " + BOUND_MS + " ms");
        return s;
    }

    private static Replica replica(CoreConfig config) {
        return new Replica(config, 1L << 40, new byte[] {1}, System.currentTimeMillis());
    }

    @Test
    void postsFromAnotherThreadAreSteppedOnTheEventLoopInOrder() throws Exception {
        ReplicaLoop loop = new ReplicaLoop(replica(CoreConfig.defaults()), new InMemoryTxnLog(), recording(() -> { }),
                new FailStop(status -> { }, System.err), "unused-thread");
        loop.post(new Event.ClientConnected(1, new ConnectRequest(0, 0, 10_000, 0, new byte[16], false), "127.0.0.1"));
        loop.startOn(host); // the event posted before the start is stepped too
        try {
            for (int i = 0; i < CREATES; i++) {
                loop.post(new Event.ClientRequest(1, i + 1, OpCode.CREATE,
                        new CreateRequest("/n" + i, new byte[] {(byte) i}, Acl.OPEN, 0)));
            }
            Sent connected = next();
            assertInstanceOf(Effect.ConnectReply.class, connected.effect());
            assertEquals("test-host", connected.thread());
            for (int i = 0; i < CREATES; i++) {
                Sent s = next();
                Effect.Reply reply = assertInstanceOf(Effect.Reply.class, s.effect());
                assertEquals(i + 1, reply.xid(), "replies in the order of the requests");
                assertEquals(0, reply.err(), "create /n" + i);
                assertEquals("test-host", s.thread());
            }
            CompletableFuture<Thread> where = loop.call(Thread::currentThread);
            assertEquals(hostThread, where.get(BOUND_MS, TimeUnit.MILLISECONDS));
        } finally {
            loop.close();
        }
    }

    @Test
    void moreThanABatchPostedAtOnceIsAllSteppedWithNoLaterEvent() throws Exception {
        int requests = 3 * ReplicaLoop.BATCH_EVENTS_MAX + 7;
        ReplicaLoop loop = new ReplicaLoop(replica(CoreConfig.defaults()), new InMemoryTxnLog(), recording(() -> { }),
                new FailStop(status -> { }, System.err), "unused-thread");
        loop.post(new Event.ClientConnected(1, new ConnectRequest(0, 0, 10_000, 0, new byte[16], false), "127.0.0.1"));
        for (int i = 0; i < requests; i++) {
            loop.post(new Event.ClientRequest(1, i + 1, OpCode.CREATE,
                    new CreateRequest("/m" + i, new byte[0], Acl.OPEN, 0)));
        }
        loop.startOn(host); // one wake-up for all of them: the drains after the first must follow by themselves
        try {
            assertInstanceOf(Effect.ConnectReply.class, next().effect());
            for (int i = 0; i < requests; i++) {
                Effect.Reply reply = assertInstanceOf(Effect.Reply.class, next().effect());
                assertEquals(i + 1, reply.xid());
            }
        } finally {
            loop.close();
        }
    }

    /**
     * Only the loop's idle ticks can expire the session (no further event is posted), and the
     * expiry's closeSession must then reach the log and be applied without waiting for an event:
     * before the idle tick flushed the log, it waited there until some client spoke.
     */
    private void expiresASilentSession(java.util.function.Consumer<ReplicaLoop> start, String thread) throws Exception {
        CoreConfig fast = new CoreConfig(10, 20, 40, false, 60_000, 10_000, null);
        ReplicaLoop loop = new ReplicaLoop(replica(fast), new InMemoryTxnLog(), recording(() -> { }),
                new FailStop(status -> { }, System.err), "standalone-loop");
        start.accept(loop);
        try {
            loop.post(new Event.ClientConnected(7, new ConnectRequest(0, 0, 20, 0, new byte[16], false), "127.0.0.1"));
            assertInstanceOf(Effect.ConnectReply.class, next().effect());
            Sent closed = next();
            assertEquals(7, closed.connId());
            assertInstanceOf(Effect.CloseClient.class, closed.effect());
            assertEquals(thread, closed.thread());
        } finally {
            loop.close();
        }
    }

    @Test
    void theClockMovesWithNoEventOnTheEventLoop() throws Exception {
        expiresASilentSession(loop -> loop.startOn(host), "test-host");
    }

    @Test
    void theClockMovesWithNoEventOnItsOwnThread() throws Exception {
        expiresASilentSession(ReplicaLoop::start, "standalone-loop");
    }

    @Test
    void aFailureOnTheEventLoopFailStopsAndNothingIsSteppedAfterIt() throws Exception {
        CountDownLatch halted = new CountDownLatch(1);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        FailStop failStop = new FailStop(status -> halted.countDown(), new PrintStream(err, true));
        ReplicaLoop loop = new ReplicaLoop(replica(CoreConfig.defaults()), new InMemoryTxnLog(),
                recording(() -> {
                    throw new IllegalStateException("outbox broken");
                }), failStop, "unused-thread");
        loop.startOn(host);
        try {
            assertTrue(halted.await(BOUND_MS, TimeUnit.MILLISECONDS), "no fail-stop");
            assertTrue(failStop.reason().contains("outbox broken"), failStop.reason());
            CompletableFuture<Integer> after = loop.call(() -> 1);
            host.submit(() -> { }).get(BOUND_MS, TimeUnit.MILLISECONDS); // runs after the drain that call queued
            assertFalse(after.isDone(), "a failed loop stepped an event");
            assertTrue(host.submit(() -> true).get(BOUND_MS, TimeUnit.MILLISECONDS), "the event loop itself goes on");
        } finally {
            loop.close();
        }
    }
}
