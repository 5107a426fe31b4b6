package io.paddock.server.net;

import io.paddock.core.wire.OpCode;
import io.paddock.server.admin.ConnectionInfo;
import io.paddock.server.admin.LastOperation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongToIntFunction;
import java.util.function.LongUnaryOperator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.paddock.core.Effect;
import io.paddock.server.loop.ReplicaLoop;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every open client connection, by id; the loop's {@link ReplicaLoop.Outbox}. It also bounds
 * connections per client address ({@code maxClientCnxns}) and requests in flight per
 * connection (reading pauses at the bound and resumes as replies go out), and keeps the
 * counters the four-letter words report.
 */
public final class ClientConnections implements ReplicaLoop.Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);

    private final Map<Long, Conn> byId = new ConcurrentHashMap<>();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    /** Connections written to since the last flush (loop thread only; see {@link Conn#touched}). */
    private final List<Conn> touched = new ArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final int maxPerAddress;
    private final int outstandingMax;
    final AtomicLong packetsReceived = new AtomicLong();
    final AtomicLong packetsSent = new AtomicLong();
    private final LatencyRecorder latency = new LatencyRecorder();

    private final int connectionsMax;
    private final int globalOutstandingMax;
    private final AtomicLong globalOutstanding = new AtomicLong();
    /** Connections whose reading paused because the whole server had too much in flight. */
    private final Set<Conn> pausedForGlobal = ConcurrentHashMap.newKeySet();

    /**
     * @param maxPerAddress connections one client address may hold; 0 = unlimited
     * @param connectionsMax connections from all addresses together
     * @param globalOutstandingMax requests in flight over all connections before reading pauses
     *     (ZooKeeper's globalOutstandingLimit)
     */
    public ClientConnections(int maxPerAddress, int connectionsMax, int outstandingMax, int globalOutstandingMax) {
        this.maxPerAddress = maxPerAddress;
        this.connectionsMax = connectionsMax;
        this.outstandingMax = outstandingMax;
        this.globalOutstandingMax = globalOutstandingMax;
    }

    /** One connection's transport state. */
    static final class Conn {
        final long id;
        final Channel channel;
        final String address;
        final long openedAtMs = System.currentTimeMillis();
        final AtomicInteger outstanding = new AtomicInteger();
        /** Arrival times of unanswered requests, oldest first (replies come back in order). */
        final ArrivalTimes arrivalsNanos = new ArrivalTimes();
        /** In {@link #touched} (loop thread only). */
        boolean touched;
        /** Messages sent since the last flush, in order (loop thread only). */
        List<Effect> unsent = new ArrayList<>(4);
        volatile long sessionId;
        final AtomicLong received = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        /** What cons prints of the last reply (ZooKeeper's updateStatsForResponse); guarded by arrivalsNanos. */
        String lastOp = LastOperation.NONE;
        long lastCxid = -1;
        long lastZxid = -1;
        long lastResponseMs;
        long lastLatencyMs;
        long minLatencyMs = Long.MAX_VALUE;
        long maxLatencyMs;
        long latencySumMs;
        long latencyCount;

        /** crst: as ZooKeeper's ServerCnxn.resetStats. Caller holds arrivalsNanos. */
        void resetStats() {
            received.set(0);
            sent.set(0);
            lastOp = LastOperation.NONE;
            lastCxid = -1;
            lastZxid = -1;
            lastResponseMs = 0;
            lastLatencyMs = 0;
            minLatencyMs = Long.MAX_VALUE;
            maxLatencyMs = 0;
            latencySumMs = 0;
            latencyCount = 0;
        }

        Conn(long id, Channel channel, String address) {
            this.id = id;
            this.channel = channel;
            this.address = address;
        }
    }

    /** Registers a new connection, or returns null when its address holds too many already. */
    Conn open(Channel channel, String address) {
        if (byId.size() >= connectionsMax) {
            LOG.warn("refusing connection from {}: the server holds {} connections (maxConnections)",
                    address, connectionsMax);
            return null;
        }
        boolean[] admitted = {true};
        perAddress.compute(address, (a, count) -> {
            int n = count == null ? 0 : count;
            if (maxPerAddress > 0 && n >= maxPerAddress) {
                admitted[0] = false;
                return count;
            }
            return n + 1;
        });
        if (!admitted[0]) {
            LOG.warn("refusing connection from {}: it already has {} connections (maxClientCnxns)",
                    address, maxPerAddress);
            return null;
        }
        Conn conn = new Conn(nextId.getAndIncrement(), channel, address);
        byId.put(conn.id, conn);
        return conn;
    }

    void closed(Conn conn) {
        pausedForGlobal.remove(conn);
        if (byId.remove(conn.id) != null) {
            // Each request in flight is taken off the server-wide count exactly once: here, or
            // by answered() if it got to it first (see takeOneOutstanding).
            globalOutstanding.addAndGet(-Math.max(0, conn.outstanding.getAndSet(0)));
            perAddress.computeIfPresent(conn.address, (a, c) -> c <= 1 ? null : c - 1);
        }
    }

    /** A packet that is no request (a ConnectRequest, a four-letter word) arrived: counted as ZooKeeper counts it. */
    void packetReceived(Conn conn) {
        packetsReceived.incrementAndGet();
        conn.received.incrementAndGet();
    }

    /** A request arrived; pauses reading when too many are in flight. */
    void requestArrived(Conn conn, int opCode) {
        packetsReceived.incrementAndGet();
        conn.received.incrementAndGet();
        synchronized (conn.arrivalsNanos) {
            conn.arrivalsNanos.addLast(System.nanoTime(), opCode);
        }
        conn.outstanding.incrementAndGet();
        globalOutstanding.incrementAndGet();
        reconsiderReading(conn);
    }

    /**
     * Pauses or resumes reading from {@code conn} by the counters as they are now. Runs only on
     * the connection's event loop, so decisions about one connection never overtake each other.
     * A connection paused for the server-wide bound is put in {@link #pausedForGlobal} BEFORE
     * the bound is checked again: either {@link #answered} (which lowers the count, then looks
     * at that set) sees it there, or this re-check sees the lowered count. No wake-up is lost.
     */
    private void reconsiderReading(Conn conn) {
        int outstanding = conn.outstanding.get();
        boolean overConnection = outstanding >= outstandingMax;
        // The server-wide bound pauses only connections holding more than their fair share, so
        // a client with one request at a time (a lock, a leader latch) is never starved by bulk
        // writers; the bound can be exceeded by at most one fair share per connection.
        int fairShare = Math.max(1, globalOutstandingMax / Math.max(1, byId.size()));
        boolean overGlobal = outstanding > fairShare && globalOutstanding.get() >= globalOutstandingMax;
        if (overGlobal) {
            pausedForGlobal.add(conn);
            if (globalOutstanding.get() < globalOutstandingMax) {
                pausedForGlobal.remove(conn);
                overGlobal = false;
            }
        }
        conn.channel.config().setAutoRead(!overConnection && !overGlobal);
    }

    @Override
    public void send(long connId, Effect message) {
        Conn conn = byId.get(connId);
        if (conn == null) {
            return;
        }
        if (message instanceof Effect.Reply reply) {
            answered(conn, reply);
        }
        packetsSent.incrementAndGet();
        conn.sent.incrementAndGet();
        conn.unsent.add(message);
        if (!conn.touched) {
            conn.touched = true;
            touched.add(conn);
        }
    }

    private void answered(Conn conn, Effect.Reply reply) {
        long now = System.nanoTime();
        long arrived = 0;
        boolean known;
        synchronized (conn.arrivalsNanos) {
            known = conn.arrivalsNanos.size() > 0;
            if (known) {
                arrived = conn.arrivalsNanos.pollFirst();
                long ms = (now - arrived) / 1_000_000;
                // A ping may be answered ahead of requests held without a leader: named by its xid.
                conn.lastOp = LastOperation.of(reply.xid() == OpCode.XID_PING ? OpCode.PING : conn.arrivalsNanos.polledOp());
                conn.lastCxid = reply.xid();
                conn.lastZxid = reply.zxid();
                conn.lastResponseMs = now / 1_000_000; // ZooKeeper's lresp: its elapsed-time clock
                conn.lastLatencyMs = ms;
                conn.minLatencyMs = Math.min(conn.minLatencyMs, ms);
                conn.maxLatencyMs = Math.max(conn.maxLatencyMs, ms);
                conn.latencySumMs += ms;
                conn.latencyCount++;
            }
        }
        if (known) {
            latency.record((now - arrived) / 1_000_000);
        }
        int before = conn.outstanding.getAndUpdate(n -> n > 0 ? n - 1 : n);
        if (before <= 0) {
            return; // closed meanwhile: closed() has already taken this request off the counts
        }
        boolean connectionWasFull = before == outstandingMax;
        boolean globalHasRoom = globalOutstanding.decrementAndGet() < globalOutstandingMax;
        if (connectionWasFull) {
            conn.channel.eventLoop().execute(() -> reconsiderReading(conn));
        }
        if (globalHasRoom && !pausedForGlobal.isEmpty()) {
            for (Conn paused : pausedForGlobal) {
                if (pausedForGlobal.remove(paused)) {
                    paused.channel.eventLoop().execute(() -> reconsiderReading(paused));
                }
            }
        }
    }

    @Override
    public void close(long connId, String reason) {
        Conn conn = byId.get(connId);
        if (conn == null) {
            return;
        }
        LOG.info("closing connection 0x{} from {}: {}", Long.toHexString(connId), conn.address, reason);
        if (conn.touched) {
            conn.touched = false;
            touched.remove(conn);
        }
        List<Effect> last = takeUnsent(conn);
        Channel channel = conn.channel;
        channel.eventLoop().execute(() -> {
            writeAll(channel, last); // what was sent before the close goes out first
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        });
    }

    /**
     * Hands each connection written to since the last flush its messages, in one task on its
     * event loop that writes them all and flushes once. A write from outside the event loop
     * would be a task of its own per message (and the flush another).
     */
    @Override
    public void flush() {
        for (int i = 0; i < touched.size(); i++) {
            Conn conn = touched.get(i);
            conn.touched = false;
            List<Effect> messages = takeUnsent(conn);
            Channel channel = conn.channel;
            channel.eventLoop().execute(() -> {
                writeAll(channel, messages);
                channel.flush();
            });
        }
        touched.clear();
    }

    /** The connection's unsent messages, handed over (the connection starts a new list). */
    private static List<Effect> takeUnsent(Conn conn) {
        List<Effect> messages = conn.unsent;
        if (messages.isEmpty()) {
            return List.of();
        }
        conn.unsent = new ArrayList<>(Math.max(4, messages.size()));
        return messages;
    }

    /** On the channel's event loop: each message through the pipeline (EffectEncoder frames it). */
    private static void writeAll(Channel channel, List<Effect> messages) {
        for (int i = 0; i < messages.size(); i++) { // indexed: no iterator per batch
            channel.write(messages.get(i), channel.voidPromise());
        }
    }

    public long packetsReceived() {
        return packetsReceived.get();
    }

    public long packetsSent() {
        return packetsSent.get();
    }

    public LatencyRecorder latency() {
        return latency;
    }

    public long outstandingRequests() {
        return Math.max(0, globalOutstanding.get());
    }

    public int size() {
        return byId.size();
    }

    public void resetCounters() {
        packetsReceived.set(0);
        packetsSent.set(0);
    }

    public void resetConnectionCounters() {
        for (Conn c : byId.values()) {
            synchronized (c.arrivalsNanos) {
                c.resetStats();
            }
        }
    }

    /** The connections as the four-letter words print them, oldest first. */
    public List<ConnectionInfo> describe(
            LongUnaryOperator sessionOf, LongToIntFunction timeoutOf) {
        List<ConnectionInfo> out = new ArrayList<>();
        List<Conn> conns = new ArrayList<>(byId.values());
        conns.sort(Comparator.comparingLong(c -> c.id));
        for (Conn c : conns) {
            int ops = c.channel.config().isAutoRead() ? 1 : 0;
            synchronized (c.arrivalsNanos) {
                long count = c.latencyCount;
                out.add(new ConnectionInfo(String.valueOf(c.channel.remoteAddress()), ops,
                        Math.max(0, c.outstanding.get()), c.received.get(), c.sent.get(),
                        sessionOf.applyAsLong(c.id), c.lastOp, c.openedAtMs, timeoutOf.applyAsInt(c.id),
                        c.lastCxid, c.lastZxid, c.lastResponseMs, c.lastLatencyMs,
                        count == 0 ? 0 : c.minLatencyMs, count == 0 ? 0 : c.latencySumMs / count, c.maxLatencyMs));
            }
        }
        return out;
    }

    /** Closes every connection (server shutdown). */
    public void closeAll() {
        for (Conn conn : byId.values()) {
            conn.channel.close();
        }
    }
}
