package io.paddock.server.quorum;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.paddock.core.wire.quorum.ElectionAddress;
import io.paddock.core.wire.quorum.ElectionFrame;
import io.paddock.core.wire.quorum.InitialMessage;
import io.paddock.core.wire.quorum.QuorumAuthPacket;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketDecoder;
import io.paddock.core.wire.quorum.ZooKeeperSnapReader;
import io.paddock.core.wire.quorum.DecodeResult;
import io.paddock.core.wire.quorum.SnapStream;
import io.paddock.core.wire.quorum.ZooKeeperSnapWriter;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.quorum.QuorumPacketType;
import io.paddock.server.net.Tls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-to-server connections of one ensemble member, in ZooKeeper 3.9's bytes.
 *
 * <p><b>Election port</b>: one connection per pair. As in ZooKeeper's {@code QuorumCnxManager}
 * the higher sid keeps the connection it initiated: a server connecting to a higher sid sends its
 * {@link InitialMessage} and closes, and the higher side, on a connection from a lower sid, closes
 * it and connects back. Either side then sends length-framed notifications on that one connection.
 * A frame whose body does not decode is skipped with a log line (the stream is intact, as
 * ZooKeeper does); a bad frame length, an unknown protocol version or an unknown sid drops that
 * connection with one log line; other peers go on.
 *
 * <p><b>Quorum port</b>: a learner connects to its leader's quorum port when the core first sends
 * it a packet (FOLLOWERINFO / OBSERVERINFO, whose {@code LearnerInfo} tells the leader the sid).
 * Packets follow back to back as ZooKeeper writes them. A closed connection is reported once as
 * {@link Inbound#peerDown}, before any packet of a later connection with the same sid (the core's
 * contract); a {@link #dropPeer} of our own is not reported back.
 *
 * <p><b>Down peers never slow anything</b>: every connect is asynchronous (Netty, non-blocking
 * sockets), so a connection attempt to a server that is down or unreachable costs the election
 * nothing: notifications to the other servers leave at once, and the attempt's failure only
 * schedules a retry with back-off ({@value #RECONNECT_BACKOFF_MS_MIN} ms doubling up to
 * {@value #RECONNECT_BACKOFF_MS_MAX} ms). ZooKeeper's sender connects synchronously in the
 * thread that sends notifications, waiting up to its connect timeout ({@code cnxTimeout}, 5 s by
 * default) for each unreachable server in turn.
 *
 * <p><b>Host names</b> of the {@code server.N} lines are looked up when a connection is made (so
 * a server that moved is found again, as ZooKeeper does), on threads of their own: the event loop
 * is also the member's replica loop, and a lookup that hangs on a slow or unreachable name server
 * must not stop its clients' replies. One lookup per name runs at a time, and IP literals need
 * none, so a hanging name holds at most one lookup thread. A name that does not resolve fails that
 * connection attempt like a refused one (retried with back-off).
 *
 * <p><b>TLS</b> ({@link Security}, zoo.cfg's {@code sslQuorum} and {@code portUnification}, as
 * ZooKeeper 3.9's QuorumCnxManager, Learner and UnifiedServerSocket): with TLS on, this server
 * opens both kinds of connection with a TLS handshake first (an election connection counts as made
 * only once its handshake is done, so a peer that refuses our certificate is retried with back-off,
 * not at once), and tells an accepted connection's kind by its first five bytes (a TLS record, or
 * not): plain ones are taken only with {@code portUnification}, and closed with a log line
 * otherwise. Where host names are checked (fips-mode=false), the check follows the handshake, on
 * threads of its own, and the connection carries nothing either way until it has passed. The bytes
 * inside are the same.
 *
 * <p><b>Threads</b>: all connection state lives on one Netty event loop thread ({@link
 * #eventLoop()}); the public methods hand their work to it and return at once, or do it right away
 * when called on that thread (an ensemble member's replica loop runs there), and {@link Inbound} is
 * called on it, in order. Every queue is bounded (the limits below).
 */
public final class QuorumTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumTransport.class);
    /** Notifications queued for one peer while there is no connection; the oldest is dropped (ZooKeeper keeps 1). */
    public static final int ELECTION_QUEUE_MESSAGES_MAX = 8;
    /** Quorum packets queued for one peer while its connection opens; beyond it the peer is dropped. */
    public static final int QUORUM_QUEUE_PACKETS_MAX = 1024;
    /**
     * Bytes written to one peer and not yet taken by its socket; beyond it the peer is dropped (a
     * stuck reader). A follower starved of CPU can fall this far behind a leader streaming
     * proposals: 16 MiB was reached in a full ensemble benchmark (six servers on two cores), and the
     * dropped follower, rejoining in the same epoch, closed its clients. ZooKeeper's leader queues
     * without a bound and leaves a stuck follower to syncLimit; this bound keeps memory finite. A
     * sync in progress is not counted against it (see allowSync).
     */
    public static final int SEND_BUFFER_BYTES_MAX = 64 * 1024 * 1024;
    /**
     * Bytes of the quorum packets handed to the core (the replica loop's inbox) and not yet taken
     * by it, counting a packet as its data plus {@value #INBOX_PACKET_OVERHEAD_BYTES}. Past this,
     * reading from every quorum connection pauses until half of it is taken: a peer that sends
     * faster than this server steps its packets (a flood of PINGs or REQUESTs, say) waits in the
     * sockets, not in this heap. Normal traffic stays far below it.
     */
    public static final long INBOX_BYTES_MAX = 64L * 1024 * 1024;
    /** What a packet costs in the inbox besides its data: the event and packet objects, about. */
    static final int INBOX_PACKET_OVERHEAD_BYTES = 64;
    /** Every quorum connection's water marks: unwritable past the send bound (a sync widens it, see allowSync). */
    private static final WriteBufferWaterMark SEND_MARK =
            new WriteBufferWaterMark(SEND_BUFFER_BYTES_MAX / 2, SEND_BUFFER_BYTES_MAX);
    /** A learner takes a snapshot from its leader (streamed after SNAP, or in one SNAP) of up to 1/this of its heap. */
    public static final int SNAP_HEAP_FRACTION = 3;
    /**
     * The pieces a SNAP's stream is read out of the tree and written in: under half a G1 region
     * even with a small heap (1 MiB regions up to 2 GiB), so no piece is a humongous allocation.
     */
    static final int SNAP_PIECE_BYTES = 256 * 1024;
    /**
     * How much of a SNAP's stream may be written and not yet sent: the next piece is read out of
     * the tree only when the connection has taken the ones before (a learner reading slowly holds
     * the leader to its pace, and the leader never holds its whole tree twice).
     */
    static final int SNAP_AHEAD_BYTES = 16 * SNAP_PIECE_BYTES;
    /** Stands for a SNAP stream's pieces in {@link #allowSync}: they count as the sync in progress. */
    private static final QuorumPacket SNAP_HEAD = new QuorumPacket(QuorumPacketType.SNAP, 0, null, null);
    /** Bytes written to one quorum connection in one batch before it is flushed mid-batch. */
    static final int FLUSH_BYTES = 64 * 1024;
    /** How long a connection attempt may take before it counts as failed. */
    public static final int CONNECT_TIMEOUT_MS = 2000;
    /** How long an accepted connection may take to say who it is (initial message, FOLLOWERINFO). */
    public static final int IDENTIFY_TIMEOUT_MS = 5000;
    /** Accepted connections that have not yet said who they are, at most. */
    public static final int UNIDENTIFIED_CONNECTIONS_MAX = 64;
    public static final int RECONNECT_BACKOFF_MS_MIN = 50;
    public static final int RECONNECT_BACKOFF_MS_MAX = 2000;
    /** A second between tries to bind the election port (ZooKeeper's). */
    public static final int BIND_RETRY_DELAY_MS = 1000;
    /** How long a peer certificate's name check may take (it may look the peer's address up in reverse). */
    public static final int NAME_CHECK_TIMEOUT_MS = 10_000;
    static final int NAME_CHECK_THREADS = 2;
    static final int NAME_CHECK_QUEUE_MAX = 128;

    /** Host names are looked up on at most this many threads (one per member is plenty). */
    static final int LOOKUP_THREADS_MAX = 4;

    /** Looks up a host name; {@code InetAddress.getByName} outside tests. May block. */
    interface HostLookup {
        InetAddress lookUp(String host) throws UnknownHostException;
    }

    /** What arrives from peers; called on the transport's thread, in order. */
    public interface Inbound {
        void election(long fromSid, NotificationMessage message);

        /** A packet from {@code fromSid}; whoever takes it calls {@link #taken} once it is handled (the inbox bound). */
        void quorum(long fromSid, QuorumPacket packet);

        void peerDown(long sid);

        /**
         * A connection to {@code sid}'s election port failed, or the open one broke: its vote will
         * not come for now (the election need not wait the finalize wait for it).
         */
        void electionUnreachable(long sid);

        /**
         * A snapshot streamed after SNAP moves on the connection with {@code fromSid} (at most one
         * report per {@link #STREAMING_REPORT_MS}): on a learner, bytes of it keep arriving from its
         * leader; on a leader, that learner keeps taking the snapshot it is sent.
         */
        default void streaming(long fromSid) {
        }

        /**
         * The snapshot {@code fromSid} streamed after its SNAP at {@code zxid}, read whole (in the
         * connection's order: after the packets before the SNAP, before those after the stream).
         */
        void snapshot(long fromSid, long zxid, SnapshotData snapshot);
    }

    /** How often a learner reading a streamed snapshot tells the core its leader is still sending. */
    static final long STREAMING_REPORT_MS = 200;

    private final long mySid;
    private final Map<Long, PeerAddress> members;
    private final boolean listenOnAllIps;
    private final int bindRetry;
    private final Inbound inbound;
    private final Security security;
    /**
     * Where certificates' names are checked (a reverse lookup may hang), apart from the host name
     * lookups: {@value #NAME_CHECK_THREADS} threads, {@value #NAME_CHECK_QUEUE_MAX} checks waiting
     * at most (more fail, and their connections close).
     */
    private final ThreadPoolExecutor nameCheckThreads = new ThreadPoolExecutor(NAME_CHECK_THREADS, NAME_CHECK_THREADS,
            30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(NAME_CHECK_QUEUE_MAX), r -> {
                Thread t = new Thread(r, "paddock-quorum-names");
                t.setDaemon(true);
                return t;
            });
    private final QuorumPacketDecoder packetDecoder = QuorumPacketDecoder.withDefaultLimits();
    /**
     * On a learner's connection to its leader the snapshot streamed after a SNAP may cost up to
     * 1/{@value #SNAP_HEAP_FRACTION} of this JVM's heap in the nodes it makes (counted as {@link
     * ZooKeeperSnapReader} counts them), which the learner holds besides the tree it has until it
     * installs them (see {@link LearnerQuorumDecoder}); no bound of 2 GiB, as the stream is never
     * one array. A SNAP carrying its snapshot as data (Paddock leaders before they sent ZooKeeper's
     * format) is one array: up to the same share, under 2 GiB.
     */
    private final long snapBudgetBytes = Runtime.getRuntime().maxMemory() / SNAP_HEAP_FRACTION;
    private final QuorumPacketDecoder learnerPacketDecoder = QuorumPacketDecoder.forLearner(snapBudgetBytes);
    private final NioEventLoopGroup group = new NioEventLoopGroup(1, r -> {
        Thread t = new Thread(r, "paddock-quorum");
        t.setDaemon(true);
        return t;
    });
    private final EventLoop loop = group.next();
    private final HostLookup lookup;
    /** Where host names are looked up, off the event loop; idle threads end after a while. */
    private final ThreadPoolExecutor lookupThreads;
    /** The lookup in flight for each host name (one at a time per name). */
    private final Map<String, CompletableFuture<InetAddress>> lookupsInFlight = new ConcurrentHashMap<>();
    private final AddressResolverGroup<InetSocketAddress> resolverGroup = new AddressResolverGroup<>() {
        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new InetSocketAddressResolver(executor, new OffLoopNameResolver(executor));
        }
    };
    private final Map<Long, ElectionLink> electionLinks = new TreeMap<>();
    private final Map<Long, QuorumLink> quorumLinks = new HashMap<>();
    /** Bytes of quorum packets handed to the core and not yet taken (see INBOX_BYTES_MAX); written on the loop. */
    private volatile long inboxBytes;
    private volatile boolean readingPaused;
    /** The packet encoded last and its bytes (see {@link #encoded}); transport loop thread only. */
    private QuorumPacket lastEncodedPacket;
    private byte[] lastEncoded;
    private final byte[] initialMessage;
    private int unidentified;
    private Channel electionServer;
    private Channel quorumServer;
    private volatile boolean closed;

    private static final class ElectionLink {
        final long sid;
        Channel channel;
        boolean connecting;
        ScheduledFuture<?> retry;
        int backoffMs = RECONNECT_BACKOFF_MS_MIN;
        final ArrayDeque<byte[]> queue = new ArrayDeque<>();

        ElectionLink(long sid) {
            this.sid = sid;
        }
    }

    private static final class QuorumLink {
        final long sid;
        /** This server opened it, as that server's learner (else it accepted it from a learner). */
        final boolean opened;
        Channel channel;
        boolean dropped;
        final ArrayDeque<QuorumPacket> queue = new ArrayDeque<>();
        /** Bytes of the sync in progress (DIFF/TRUNC/SNAP up to UPTODATE), added to the send bound; 0 when none. */
        long syncBytes;
        /**
         * A learner's connection to us (accepted) on which no LEADERINFO went yet: a leader's first
         * packet on a connection is always LEADERINFO, so anything before it was meant for an
         * earlier connection of the same server (the core had not yet heard that it was replaced)
         * and is dropped (a sync, a whole SNAP stream, sent to a learner that only just said who it is).
         */
        boolean awaitingLeaderInfo;
        /** The SNAP stream being written to this learner; null when none is (see {@link #startSnap}). */
        SnapStream snap;
        /** Packets for this learner sent while its SNAP streams, encoded, to follow the stream. */
        final ArrayDeque<byte[]> afterSnap = new ArrayDeque<>();
        long afterSnapBytes;
        /** The stream's bytes written so far, and those of them not yet sent. */
        long snapWritten;
        long snapUnsent;
        boolean snapPumpQueued;
        long snapStartedNanos;
        long snapZxid;
        /** When the core was last told this learner took more of its snapshot (System.nanoTime). */
        long snapLastReport;

        QuorumLink(long sid, boolean opened) {
            this.sid = sid;
            this.opened = opened;
        }
    }

    /**
     * TLS between the servers: {@code tls} null for none. {@code connectWithTls} (sslQuorum): the
     * connections this server opens start with a TLS handshake. {@code acceptPlain}
     * (portUnification, or no TLS at all): accepted connections may be plain; with a {@code tls},
     * accepted connections may be TLS too.
     */
    public record Security(Tls tls, boolean connectWithTls, boolean acceptPlain, QuorumSasl sasl) {
        public static final Security PLAIN = new Security(null, false, true);

        public Security {
            if (tls == null && (connectWithTls || !acceptPlain)) {
                throw new IllegalArgumentException("TLS asked for without a TLS context");
            }
        }

        /** Without SASL between the servers. */
        public Security(Tls tls, boolean connectWithTls, boolean acceptPlain) {
            this(tls, connectWithTls, acceptPlain, null);
        }

        /** The same, with SASL between the servers ({@code quorum.auth.*}; null for none). */
        public Security withSasl(QuorumSasl quorumSasl) {
            return new Security(tls, connectWithTls, acceptPlain, quorumSasl);
        }

        /** This server authenticates the connections it opens (quorum.auth.learnerRequireSasl). */
        boolean learnerAuth() {
            return sasl != null && sasl.settings().learnerRequired();
        }
    }

    /** A connection's SASL exchange (quorum.auth.enableSasl), while it has one. */
    private static final AttributeKey<QuorumAuthExchange> AUTH = AttributeKey.valueOf("paddock.quorum.sasl");

    public QuorumTransport(long mySid, Map<Long, PeerAddress> members, boolean listenOnAllIps, int bindRetry,
            Security security, Inbound inbound) {
        this(mySid, members, listenOnAllIps, bindRetry, security, inbound, InetAddress::getByName);
    }

    /** As the public constructor, looking host names up with {@code lookup} (tests make a slow one). */
    QuorumTransport(long mySid, Map<Long, PeerAddress> members, boolean listenOnAllIps, int bindRetry,
            Security security, Inbound inbound, HostLookup lookup) {
        this.security = security;
        this.lookup = lookup;
        int lookupThreads = Math.max(1, Math.min(LOOKUP_THREADS_MAX, members.size()));
        this.lookupThreads = new ThreadPoolExecutor(lookupThreads, lookupThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "paddock-quorum-lookup");
                    t.setDaemon(true);
                    return t;
                });
        this.lookupThreads.allowCoreThreadTimeOut(true);
        this.nameCheckThreads.allowCoreThreadTimeOut(true);
        if (!members.containsKey(mySid)) {
            throw new IllegalArgumentException("server " + mySid + " is not among " + members.keySet());
        }
        this.mySid = mySid;
        this.members = Map.copyOf(members);
        this.listenOnAllIps = listenOnAllIps;
        this.bindRetry = bindRetry;
        this.inbound = inbound;
        PeerAddress me = members.get(mySid);
        this.initialMessage = InitialMessage.v1(mySid, new ElectionAddress(me.host(), me.electionPort())).encode();
    }

    /** Binds the election port (retrying as {@code electionPortBindRetry} says) and the quorum port. */
    public void start() throws IOException {
        PeerAddress me = members.get(mySid);
        electionServer = bindWithRetry(listenAddress(me.host(), me.electionPort()), true);
        quorumServer = bindWithRetry(listenAddress(me.host(), me.quorumPort()), false);
        LOG.info("server {} listening for elections on {} and for learners on {}", mySid,
                electionServer.localAddress(), quorumServer.localAddress());
    }

    private InetSocketAddress listenAddress(String host, int port) {
        return listenOnAllIps ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    private Channel bindWithRetry(InetSocketAddress address, boolean election) throws IOException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, SEND_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (election) {
                            acceptedElection(ch);
                        } else {
                            acceptedQuorum(ch);
                        }
                    }
                });
        for (int attempt = 1; ; attempt++) {
            ChannelFuture f = b.bind(address).awaitUninterruptibly();
            if (f.isSuccess()) {
                return f.channel();
            }
            boolean again = !election || bindRetry == 0 || attempt < bindRetry;
            if (!election || !again || closed) {
                throw new IOException("cannot listen on " + address + " for " + (election ? "elections" : "learners")
                        + " after " + attempt + " tries: " + f.cause(), f.cause());
            }
            LOG.warn("cannot bind election port {} (try {}): {}; retrying in {} ms", address, attempt, f.cause(),
                    BIND_RETRY_DELAY_MS);
            try {
                Thread.sleep(BIND_RETRY_DELAY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted binding " + address, e);
            }
        }
    }

    /**
     * The core took {@code packet}, which {@link Inbound#quorum} handed over: its bytes leave the
     * inbox count, and reading resumes once half of {@link #INBOX_BYTES_MAX} is left.
     */
    public void taken(QuorumPacket packet) {
        long cost = inboxCost(packet);
        onLoop(() -> {
            inboxBytes -= cost;
            if (readingPaused && inboxBytes <= INBOX_BYTES_MAX / 2) {
                pauseReading(false);
            }
        });
    }

    /** Bytes of quorum packets handed to the core and not yet taken (see {@link #INBOX_BYTES_MAX}). */
    public long inboxBytes() {
        return inboxBytes;
    }

    /** Whether reading from the quorum connections is paused for the inbox bound (tests). */
    boolean readingPaused() {
        return readingPaused;
    }

    private static long inboxCost(QuorumPacket packet) {
        return INBOX_PACKET_OVERHEAD_BYTES + (packet.data() == null ? 0 : packet.data().length);
    }

    /** Stops or resumes reading from every quorum connection (adoptQuorum sets a new one the same way). */
    private void pauseReading(boolean pause) {
        readingPaused = pause;
        for (QuorumLink link : quorumLinks.values()) {
            if (link.channel != null) {
                link.channel.config().setAutoRead(!pause);
            }
        }
    }

    /** The one thread that owns every connection; the replica loop of a member runs on it too. */
    public EventLoop eventLoop() {
        return loop;
    }

    /**
     * Runs {@code work} on the transport's thread: at once when called there (so a member's replica
     * loop writes its packets without a hand-off, in the order it calls), else as a task.
     */
    private void onLoop(Runnable work) {
        if (loop.inEventLoop()) {
            work.run();
        } else {
            loop.execute(work);
        }
    }

    /** The bound election address (tests bind port 0). */
    public InetSocketAddress electionAddress() {
        return (InetSocketAddress) electionServer.localAddress();
    }

    public InetSocketAddress quorumAddress() {
        return (InetSocketAddress) quorumServer.localAddress();
    }

    // ---- election ----

    /** Queues a notification for {@code toSid}, connecting if needed; never blocks. */
    public void sendElection(long toSid, NotificationMessage message) {
        byte[] frame = ElectionFrame.encode(message);
        onLoop(() -> {
            ElectionLink link = electionLink(toSid);
            if (link == null) {
                return;
            }
            if (link.queue.size() >= ELECTION_QUEUE_MESSAGES_MAX) {
                link.queue.pollFirst(); // only the newest vote matters
            }
            link.queue.addLast(frame);
            flushElection(link);
        });
    }

    private ElectionLink electionLink(long sid) {
        if (sid == mySid || !members.containsKey(sid)) {
            return null;
        }
        return electionLinks.computeIfAbsent(sid, ElectionLink::new);
    }

    private void flushElection(ElectionLink link) {
        if (link.channel != null) {
            if (!link.channel.isWritable()) {
                LOG.warn("election connection to server {} does not drain; closing it", link.sid);
                link.channel.close();
                return;
            }
            while (!link.queue.isEmpty()) {
                link.channel.write(Unpooled.wrappedBuffer(link.queue.pollFirst()));
            }
            link.channel.flush();
        } else if (!link.connecting && link.retry == null && !closed) {
            connectElection(link);
        }
    }

    private void connectElection(ElectionLink link) {
        PeerAddress peer = members.get(link.sid);
        link.connecting = true;
        ChannelFuture f = bootstrap(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                addConnectingTls(ch, peer.host(), peer.electionPort(), "election");
                ch.pipeline().addLast(new ElectionDecoder(link.sid), new ElectionHandler(link.sid));
            }
        }).connect(peer.host(), peer.electionPort());
        f.addListener((ChannelFutureListener) done -> secured(done, "election", link.sid, peer.host()).addListener(ready -> {
            if (!ready.isSuccess()) {
                link.connecting = false;
                done.channel().close();
                if (!closed) {
                    inbound.electionUnreachable(link.sid);
                }
                scheduleElectionRetry(link);
                return;
            }
            Channel ch = done.channel();
            if (closed) {
                link.connecting = false;
                ch.close();
                return;
            }
            if (!security.learnerAuth()) {
                link.connecting = false;
                electionOpened(link, ch);
                return;
            }
            // As ZooKeeper's QuorumCnxManager: the initial message, then the SASL exchange (also
            // on a connection this server then drops), then votes.
            QuorumAuthExchange x = null;
            if (ch.isActive()) {
                ch.writeAndFlush(Unpooled.wrappedBuffer(initialMessage));
                x = startAuth(ch, true, "election connection to server " + link.sid);
            }
            if (x == null) {
                link.connecting = false;
                ch.close();
                scheduleElectionRetry(link);
                return;
            }
            x.outcome().addListener(authed -> {
                link.connecting = false;
                if (!authed.isSuccess() || !ch.isActive()) {
                    ch.close();
                    if (!closed) {
                        inbound.electionUnreachable(link.sid);
                    }
                    scheduleElectionRetry(link);
                } else if (link.sid > mySid) {
                    ch.close();
                    scheduleElectionRetry(link); // in case it never connects back
                } else {
                    adoptElection(link, ch);
                }
            });
        }));
    }

    /** A connection this server opened, ready (and without SASL): say who we are, then keep or drop it. */
    private void electionOpened(ElectionLink link, Channel ch) {
        if (link.sid > mySid) {
            // We lose the challenge: say who we are and close; the higher side connects back.
            ch.writeAndFlush(Unpooled.wrappedBuffer(initialMessage)).addListener(ChannelFutureListener.CLOSE);
            scheduleElectionRetry(link); // in case it never does
            return;
        }
        ch.write(Unpooled.wrappedBuffer(initialMessage));
        adoptElection(link, ch);
    }

    /**
     * Begins {@code ch}'s SASL exchange: as the learner on a connection this server opened
     * ({@code opened}), as the server on one it accepted; a failed one closes the connection.
     */
    private QuorumAuthExchange startAuth(Channel ch, boolean opened, String what) {
        StreamDecoder decoder = ch.pipeline().get(StreamDecoder.class);
        if (decoder == null) {
            return null; // closed and taken apart already
        }
        // The side that connected waits as long as the accepting side may hold it (its name check).
        long learnerWaitMs = IDENTIFY_TIMEOUT_MS + (security.tls() != null ? NAME_CHECK_TIMEOUT_MS : 0);
        QuorumAuthExchange x = opened ? QuorumAuthExchange.asLearner(security.sasl(), ch, decoder, what, learnerWaitMs)
                : QuorumAuthExchange.asServer(security.sasl(), ch, decoder, what);
        ch.attr(AUTH).set(x);
        x.outcome().addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
            }
        });
        return x;
    }

    /** A SASL packet read on {@code ch}: for its exchange; one without an exchange breaks the connection. */
    private void authPacket(Channel ch, QuorumAuthPacket p, String what) {
        QuorumAuthExchange x = ch.attr(AUTH).get();
        if (x == null) {
            dropForBadInput(ch, what, new PeerProtocolException("a SASL packet where none was asked for"));
            return;
        }
        x.onPacket(p);
    }

    /**
     * An accepted connection's first message of its own, while its SASL exchange may begin: it
     * began none. False where that closes the connection (quorum.auth.serverRequireSasl).
     */
    private static boolean passedWithoutAuth(Channel ch) {
        QuorumAuthExchange x = ch.attr(AUTH).get();
        if (x == null || x.done()) {
            return x == null || x.outcome().isSuccess();
        }
        x.onOtherFirst();
        return x.outcome().isSuccess();
    }

    private static final String TLS_HANDLER = "tls";
    private static final String TLS_DETECT = "tls-detect";
    private static final String NAME_GATE = "tls-names";

    /**
     * TLS handshakes accepted per second at most, in bursts of up to as many: the server side of a
     * handshake signs before it has seen the peer's certificate, on the event loop that is also
     * the replica's, so anyone who can reach the quorum ports could otherwise keep that thread busy.
     * The servers of an ensemble open two connections each, retried with back-off.
     */
    public static final int ACCEPTED_HANDSHAKES_PER_SECOND = 20;
    /** How often a refused TLS peer's address is logged, at most. */
    static final long REFUSED_LOG_INTERVAL_MS = 60_000;
    private double handshakeTokens = ACCEPTED_HANDSHAKES_PER_SECOND;
    private long handshakeTokensAt = System.nanoTime();
    /** When each refused address was last logged (event loop only; cleared past 256 addresses). */
    private final Map<InetAddress, Long> refusedLogged = new HashMap<>();

    /** A token bucket of {@link #ACCEPTED_HANDSHAKES_PER_SECOND}; event loop only. */
    private boolean handshakeAllowed() {
        long now = System.nanoTime();
        handshakeTokens = Math.min(ACCEPTED_HANDSHAKES_PER_SECOND,
                handshakeTokens + (now - handshakeTokensAt) / 1e9 * ACCEPTED_HANDSHAKES_PER_SECOND);
        handshakeTokensAt = now;
        if (handshakeTokens < 1) {
            return false;
        }
        handshakeTokens--;
        return true;
    }

    /** A warning about a refused peer, at most once a minute per address (a peer retries every few seconds). */
    private void logRefused(InetSocketAddress from, String line) {
        long now = System.nanoTime();
        Long last = refusedLogged.get(from.getAddress());
        if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(REFUSED_LOG_INTERVAL_MS)) {
            return;
        }
        if (refusedLogged.size() >= 256) {
            refusedLogged.clear();
        }
        refusedLogged.put(from.getAddress(), now);
        LOG.warn("{} (logged once a minute per address)", line);
    }

    /**
     * Where a peer's certificate must name it (fips-mode=false): after the TLS handshake nothing the
     * peer sent goes on, and nothing more is read, until the name check (off the event loop, see
     * {@link #namesChecked}) has passed; a failed check closes the connection. On an accepted
     * connection the gate starts the check itself; on one this server opens, {@link #secured} does
     * and opens the gate (a peer has nothing to say there before we speak, but a misnamed one that
     * speaks first must not be heard).
     */
    private final class NameGate extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final String kind;
        private final boolean accepted;
        private final List<Object> held = new ArrayList<>();
        private boolean open;

        NameGate(String kind, boolean accepted) {
            this.kind = kind;
            this.accepted = accepted;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (open) {
                ctx.fireChannelRead(msg);
            } else {
                held.add(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done && done.isSuccess()) {
                Channel ch = ctx.channel();
                ch.config().setAutoRead(false);
                if (accepted) {
                    io.netty.handler.ssl.SslHandler tls = ch.pipeline().get(io.netty.handler.ssl.SslHandler.class);
                    namesChecked(ch, tls, true, true, null, ((InetSocketAddress) ch.remoteAddress()).getAddress())
                            .addListener(checked -> {
                                if (checked.isSuccess()) {
                                    release(ctx);
                                } else {
                                    LOG.warn("{} connection from {} closed: {}", kind, ch.remoteAddress(),
                                            checked.cause().getMessage());
                                    ch.close();
                                }
                            });
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        /**
         * The check passed: what was held goes on, in order, and reading resumes (a learner's
         * connection takes the transport's back-pressure once it is adopted, see adoptQuorum).
         */
        void release(ChannelHandlerContext ctx) {
            if (open || !ctx.channel().isActive()) {
                return;
            }
            open = true;
            ctx.channel().config().setAutoRead(true);
            for (Object msg : held) {
                ctx.fireChannelRead(msg);
            }
            held.clear();
            ctx.fireChannelReadComplete();
            if (!ctx.isRemoved()) {
                ctx.pipeline().remove(this);
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            for (Object msg : held) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
            held.clear();
        }
    }

    /** On a connection this server opens: TLS first, where sslQuorum (and a gate, where names are checked). */
    private void addConnectingTls(SocketChannel ch, String host, int port, String kind) {
        if (security.connectWithTls()) {
            ch.pipeline().addLast(TLS_HANDLER, security.tls().connectingHandler(ch.alloc(), host, port));
            if (security.tls().settings().verifyServerHostname()) {
                ch.pipeline().addLast(NAME_GATE, new NameGate(kind, false));
            }
        }
    }

    /**
     * Completes once {@code connected} may carry messages: at once for a plain connection; for a
     * TLS one, after its handshake and, where names are checked, once the server's certificate was
     * found to name it ({@code host}, its zoo.cfg name, and the address it was reached at). Fails,
     * with a log line for TLS, otherwise.
     */
    private io.netty.util.concurrent.Future<?> secured(ChannelFuture connected, String kind, long sid, String host) {
        if (!connected.isSuccess()) {
            return connected;
        }
        Channel ch = connected.channel();
        io.netty.handler.ssl.SslHandler tls = ch.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
            return connected;
        }
        Promise<Void> ready = ch.eventLoop().newPromise();
        tls.handshakeFuture().addListener(handshake -> {
            if (!handshake.isSuccess()) {
                if (!closed) {
                    LOG.warn("TLS handshake for the {} connection to server {} at {} failed: {}", kind, sid,
                            ch.remoteAddress(), rootCause(handshake.cause()));
                }
                ready.tryFailure(handshake.cause());
                return;
            }
            InetAddress reached = ((InetSocketAddress) ch.remoteAddress()).getAddress();
            namesChecked(ch, tls, security.tls().settings().verifyServerHostname(), false,
                    NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host) ? null : host, reached)
                    .addListener(checked -> {
                        if (checked.isSuccess()) {
                            io.netty.channel.ChannelHandlerContext gate = ch.pipeline().context(NAME_GATE);
                            if (gate != null) {
                                ((NameGate) gate.handler()).release(gate);
                            }
                            ready.trySuccess(null);
                        } else {
                            LOG.warn("the {} connection to server {} at {} is closed: {}", kind, sid, ch.remoteAddress(),
                                    checked.cause().getMessage());
                            ready.tryFailure(checked.cause());
                        }
                    });
        });
        return ready;
    }

    /**
     * Completes (on the connection's event loop) once the peer's certificate was found to name it,
     * at once where {@code check} is off: {@code address} (the connection's) and {@code name} (the
     * one it was reached by, or null for a bare address, which is looked up in reverse where
     * allowed). A peer that connected ({@code accepted}) and showed no certificate (clientAuth want
     * or none) has nothing to check, as ZooKeeper's trust manager is never asked then. The check,
     * which may look a name up, runs on {@link #nameCheckThreads}, and fails after {@value
     * #NAME_CHECK_TIMEOUT_MS} ms: ZooKeeper makes it inside the handshake, on the connection's own
     * thread; here the event loop is the replica's.
     */
    private io.netty.util.concurrent.Future<Void> namesChecked(Channel ch, io.netty.handler.ssl.SslHandler tls,
            boolean check, boolean accepted, String name, InetAddress address) {
        Promise<Void> done = ch.eventLoop().newPromise();
        if (!check) {
            return done.setSuccess(null);
        }
        java.security.cert.X509Certificate cert;
        InetAddress peer;
        try {
            cert = (java.security.cert.X509Certificate) tls.engine().getSession().getPeerCertificates()[0];
            peer = InetAddress.getByAddress(name, address.getAddress()); // no lookup
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return accepted ? done.setSuccess(null)
                    : done.setFailure(new java.security.cert.CertificateException("the server showed no certificate", e));
        } catch (ClassCastException | UnknownHostException e) {
            return done.setFailure(new java.security.cert.CertificateException("no certificate to check: " + e, e));
        }
        boolean reverse = security.tls().settings().reverseDnsLookup();
        ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> done.tryFailure(new java.security.cert.CertificateException(
                "checking the certificate's names took over " + NAME_CHECK_TIMEOUT_MS + " ms (a reverse lookup?)")),
                NAME_CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        done.addListener(f -> timeout.cancel(false));
        try {
            nameCheckThreads.execute(() -> {
                if (!ch.isOpen() || done.isDone()) {
                    done.tryFailure(new java.nio.channels.ClosedChannelException());
                    return;
                }
                try {
                    io.paddock.server.net.PeerNames.check(peer, cert, reverse);
                    done.trySuccess(null);
                } catch (java.security.cert.CertificateException | RuntimeException e) {
                    done.tryFailure(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.tryFailure(new java.security.cert.CertificateException("too many certificate name checks waiting", e));
        }
        return done;
    }

    private static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? t.toString() : t + " (" + root + ")";
    }

    /**
     * On an accepted connection, where TLS is configured: its first bytes tell TLS from plain;
     * plain is taken only where allowed (portUnification), TLS gets its handler.
     */
    private void addAcceptingTls(SocketChannel ch, String kind) {
        if (security.tls() == null) {
            return;
        }
        ch.pipeline().addLast(TLS_DETECT, new io.netty.handler.codec.ByteToMessageDecoder() {
            @Override
            protected void decode(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, List<Object> out) {
                if (in.readableBytes() < 5) {
                    return;
                }
                if (io.netty.handler.ssl.SslHandler.isEncrypted(in)) {
                    InetSocketAddress from = (InetSocketAddress) ctx.channel().remoteAddress();
                    if (!handshakeAllowed()) {
                        logRefused(from, "TLS " + kind + " connection from " + from + " closed: over "
                                + ACCEPTED_HANDSHAKES_PER_SECOND + " handshakes a second (each costs the replica's"
                                + " thread a signature)");
                        in.skipBytes(in.readableBytes());
                        ctx.close();
                        return;
                    }
                    if (security.tls().settings().verifyClientHostname()) {
                        ctx.pipeline().addAfter(TLS_DETECT, NAME_GATE, new NameGate(kind, true));
                    }
                    io.netty.handler.ssl.SslHandler tls = security.tls().acceptingHandler(ctx.alloc(), from);
                    tls.handshakeFuture().addListener(handshake -> {
                        if (!handshake.isSuccess() && !closed) {
                            logRefused(from, "TLS handshake of the " + kind + " connection from " + from + " failed: "
                                    + rootCause(handshake.cause()));
                        }
                    });
                    ctx.pipeline().addAfter(TLS_DETECT, TLS_HANDLER, tls);
                } else if (!security.acceptPlain()) {
                    LOG.warn("plain {} connection from {} closed: sslQuorum=true takes only TLS connections"
                            + " (portUnification=true takes both, for a rolling change)", kind,
                            ctx.channel().remoteAddress());
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                ctx.pipeline().remove(this); // what it holds goes on to the next handler
            }
        });
    }

    private void scheduleElectionRetry(ElectionLink link) {
        if (closed || link.retry != null) {
            return;
        }
        int delay = link.backoffMs;
        link.backoffMs = Math.min(RECONNECT_BACKOFF_MS_MAX, link.backoffMs * 2);
        link.retry = loop.schedule(() -> {
            link.retry = null;
            if (link.channel == null && !link.queue.isEmpty()) {
                flushElection(link);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** {@code ch} becomes the one election connection with {@code link.sid}; an older one is closed. */
    private void adoptElection(ElectionLink link, Channel ch) {
        if (link.channel != null && link.channel != ch) {
            link.channel.close();
        }
        link.channel = ch;
        if (link.retry != null) {
            link.retry.cancel(false);
            link.retry = null;
        }
        ch.closeFuture().addListener(done -> {
            if (link.channel == ch) {
                link.channel = null;
                if (!closed) {
                    inbound.electionUnreachable(link.sid); // it broke, or the other side closed it
                }
                if (!link.queue.isEmpty()) {
                    scheduleElectionRetry(link);
                }
            }
        });
        flushElection(link);
    }

    private void acceptedElection(SocketChannel ch) {
        if (!admitUnidentified(ch)) {
            return;
        }
        addAcceptingTls(ch, "election");
        ch.pipeline().addLast(new ElectionDecoder(-1), new ElectionHandler(-1));
        if (security.sasl() != null) {
            startAuth(ch, false, "election connection from " + ch.remoteAddress());
        }
    }

    /** Initial message (on an accepted connection) then frames; a notification that does not decode is skipped. */
    private final class ElectionDecoder extends StreamDecoder {
        private long sid;

        ElectionDecoder(long knownSid) {
            this.sid = knownSid;
        }

        @Override
        Step next() {
            return sid < 0 ? InitialMessage::decode : authAware(ElectionFrame::decode);
        }

        @Override
        Object received(Object message) {
            if (message instanceof InitialMessage m) {
                sid = m.sid();
            }
            return message;
        }
    }

    private final class ElectionHandler extends SimpleChannelInboundHandler<Object> {
        private long sid;

        ElectionHandler(long knownSid) {
            this.sid = knownSid;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof InitialMessage m) {
                QuorumAuthExchange x = ctx.channel().attr(AUTH).get();
                if (x != null && !x.done()) {
                    // As ZooKeeper's QuorumCnxManager: the SASL exchange (or its absence) before the
                    // decision to keep the connection or connect back. A peer that does not
                    // authenticate may have nothing to say yet: after a moment it counts as not
                    // authenticating (ZooKeeper's peek times out the same way).
                    Channel ch = ctx.channel();
                    ch.eventLoop().schedule(x::noFirstToken, QuorumAuthExchange.FIRST_TOKEN_WAIT_MS,
                            TimeUnit.MILLISECONDS);
                    x.outcome().addListener(authed -> {
                        if (!authed.isSuccess()) {
                            return; // closed; not connected back (ZooKeeper does not either)
                        }
                        if (ch.isActive()) {
                            identified(ch, m);
                        } else {
                            connectBack(m.sid()); // a lower sid that said who it is and left
                        }
                    });
                    return;
                }
                identified(ctx.channel(), m);
                return;
            }
            if (msg instanceof QuorumAuthPacket p) {
                authPacket(ctx.channel(), p, "election connection");
                return;
            }
            if (!passedWithoutAuth(ctx.channel()) || !ctx.channel().isActive()) {
                return;
            }
            ElectionLink link = electionLinks.get(sid);
            if (link != null && link.channel == ctx.channel()) {
                // The connection carries votes: a later break is retried soon again. (Not when it is
                // made: a TLSv1.3 peer that refuses our certificate does so after our handshake.)
                link.backoffMs = RECONNECT_BACKOFF_MS_MIN;
            }
            try {
                inbound.election(sid, NotificationMessage.decode((byte[]) msg));
            } catch (PeerProtocolException e) {
                LOG.warn("server {} sent a notification that does not decode, skipped: {}", sid, e.getMessage());
            }
        }

        private void identified(Channel ch, InitialMessage m) {
            unidentified--;
            ch.attr(IDENTIFIED).set(Boolean.TRUE);
            long from = m.sid();
            if (from == mySid || !members.containsKey(from)) {
                LOG.warn("election connection from {} claims server id {}, not a member other than us; dropped",
                        ch.remoteAddress(), from);
                ch.close();
                return;
            }
            ElectionLink link = electionLink(from);
            if (from < mySid) {
                // The lower sid loses the challenge: we keep only the connection we initiate.
                ch.close();
                connectBack(from);
                return;
            }
            sid = from;
            adoptElection(link, ch);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            dropForBadInput(ctx.channel(), sid < 0 ? "election connection" : "election connection of server " + sid,
                    cause);
        }
    }

    /** A lower sid connected (and was dropped): this server opens the election connection, unless it has one. */
    private void connectBack(long from) {
        if (from >= mySid || !members.containsKey(from)) {
            return;
        }
        ElectionLink link = electionLink(from);
        if (link.channel == null && !link.connecting) {
            if (link.retry != null) {
                link.retry.cancel(false);
                link.retry = null;
            }
            connectElection(link);
        }
    }

    // ---- quorum ----

    /**
     * Sends a packet to {@code toSid} on the quorum connection. A learner's FOLLOWERINFO or
     * OBSERVERINFO opens the connection if there is none; any other packet without a connection is
     * dropped (its peer was lost, and only a learner connects).
     */
    public void sendQuorum(long toSid, QuorumPacket packet) {
        onLoop(() -> {
            QuorumLink link = linkFor(toSid, packet);
            if (link == null) {
                return;
            }
            if (packet.type() == QuorumPacketType.SNAP) {
                startSnap(link, packet.zxid(), snapOf(link, packet, null));
            } else {
                byte[] bytes = encoded(packet);
                allowSync(link, packet, bytes.length);
                if (!deferredBehindSnap(link, bytes)) {
                    link.channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
                }
            }
        });
    }

    /**
     * The send bound is there to drop a learner that stopped reading, not one being synced: what a
     * leader sends from the sync's first packet (DIFF, TRUNC or SNAP) until UPTODATE is added to the
     * connection's bound, so a sync larger than it (a SNAP of the whole tree, a DIFF of a restarted
     * leader's log since its last snapshot) is not cut off by it. The learner has read all of it
     * when the leader sends UPTODATE (it acknowledged the NEWLEADER that followed it), and the
     * bound is back to {@link #SEND_BUFFER_BYTES_MAX}. ZooKeeper's leader queues without a bound.
     */
    private static void allowSync(QuorumLink link, QuorumPacket packet, long bytes) {
        int type = packet.type();
        if (type == QuorumPacketType.UPTODATE) {
            if (link.syncBytes > 0) {
                link.syncBytes = 0;
                link.channel.config().setWriteBufferWaterMark(SEND_MARK);
            }
            return;
        }
        if (link.syncBytes == 0 && type != QuorumPacketType.DIFF && type != QuorumPacketType.TRUNC
                && type != QuorumPacketType.SNAP) {
            return; // not syncing
        }
        link.syncBytes += bytes;
        long high = Math.min(Integer.MAX_VALUE, SEND_BUFFER_BYTES_MAX + link.syncBytes);
        link.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(SEND_BUFFER_BYTES_MAX / 2, (int) high));
    }

    /**
     * A SNAP goes out as ZooKeeper's leaders send it, to every learner, ZooKeeper's or ours: the
     * packet with null data, then the snapshot as a stream ({@link SnapStream}, read out of the
     * leader's tree on this thread, which is the replica loop's). One piece of {@value
     * #SNAP_PIECE_BYTES} bytes is read at a time, each in its own task so the loop's other work goes
     * on between pieces, and only while less than {@value #SNAP_AHEAD_BYTES} bytes of it are unsent:
     * a stream holds the learner's pace. Packets sent to the learner meanwhile wait, encoded, and
     * follow the stream's last byte; they may take {@link #SEND_BUFFER_BYTES_MAX} bytes plus as many
     * as the stream has written (the send bound grows with a sync in progress, {@link #allowSync}),
     * and past that the learner is dropped. A dropped connection abandons its stream, which lets
     * the tree go. A stream that fails to read is a bug here: the learner's connection is dropped
     * with an error line, and the learner syncs again.
     */
    private void startSnap(QuorumLink link, long zxid, SnapStream stream) {
        if (stream == null) {
            return; // refused by snapOf, which dropped the connection
        }
        if (link.snap != null) {
            stream.abandon();
            lose(link, "a second snapshot while one was being sent");
            return;
        }
        QuorumPacket head = new QuorumPacket(QuorumPacketType.SNAP, zxid, null, null);
        byte[] bytes = encoded(head);
        allowSync(link, head, bytes.length);
        link.channel.write(Unpooled.wrappedBuffer(bytes));
        link.snap = stream;
        link.snapWritten = 0; // (snapUnsent is not reset: the listeners of pieces still unsent keep it)
        link.snapStartedNanos = System.nanoTime();
        link.snapZxid = zxid;
        LOG.info("sending server {} a snapshot at zxid 0x{}", link.sid, Long.toHexString(zxid));
        pumpSnap(link);
    }

    /** Writes the next piece of a link's SNAP stream, if it has room; the stream's end releases what waited behind it. */
    private void pumpSnap(QuorumLink link) {
        SnapStream stream = link.snap;
        if (stream == null || link.dropped || link.snapUnsent >= SNAP_AHEAD_BYTES) {
            return; // a piece's write completing pumps again
        }
        byte[] piece;
        try {
            piece = stream.next(SNAP_PIECE_BYTES);
        } catch (RuntimeException | Error e) { // an OutOfMemoryError too: the stream must not go on
            LOG.error("the snapshot for server {} could not be read out; dropping its connection", link.sid, e);
            lose(link, "its snapshot could not be sent");
            return;
        }
        if (piece == null) {
            link.snap = null;
            LOG.info("wrote server {} the snapshot at zxid 0x{}: {} bytes in {} ms", link.sid,
                    Long.toHexString(link.snapZxid), link.snapWritten, (System.nanoTime() - link.snapStartedNanos) / 1_000_000);
            writeAfterSnap(link);
            return;
        }
        link.snapWritten += piece.length;
        link.snapUnsent += piece.length;
        allowSync(link, SNAP_HEAD, piece.length); // a piece larger than the bound (a SNAP given whole) passes too
        int length = piece.length;
        link.channel.writeAndFlush(Unpooled.wrappedBuffer(piece)).addListener(done -> {
            link.snapUnsent -= length; // on this thread: the channel's loop is the transport's
            if (done.isSuccess()) {
                reportSnapSent(link);
                queuePump(link);
            } // a failed write closes the connection, and lose() abandons the stream
        });
        queuePump(link);
    }

    /**
     * The learner took another piece of its snapshot: the leader's core hears of it (at most every
     * {@value #STREAMING_REPORT_MS} ms), so a snapshot that takes longer than initLimit to stream
     * does not get its learner dropped as silent. ZooKeeper's leader, whose writes block while the
     * learner reads, starts its initLimit wait for the learner's answer only once it has written it all.
     */
    private void reportSnapSent(QuorumLink link) {
        long now = System.nanoTime();
        if (now - link.snapLastReport >= TimeUnit.MILLISECONDS.toNanos(STREAMING_REPORT_MS) && !link.dropped) {
            link.snapLastReport = now;
            inbound.streaming(link.sid);
        }
    }

    /**
     * The stream a SNAP packet stands for: the core's ({@code stream}), or the packet's data when
     * it is ZooKeeper's stream whole (tests). Data in our own snapshot format, which no learner
     * reads after a SNAP, is refused: the connection is dropped, null returned.
     */
    private SnapStream snapOf(QuorumLink link, QuorumPacket packet, SnapStream stream) {
        if (stream != null) {
            return stream;
        }
        byte[] data = packet.data() == null ? new byte[0] : packet.data();
        if (!ZooKeeperSnapWriter.isStream(data)) {
            LOG.error("a SNAP for server {} carries a snapshot in our own format, which learners do not read;"
                    + " dropping its connection", link.sid);
            lose(link, "its snapshot could not be sent");
            return null;
        }
        return SnapStream.of(data);
    }

    /** Pumps the link's SNAP stream in a task of its own (once queued, not again until it ran). */
    private void queuePump(QuorumLink link) {
        if (link.snap != null && !link.snapPumpQueued && link.snapUnsent < SNAP_AHEAD_BYTES) {
            link.snapPumpQueued = true;
            loop.execute(() -> {
                link.snapPumpQueued = false;
                pumpSnap(link);
            });
        }
    }

    /**
     * Whether a packet for {@code link} waits behind its SNAP stream (kept, or the link dropped for
     * too many); false when no stream is being written and the caller writes it.
     */
    private boolean deferredBehindSnap(QuorumLink link, byte[] packet) {
        if (link.snap == null) {
            return false;
        }
        link.afterSnap.addLast(packet);
        link.afterSnapBytes += packet.length;
        if (link.afterSnapBytes > SEND_BUFFER_BYTES_MAX + link.snapWritten) {
            lose(link, "over " + (SEND_BUFFER_BYTES_MAX + link.snapWritten) + " bytes waiting behind its snapshot");
        }
        return true;
    }

    /** The packets that waited behind a SNAP stream, after its last byte, in buffers of about FLUSH_BYTES. */
    private void writeAfterSnap(QuorumLink link) {
        link.channel.flush(); // the stream's last piece, if it was only written
        Pending pending = new Pending();
        while (!link.afterSnap.isEmpty()) {
            pending.add(link.afterSnap.pollFirst());
            if (pending.bytes >= FLUSH_BYTES) { // in buffers of about FLUSH_BYTES, however many waited
                pending.writeTo(link.channel);
                pending = new Pending();
            }
        }
        link.afterSnapBytes = 0;
        if (!pending.packets.isEmpty()) {
            pending.writeTo(link.channel);
        }
    }

    /** Lets the tree go if a SNAP stream was being written on a link that ended. */
    private static void abandonSnap(QuorumLink link) {
        if (link.snap != null) {
            link.snap.abandon();
            link.snap = null;
        }
        link.afterSnap.clear();
        link.afterSnapBytes = 0;
    }

    /**
     * A packet to send on a quorum connection; a SNAP (with null data) comes with the stream that
     * follows it ({@code snap}, null for every other packet).
     */
    public record Outgoing(long toSid, QuorumPacket packet, SnapStream snap) {
        public Outgoing(long toSid, QuorumPacket packet) {
            this(toSid, packet, null);
        }
    }

    /**
     * Sends packets in order, as {@link #sendQuorum} each, all of them in one piece of work on the
     * transport's thread (the replica loop's whole batch of steps: a leader's PROPOSALs and COMMITs,
     * a follower's ACKs). The packets for one connection are copied into one pooled direct buffer,
     * written and flushed at the end of that work, or as soon as it holds {@link #FLUSH_BYTES}: one
     * write call, and one trip through Netty's pipeline, carries many packets instead of one each
     * (ZooKeeper's LearnerHandler buffers the same way). Bytes are never held for a later task:
     * the send bound counts what is written and not yet sent, and a transport loop that falls
     * behind must not drop a healthy follower (tried and reverted: b0cfdbc).
     */
    public void sendQuorum(List<Outgoing> packets) {
        if (packets.isEmpty()) {
            return;
        }
        List<Outgoing> batch = loop.inEventLoop() ? packets : List.copyOf(packets);
        onLoop(() -> {
            Map<Channel, Pending> pending = new IdentityHashMap<>(4);
            for (Outgoing o : batch) {
                QuorumLink link = linkFor(o.toSid(), o.packet());
                if (link == null) {
                    if (o.snap() != null) {
                        o.snap().abandon(); // no connection to stream it on: the tree lets it go
                    }
                    continue;
                }
                Channel channel = link.channel;
                if (o.packet().type() == QuorumPacketType.SNAP) {
                    Pending before = pending.remove(channel); // what came before it goes first
                    if (before != null) {
                        before.writeTo(channel);
                    }
                    startSnap(link, o.packet().zxid(), snapOf(link, o.packet(), o.snap()));
                    continue;
                }
                byte[] bytes = encoded(o.packet());
                allowSync(link, o.packet(), bytes.length);
                if (deferredBehindSnap(link, bytes)) {
                    continue;
                }
                Pending p = pending.computeIfAbsent(channel, c -> new Pending());
                p.add(bytes);
                if (p.bytes >= FLUSH_BYTES) {
                    p.writeTo(channel);
                    pending.remove(channel);
                }
            }
            pending.forEach((channel, p) -> p.writeTo(channel));
        });
    }

    /** The encoded packets of one task for one connection, not yet handed to Netty. */
    private static final class Pending {
        private final List<byte[]> packets = new ArrayList<>(8);
        private int bytes;

        void add(byte[] packet) {
            packets.add(packet);
            bytes += packet.length;
        }

        /**
         * One direct buffer with every packet, written and flushed (Netty would copy a heap buffer
         * into a direct one anyway). A connection closed meanwhile releases it.
         */
        void writeTo(Channel channel) {
            if (packets.size() == 1) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(packets.get(0)));
                return;
            }
            ByteBuf out = channel.alloc().directBuffer(bytes, bytes);
            for (byte[] packet : packets) {
                out.writeBytes(packet);
            }
            channel.writeAndFlush(out);
        }
    }

    /**
     * The link whose open connection to write a packet for {@code toSid} on, or null when the
     * packet was queued (the connection is being made) or dropped (with the connection, past the
     * send bound).
     */
    private QuorumLink linkFor(long toSid, QuorumPacket packet) {
        if (closed || toSid == mySid || !members.containsKey(toSid)) {
            return null;
        }
        QuorumLink link = quorumLinks.get(toSid);
        if (link == null) {
            if (packet.type() != QuorumPacketType.FOLLOWERINFO && packet.type() != QuorumPacketType.OBSERVERINFO) {
                // Only a learner opens a quorum connection, and its first packet says who it is. A
                // packet for a peer whose connection is gone (a leader's PROPOSAL or COMMIT to a
                // learner it dropped) is lost with it: connecting would make this leader a learner
                // of that server, which refuses it ("expected FOLLOWERINFO").
                LOG.debug("no quorum connection with server {}: {} not sent", toSid, packet);
                return null;
            }
            link = new QuorumLink(toSid, true);
            quorumLinks.put(toSid, link);
            connectQuorum(link);
        }
        if (link.channel == null) {
            if (packet.type() == QuorumPacketType.SNAP) {
                return null; // only a leader sends one, on a learner's connection: never queued
            }
            if (link.queue.size() >= QUORUM_QUEUE_PACKETS_MAX) {
                lose(link, "over " + QUORUM_QUEUE_PACKETS_MAX + " packets queued while connecting");
                return null;
            }
            link.queue.addLast(packet);
            return null;
        }
        if (!link.channel.isWritable()) {
            lose(link, "over " + SEND_BUFFER_BYTES_MAX + " bytes unsent");
            return null;
        }
        if (link.awaitingLeaderInfo) {
            if (packet.type() != QuorumPacketType.LEADERINFO) {
                LOG.debug("{} for server {} was meant for its earlier connection: not sent", packet, toSid);
                return null;
            }
            link.awaitingLeaderInfo = false;
        }
        return link;
    }

    /**
     * A packet's bytes, encoded once for consecutive sends of the same packet: a leader hands the
     * same PROPOSAL or COMMIT object to every learner in turn. (Transport loop thread only; the
     * bytes are only read after.)
     */
    private byte[] encoded(QuorumPacket packet) {
        if (packet != lastEncodedPacket) {
            lastEncoded = packet.encode();
            lastEncodedPacket = packet;
        }
        return lastEncoded;
    }

    /** Closes the quorum connection with {@code sid} and forgets what is queued; not reported back. */
    public void dropPeer(long sid) {
        if (closed) {
            return; // closing drops every connection anyway; the event loop takes no more work
        }
        onLoop(() -> {
            QuorumLink link = quorumLinks.remove(sid);
            if (link != null) {
                link.dropped = true;
                abandonSnap(link);
                if (link.channel != null) {
                    link.channel.close();
                }
            }
        });
    }

    private void connectQuorum(QuorumLink link) {
        PeerAddress peer = members.get(link.sid);
        ChannelFuture f = bootstrap(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                addConnectingTls(ch, peer.host(), peer.quorumPort(), "learner");
                ch.pipeline().addLast(new LearnerQuorumDecoder(peer.sid()), new QuorumHandler(link));
            }
        }).connect(peer.host(), peer.quorumPort());
        f.addListener((ChannelFutureListener) done -> secured(done, "learner", link.sid, peer.host()).addListener(ready -> {
            if (link.dropped || closed) {
                done.channel().close();
                return;
            }
            if (!ready.isSuccess()) {
                done.channel().close();
                lose(link, null); // the core retries (learnerRetryTicks)
                return;
            }
            if (!security.learnerAuth()) {
                learnerOpened(link, done.channel());
                return;
            }
            // As ZooKeeper's Learner: the SASL exchange first, then FOLLOWERINFO.
            Channel ch = done.channel();
            QuorumAuthExchange x = ch.isActive() ? startAuth(ch, true, "learner connection to server " + link.sid)
                    : null;
            if (x == null) {
                ch.close();
                lose(link, null);
                return;
            }
            x.outcome().addListener(authed -> {
                if (link.dropped || closed || !authed.isSuccess() || !ch.isActive()) {
                    ch.close();
                    lose(link, null); // the core retries (learnerRetryTicks)
                    return;
                }
                learnerOpened(link, ch);
            });
        }));
    }

    /** A learner connection this server opened, ready: what waited for it goes now. */
    private void learnerOpened(QuorumLink link, Channel ch) {
        adoptQuorum(link, ch);
        while (!link.queue.isEmpty()) {
            link.channel.write(Unpooled.wrappedBuffer(link.queue.pollFirst().encode()));
        }
        link.channel.flush();
    }

    private void adoptQuorum(QuorumLink link, Channel ch) {
        link.channel = ch;
        ch.config().setAutoRead(!readingPaused);
        ch.closeFuture().addListener(done -> lose(link, null));
    }

    /** The link ends; reported as PeerDown once, unless we dropped it ourselves. */
    private void lose(QuorumLink link, String why) {
        if (link.dropped) {
            return;
        }
        link.dropped = true;
        abandonSnap(link);
        if (why != null) {
            LOG.warn("quorum connection with server {} dropped: {}", link.sid, why);
        }
        if (link.channel != null) {
            link.channel.close();
        }
        if (quorumLinks.get(link.sid) == link) {
            quorumLinks.remove(link.sid);
        }
        inbound.peerDown(link.sid);
    }

    private void acceptedQuorum(SocketChannel ch) {
        if (!admitUnidentified(ch)) {
            return;
        }
        addAcceptingTls(ch, "learner");
        ch.pipeline().addLast(new QuorumDecoder(packetDecoder), new QuorumHandler(null));
        if (security.sasl() != null) {
            startAuth(ch, false, "learner connection from " + ch.remoteAddress());
        }
    }

    private final class QuorumDecoder extends StreamDecoder {
        private final QuorumPacketDecoder decoder;

        QuorumDecoder(QuorumPacketDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        Step next() {
            return authAware(decoder::decode);
        }
    }

    /** A leader's SNAP whose streamed snapshot a learner's connection read whole. */
    record ReceivedSnapshot(long zxid, SnapshotData snapshot) {}

    /**
     * A learner's connection to its leader: packets as usual, with a SNAP of up to the learner's
     * limit, and ZooKeeper's streamed snapshot. Leaders (ZooKeeper's, and ours) send a SNAP with null
     * data and stream the snapshot after it; a Paddock leader from before put its own format in the
     * SNAP's data (handed to the core as it came). The stream is read as it arrives ({@link
     * ZooKeeperSnapReader}: paths, parents and the ACL table checked, within the learner's budget)
     * and the snapshot it makes goes to the core ({@link Inbound#snapshot}): the learner never holds
     * the stream's bytes, only the nodes, which the tree it becomes then shares.
     */
    private final class LearnerQuorumDecoder extends StreamDecoder {
        private final long leaderSid;
        /** The reader of the snapshot a SNAP streams; null when none is being read. */
        private ZooKeeperSnapReader zkSnapReader;
        /** When the core was last told the stream goes on (System.nanoTime). */
        private long lastStreamingReport = System.nanoTime();

        LearnerQuorumDecoder(long leaderSid) {
            this.leaderSid = leaderSid;
        }

        @Override
        Step next() {
            if (zkSnapReader == null) {
                return authAware(learnerPacketDecoder::decode);
            }
            return zkSnapReader::decode;
        }

        @Override
        Object received(Object message) {
            if (message == ZooKeeperSnapReader.PROGRESS) {
                long now = System.nanoTime();
                if (now - lastStreamingReport >= TimeUnit.MILLISECONDS.toNanos(STREAMING_REPORT_MS)) {
                    lastStreamingReport = now;
                    inbound.streaming(leaderSid);
                }
                return null;
            }
            if (message instanceof SnapshotData snapshot) {
                LOG.info("read the snapshot server {} streamed at zxid 0x{}: {} bytes, {} nodes, {} sessions",
                        leaderSid, Long.toHexString(snapshot.header().lastZxid()), zkSnapReader.consumed(),
                        snapshot.nodes().size(), snapshot.sessions().size());
                zkSnapReader = null;
                return new ReceivedSnapshot(snapshot.header().lastZxid(), snapshot);
            }
            if (message instanceof QuorumPacket packet && packet.type() == QuorumPacketType.SNAP && packet.data() == null) {
                zkSnapReader = new ZooKeeperSnapReader(packet.zxid(), System.currentTimeMillis(), snapBudgetBytes,
                        "SNAP from server " + leaderSid);
                return null;
            }
            return message;
        }
    }

    private final class QuorumHandler extends SimpleChannelInboundHandler<Object> {
        private QuorumLink link;

        QuorumHandler(QuorumLink link) {
            this.link = link;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object message) throws PeerProtocolException {
            if (message instanceof ReceivedSnapshot snap) {
                if (link != null && !link.dropped) { // only a learner's connection reads one, and it has its link
                    inbound.snapshot(link.sid, snap.zxid(), snap.snapshot());
                }
                return;
            }
            if (message instanceof QuorumAuthPacket p) {
                authPacket(ctx.channel(), p, "quorum connection");
                return;
            }
            QuorumPacket packet = (QuorumPacket) message;
            if (link == null) {
                if (!passedWithoutAuth(ctx.channel()) || !ctx.channel().isActive()) {
                    return;
                }
                identify(ctx.channel(), packet);
                if (link == null) {
                    return;
                }
            }
            if (!link.dropped) {
                inboxBytes += inboxCost(packet);
                if (inboxBytes > INBOX_BYTES_MAX && !readingPaused) {
                    LOG.warn("{} bytes of quorum packets wait for the replica loop (bound {}): reading from every"
                            + " quorum connection pauses until half of them are taken", inboxBytes, INBOX_BYTES_MAX);
                    pauseReading(true);
                }
                inbound.quorum(link.sid, packet);
            }
        }

        /** An accepted learner connection: the first packet must be FOLLOWERINFO or OBSERVERINFO naming a member. */
        private void identify(Channel ch, QuorumPacket first) throws PeerProtocolException {
            unidentified--;
            ch.attr(IDENTIFIED).set(Boolean.TRUE);
            long sid = LearnerHandshake.learnerInfo(first).sid();
            if (sid == mySid || !members.containsKey(sid)) {
                LOG.warn("learner connection from {} claims server id {}, not a member other than us; dropped",
                        ch.remoteAddress(), sid);
                ch.close();
                return;
            }
            QuorumLink older = quorumLinks.get(sid);
            if (older != null && older.opened) {
                // We are that server's learner, on a connection we opened: it does not connect to us
                // as a learner too (a server that stopped leading closes its learners' connections
                // before it elects again; it retries in a moment if that close is still on its way).
                // Taken, anyone who can reach this port and names our leader would cut us off from it,
                // and the core would take its packets for the leader's. ZooKeeper's followers accept
                // no learner connections at all.
                LOG.warn("learner connection from {} claims server id {}, which this server follows on a connection"
                        + " of its own; dropped", ch.remoteAddress(), sid);
                ch.close();
                return;
            }
            if (older != null) {
                lose(older, "server " + sid + " connected again"); // PeerDown before the new connection's packets
            }
            QuorumLink fresh = new QuorumLink(sid, false);
            fresh.awaitingLeaderInfo = true;
            quorumLinks.put(sid, fresh);
            adoptQuorum(fresh, ch);
            link = fresh;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            dropForBadInput(ctx.channel(), link == null ? "learner connection" : "quorum connection of server "
                    + link.sid, cause);
        }
    }

    // ---- shared ----

    private static final AttributeKey<Boolean> IDENTIFIED = AttributeKey.valueOf("paddock.quorum.identified");

    /** Bounds the connections that have not said who they are, and gives each {@value #IDENTIFY_TIMEOUT_MS} ms. */
    private boolean admitUnidentified(SocketChannel ch) {
        if (closed || unidentified >= UNIDENTIFIED_CONNECTIONS_MAX) {
            LOG.warn("connection from {} refused: {} connections have not identified themselves yet",
                    ch.remoteAddress(), unidentified);
            ch.close();
            return false;
        }
        unidentified++;
        // Where a TLS peer's name is checked, that check (a reverse lookup, maybe) has its own bound on top.
        long bound = IDENTIFY_TIMEOUT_MS + (security.tls() != null && security.tls().settings().verifyClientHostname()
                ? NAME_CHECK_TIMEOUT_MS : 0);
        ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> {
            if (ch.attr(IDENTIFIED).get() == null) {
                LOG.warn("connection from {} did not identify itself in {} ms; closed", ch.remoteAddress(), bound);
                ch.close();
            }
        }, bound, TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(done -> {
            timeout.cancel(false);
            if (ch.attr(IDENTIFIED).get() == null) {
                ch.attr(IDENTIFIED).set(Boolean.FALSE);
                unidentified--;
            }
        });
        return true;
    }

    /** One log line per dropped connection; the rest go on. */
    private void dropForBadInput(Channel ch, String what, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && !(root instanceof PeerProtocolException)) {
            root = root.getCause();
        }
        if (ch.isActive()) {
            LOG.warn("{} from {} dropped: {}", what, ch.remoteAddress(), root instanceof PeerProtocolException
                    ? root.getMessage() : root.toString());
        }
        ch.close();
    }

    /**
     * Looks a host name up on {@link #lookupThreads} and completes the promise there (Netty then
     * connects on the event loop). Each connection attempt asks again, so the JVM's address cache
     * decides how long an answer is kept. An IP literal needs no lookup and is answered at once.
     * One lookup per name runs at a time: attempts for a name whose lookup hangs wait for that
     * one (a learner retrying its leader makes a new attempt each time), so a hanging name never
     * takes more than one lookup thread and the others stay free for the other peers.
     */
    private final class OffLoopNameResolver extends InetNameResolver {
        OffLoopNameResolver(EventExecutor executor) {
            super(executor);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            completeWith(promise, host, address -> address);
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            completeWith(promise, host, List::of);
        }

        private <T> void completeWith(Promise<T> promise, String host, Function<InetAddress, T> answer) {
            lookUp(host).whenComplete((address, failure) -> {
                if (failure == null) {
                    promise.trySuccess(answer.apply(address));
                } else {
                    promise.tryFailure(failure instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : failure);
                }
            });
        }
    }

    /** The address of {@code host}: at once for an IP literal, else the one lookup of that name in flight. */
    private CompletableFuture<InetAddress> lookUp(String host) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            try {
                return CompletableFuture.completedFuture(lookup.lookUp(host)); // parses, never asks a name server
            } catch (UnknownHostException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<InetAddress> started = new CompletableFuture<>();
        CompletableFuture<InetAddress> running = lookupsInFlight.putIfAbsent(host, started);
        if (running != null) {
            return running;
        }
        try {
            lookupThreads.execute(() -> {
                try {
                    started.complete(lookup.lookUp(host));
                } catch (Throwable e) { // an Error too: the attempt must end, or its peer is never tried again
                    started.completeExceptionally(e);
                } finally {
                    lookupsInFlight.remove(host, started);
                }
            });
        } catch (RejectedExecutionException e) {
            lookupsInFlight.remove(host, started);
            started.completeExceptionally(e); // closing
        }
        return started;
    }

    private Bootstrap bootstrap(ChannelInitializer<SocketChannel> init) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class).resolver(resolverGroup)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, SEND_MARK)
                .handler(init);
    }

    @Override
    public void close() {
        closed = true;
        lookupThreads.shutdownNow();
        nameCheckThreads.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        resolverGroup.close();
    }
}
