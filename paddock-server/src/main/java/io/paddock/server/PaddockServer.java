package io.paddock.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import io.netty.bootstrap.ServerBootstrap;
import io.paddock.server.net.Tls;
import io.paddock.core.zab.PeerConfig;
import io.paddock.core.zab.PeerEffect;
import io.paddock.server.quorum.EpochFiles;
import io.paddock.server.quorum.MyIdFile;
import io.paddock.server.quorum.PeerAddress;
import io.paddock.server.quorum.PeerShell;
import io.paddock.server.quorum.QuorumTransport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.NetUtil;
import io.paddock.core.CoreConfig;
import io.paddock.core.Replica;
import io.paddock.server.admin.FourLetterWords;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.InMemoryTxnLog;
import io.paddock.server.log.TxnLog;
import io.paddock.server.loop.ReplicaLoop;
import io.paddock.server.net.ClientConnections;
import io.paddock.server.net.ClientPipeline;
import io.paddock.server.storage.DataDirLock;
import io.paddock.server.storage.FileTxnLog;
import io.paddock.server.storage.Purger;
import io.paddock.server.storage.Recovery;
import io.paddock.server.storage.Snapshots;
import io.paddock.server.storage.StartupException;
import io.paddock.server.storage.ZooKeeperImport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Paddock server: the real shell around one core. Netty threads turn bytes into
 * events; one loop thread owns the core; the transaction log makes writes durable before the
 * core answers them.
 */
public final class PaddockServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PaddockServer.class);

    private final ServerConfig config;
    private final FailStop failStop;
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private Channel serverChannel;
    /** secureClientPort's channel, or null. */
    private Channel secureServerChannel;
    /** TLS for clients (secureClientPort, client.portUnification), or null. */
    private final Tls clientTls;
    /** TLS between the servers (sslQuorum, portUnification), or null. */
    private final Tls quorumTls;
    /** SASL for clients, or null where the JAAS configuration has no section for it. */
    private final io.paddock.server.net.ClientSasl clientSasl;
    /** SASL between the servers, or null where quorum.auth.enableSasl is off. */
    private final io.paddock.server.quorum.QuorumSasl quorumSasl;
    /** client.certReload's watch of the stores, or null. */
    private java.io.Closeable tlsStoresWatch;
    private java.io.Closeable quorumTlsStoresWatch;
    private ReplicaLoop loop;
    private TxnLog log;
    private ClientConnections connections;
    private Replica replica;
    private long startedAtMs;
    /** System.nanoTime() at start: the uptime, whatever the wall clock does. */
    private long startedAtNanos;
    private Snapshots snapshots;
    private ScheduledExecutorService purger;
    private boolean closed;
    /** The event loop groups being made while recovery runs (see start). */
    private CompletableFuture<EventLoopGroup[]> startingGroups;
    private final List<Consumer<PeerEffect.Observation>> peerObservers = new CopyOnWriteArrayList<>();
    /** The server id from dataDir's myid file; 0 when standalone. */
    private final long myId;
    /** The shell of an ensemble member's quorum peer; null when standalone. */
    private volatile PeerShell peer;

    /** A server that ends this JVM when it cannot go on ({@link FailStop#halting()}). */
    public PaddockServer(ServerConfig config) {
        this(config, FailStop.halting());
    }

    /**
     * A server that calls {@code failStop} when it cannot go on; tests pass one that records.
     *
     * @throws ServerConfig.ConfigException if the configuration asks for what Paddock cannot run ({@link
     *     ServerConfig#ensembleRefusal()}), or describes an ensemble without initLimit/syncLimit or
     *     whose myid file is missing, garbled or names no server.N line
     */
    public PaddockServer(ServerConfig config, FailStop failStop) {
        config.requireStandalone(); // standaloneEnabled=false with one voter, dynamicConfigFile
        if (config.isEnsemble() && config.ensembleSettingsError() != null) {
            throw new ServerConfig.ConfigException(config.ensembleSettingsError());
        }
        this.myId = config.isEnsemble() ? ensembleId(config) : 0; // the myid file, read with the config
        this.config = config.isEnsemble() ? config.forMember(myId) : standaloneMember(config); // a client port on its server.N line
        this.failStop = failStop;
        this.clientTls = config.clientTlsEnabled() ? clientTls(config) : null;
        this.quorumTls = config.isEnsemble() && quorumTlsInUse(config) ? tls(() -> Tls.createForQuorum(config.quorumTls()))
                : null;
        this.clientSasl = clientSasl(config);
        this.quorumSasl = config.isEnsemble() ? quorumSasl(config) : null;
    }

    /** SASL between the servers (quorum.auth.*), its JAAS sections read now so that a missing one stops the start. */
    private static io.paddock.server.quorum.QuorumSasl quorumSasl(ServerConfig config) {
        try {
            io.paddock.server.quorum.QuorumSasl sasl = io.paddock.server.quorum.QuorumSasl.load(config.quorumSasl(),
                    javax.security.auth.login.Configuration::getConfiguration);
            if (sasl != null) {
                LOG.info("SASL between servers: DIGEST-MD5; this server authenticates the connections it opens: {};"
                        + " it requires it of the others: {}", config.quorumSasl().learnerRequired(),
                        config.quorumSasl().serverRequired());
            }
            return sasl;
        } catch (io.paddock.server.net.ClientSasl.SaslConfigException e) {
            throw new ServerConfig.ConfigException(e.getMessage());
        }
    }

    /**
     * SASL for clients, from the JVM's JAAS configuration ({@code -Djava.security.auth.login.config});
     * null where it has no section for the server. Read with the server, so that a section Paddock
     * cannot run stops the start.
     */
    private static io.paddock.server.net.ClientSasl clientSasl(ServerConfig config) {
        io.paddock.server.net.ClientSasl sasl;
        try {
            sasl = io.paddock.server.net.ClientSasl.load(config.clientSasl(),
                    System.getProperty("java.security.auth.login.config"),
                    javax.security.auth.login.Configuration::getConfiguration);
        } catch (io.paddock.server.net.ClientSasl.SaslConfigException e) {
            throw new ServerConfig.ConfigException(e.getMessage());
        }
        if (sasl == null && config.requiredAuthSchemes().contains(io.paddock.core.tree.AclCheck.SASL)) {
            LOG.warn("SASL is required of every client, but there is no JAAS section '{}' to authenticate them with:"
                    + " no client can be served", config.clientSasl().section());
        }
        if (sasl != null && !config.authSchemes().sasl()) {
            LOG.warn("clients can authenticate with SASL, but authProvider.N={} is not set: sasl ACL entries are"
                    + " refused as invalid and match no one (as in ZooKeeper)", io.paddock.server.net.ClientSasl.PROVIDER);
        }
        return sasl;
    }

    /**
     * TLS between the servers (sslQuorum, portUnification; its context made with the server, so that
     * a store that does not read stops the start with its name), its stores watched where
     * sslQuorumReloadCertFiles.
     */
    private QuorumTransport.Security quorumSecurity() throws IOException {
        Tls tls = quorumTls;
        if (tls == null) {
            return QuorumTransport.Security.PLAIN;
        }
        if (config.quorumTls().certReload()) {
            quorumTlsStoresWatch = tls.watchStores();
        }
        String trust = config.quorumTls().trustStoreLocation();
        if (trust == null || trust.isEmpty()) {
            LOG.warn("ssl.quorum.trustStore.location is not set: a server whose certificate any CA the JVM trusts"
                    + " signed is taken as a member of this ensemble (as in ZooKeeper)");
        }
        LOG.info("quorum connections: {}, accepting {} (ssl.quorum.clientAuth={}, host names {})",
                config.sslQuorum() ? "opened with TLS" : "opened plain",
                config.quorumPortUnification() ? "TLS and plain" : "TLS only",
                tls.clientAuth().name().toLowerCase(java.util.Locale.ROOT),
                config.quorumTls().verifyServerHostname() ? "checked (fips-mode=false)" : "not checked (FIPS mode)");
        return new QuorumTransport.Security(tls, config.sslQuorum(), config.quorumPortUnification());
    }

    /** The TLS context for clients, made now so that a store that does not read stops the start with its name. */
    private static Tls clientTls(ServerConfig config) {
        return tls(() -> Tls.create(config.clientTls()));
    }

    /**
     * Whether the quorum ports speak TLS: sslQuorum, or portUnification with a key store. (ZooKeeper
     * starts with portUnification and no key store, and fails each TLS connection; so does Paddock,
     * which then takes plain connections only.)
     */
    private static boolean quorumTlsInUse(ServerConfig config) {
        String keys = config.quorumTls().keyStoreLocation();
        if (!config.sslQuorum() && config.quorumPortUnification() && (keys == null || keys.isEmpty())) {
            LOG.warn("portUnification=true without ssl.quorum.keyStore.location: the quorum ports take plain"
                    + " connections only");
            return false;
        }
        return config.sslQuorum() || config.quorumPortUnification();
    }

    private static Tls tls(java.util.function.Supplier<Tls> make) {
        try {
            return make.get();
        } catch (Tls.TlsConfigException e) {
            throw new ServerConfig.ConfigException(e.getMessage());
        }
    }

    /** Binds the client port and starts serving; returns once clients can connect. */
    public synchronized void start() throws IOException {
        if (loop != null) {
            throw new IllegalStateException("already started");
        }
        if (closed) {
            throw new IOException("the server was closed before it started");
        }
        startedAtMs = System.currentTimeMillis();
        startedAtNanos = System.nanoTime();
        // Netty's start-up (class loading, selectors, the allocator) is ~0.1-0.2 s of a cold JVM's
        // time; it runs on its own thread while recovery reads the disk on this one.
        CompletableFuture<EventLoopGroup[]> groups = startEventLoopGroups();
        try {
            startWith(groups);
        } catch (IOException | RuntimeException | Error e) {
            // Whatever failed, the event loop threads (not daemons) must not keep the JVM alive.
            close();
            throw e;
        }
    }

    /** Held while the server runs, on dataDir (see DataDirLock). */
    private DataDirLock dataDirLock;

    private void startWith(CompletableFuture<EventLoopGroup[]> groups) throws IOException {
        startingGroups = groups;
        CoreConfig core = coreConfig(config);
        long sessionIdBase = initialSessionId(startedAtMs, myId);
        byte[] secret = secret();
        replica = new Replica(core, sessionIdBase, secret, startedAtMs);
        if (config.isEnsemble()) {
            replica.expectEnsemble(); // its history is applied once a leader says it is committed
        }
        long recoveredZxid = 0;
        if (config.dataDir() == null) {
            log = new InMemoryTxnLog();
        } else {
            try {
                dataDirLock = DataDirLock.acquire(config.dataDir(), "a server");
                // The data of a ZooKeeper server this one replaces, when there is no data of our own.
                ZooKeeperImport.importIfPresent(config.dataDir(), config.dataLogDir(),
                        Runtime.getRuntime().maxMemory() / QuorumTransport.SNAP_HEAP_FRACTION, config.juteMaxBuffer(),
                        config.isEnsemble());
                long tolerant = ZooKeeperImport.tolerantReplayUpTo(config.dataDir());
                // Recovery tells each fresh replica expectEnsemble() before it replays anything.
                Recovery.Result recovered = Recovery.recover(config.dataDir(), config.dataLogDir(), () -> {
                    Replica fresh = new Replica(core, sessionIdBase, secret, startedAtMs);
                    fresh.tolerateReplayUpTo(tolerant);
                    return fresh;
                }, startedAtMs, config.isEnsemble(), tolerant);
                replica = recovered.replica();
                if (!config.isEnsemble()) {
                    ZooKeeperImport.refuseIfZooKeeperFilesChanged(config.dataDir(), config.dataLogDir());
                }
                recoveredZxid = recovered.lastZxid();
            } catch (StartupException e) {
                throw new IOException(e.getMessage(), e);
            }
            // The log knows dataDir too: a learner's TRUNC drops newer snapshots, its SNAP writes one there.
            log = new FileTxnLog(config.dataLogDir(), config.dataDir(), config.forceSync(),
                    config.preAllocSizeKb() * 1024, failStop);
            snapshots = new Snapshots(config.dataDir(), config.snapCount(), replica.appliedTransactions());
        }
        connections = new ClientConnections(config.maxClientCnxns(), config.maxConnections(),
                config.maxOutstandingRequestsPerConnection(), config.globalOutstandingLimit());
        loop = new ReplicaLoop(replica, log, connections, failStop, "paddock-loop");
        if (config.testFailApplyAtZxid() != 0) {
            LOG.warn("{}=0x{}: applying that transaction will fail (a test-only setting)",
                    ServerConfig.TEST_FAIL_APPLY_AT_ZXID_KEY, Long.toHexString(config.testFailApplyAtZxid()));
            loop.failApplyAtZxid(config.testFailApplyAtZxid());
        }
        if (snapshots != null) {
            loop.setAfterBatch(() -> snapshots.maybeSnapshot(replica, log, loop::call));
            loop.setSnapshotInstalled(snapshots::installed);
            schedulePurge();
        }
        if (config.isEnsemble()) {
            peer = startPeer(myId, recoveredZxid);
        }
        ServerAdminView view = new ServerAdminView(this);
        FourLetterWords words = new FourLetterWords(config, view);
        EventLoopGroup[] started = groups.join();
        acceptGroup = started[0];
        ioGroup = started[1];
        ClientPipeline pipeline = new ClientPipeline(connections, loop, config.juteMaxBuffer(),
                config.handshakeTimeoutMs(), code -> loop.call(() -> words.answer(code)),
                // An ensemble member takes every client: while it has no leader the core holds them
                // (answering pings) rather than closing them as ZooKeeper does (see Replica).
                () -> true).withSasl(clientSasl);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client may send a four-letter word and shut its sending side at once
                // (`echo ruok | nc`); the connection must stay open for the answer. Without this,
                // Netty closes the channel on end of input, before the loop has answered. The
                // handler closes every other connection at end of input (ClientHandler).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (clientTls != null && config.portUnification()) {
                            pipeline.installUnified(ch, clientTls);
                        } else {
                            pipeline.install(ch);
                        }
                    }
                });
        loop.start();
        if (config.servesClientPort()) {
            serverChannel = bind(bootstrap, config.clientPortAddress(), config.clientPort());
        }
        if (config.secureClientPort() >= 0) {
            ServerBootstrap secure = bootstrap.clone().childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    pipeline.installSecure(ch, clientTls);
                }
            });
            secureServerChannel = bind(secure, config.secureClientPortAddress(), config.secureClientPort());
            LOG.info("serving clients over TLS on {} (ssl.clientAuth={})", secureServerChannel.localAddress(),
                    clientTls.clientAuth().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (clientTls != null && config.clientTls().certReload()) {
            tlsStoresWatch = clientTls.watchStores();
        }
        Channel shown = serverChannel != null ? serverChannel : secureServerChannel;
        if (peer != null) {
            LOG.info("Paddock server {} of an ensemble of {} serving clients on {} once a leader is established"
                    + " (data in {}, log in {})", myId, config.votingServers().size(), shown.localAddress(),
                    config.dataDir(), config.dataLogDir());
            return;
        }
        LOG.info("Paddock serving clients on {} (standalone, {})", shown.localAddress(),
                config.dataDir() == null ? "data in memory only"
                        : "data in " + config.dataDir() + ", log in " + config.dataLogDir()
                        + (config.forceSync() ? "" : ", forceSync=no: acknowledged writes can be lost on a crash"));
    }

    /** Binds one client port; a failure closes the server and says which address. */
    private Channel bind(ServerBootstrap bootstrap, String host, int port) throws IOException {
        InetSocketAddress address = host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        try {
            return bootstrap.bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding " + address, e);
        } catch (RuntimeException e) {
            close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** Whether clientPort is bound (not for a server with only a secureClientPort). */
    public boolean servesClientPort() {
        return serverChannel != null;
    }

    /** Whether secureClientPort is bound. */
    public boolean servesSecureClientPort() {
        return secureServerChannel != null;
    }

    /** The bound secureClientPort (useful when the config asked for port 0). */
    public int secureClientPort() {
        if (secureServerChannel == null) {
            throw new IllegalStateException("no secureClientPort");
        }
        return ((InetSocketAddress) secureServerChannel.localAddress()).getPort();
    }

    /**
     * A standalone server with server.N lines (one participant) and a myid file listens where its
     * own line says, as ZooKeeper's standalone ServerConfig does; without a myid file, as configured.
     */
    private static ServerConfig standaloneMember(ServerConfig config) {
        if (config.servers().isEmpty() || config.dataDir() == null
                || !java.nio.file.Files.isRegularFile(config.dataDir().resolve(MyIdFile.NAME))) {
            return config;
        }
        return config.forMember(MyIdFile.read(config.dataDir()));
    }

    /** This server's id from the myid file, which must name one of the server.N lines. */
    private static long ensembleId(ServerConfig config) {
        long id = MyIdFile.read(config.dataDir());
        QuorumServer me = config.servers().stream().filter(q -> q.id() == id).findFirst().orElse(null);
        if (me == null) {
            throw new ServerConfig.ConfigException(config.dataDir().resolve(MyIdFile.NAME) + " says server id " + id
                    + ", but zoo.cfg has no server." + id + " line");
        }
        String listed = me.observer() ? "observer" : "participant";
        if (config.peerType() != null && !config.peerType().equals(listed)) {
            LOG.warn("peerType={} does not match server.{}'s role ({}); the server.{} line decides, as in ZooKeeper",
                    config.peerType(), id, listed, id);
        }
        return id;
    }

    /**
     * Reads the epoch files, makes the replica an ensemble member and binds the quorum ports; the
     * election starts with the loop's first tick.
     */
    private PeerShell startPeer(long myId, long lastZxid) throws IOException {
        EpochFiles epochFiles = new EpochFiles(config.dataDir());
        EpochFiles.Epochs epochs;
        try {
            epochs = epochFiles.read(lastZxid >>> 32);
        } catch (StartupException e) {
            throw new IOException(e.getMessage(), e);
        }
        Map<Long, PeerAddress> members = new TreeMap<>();
        Set<Long> voters = new TreeSet<>();
        Set<Long> observers = new TreeSet<>();
        for (QuorumServer q : config.servers()) {
            members.put(q.id(), new PeerAddress(q.id(), q.host(), q.quorumPort(), q.electionPort()));
            (q.observer() ? observers : voters).add(q.id());
        }
        PeerConfig peerConfig = PeerShell.peerConfig(myId, voters, observers, config.tickTime(), config.initLimit(),
                config.syncLimit(), config.electionFinalizeWaitMs());
        // /zookeeper/config shows the membership, as on a ZooKeeper quorum peer (clients' getConfig, Curator's EnsembleTracker).
        replica.showMembership(config.membershipText().getBytes(StandardCharsets.UTF_8));
        replica.joinEnsemble(peerConfig, epochs.acceptedEpoch(), epochs.currentEpoch(), PeerShell.PEER_TICK_MS);
        PeerShell started = new PeerShell(myId, members, epochs, epochFiles, config.quorumListenOnAllIPs(),
                config.electionPortBindRetry(), quorumSecurity().withSasl(quorumSasl), loop.peerSink());
        loop.setPeerShell(started);
        LOG.info("server {} starts its election: accepted epoch {}, current epoch {}, last zxid 0x{}", myId,
                epochs.acceptedEpoch(), epochs.currentEpoch(), Long.toHexString(lastZxid));
        peerObservers.forEach(started::addObserver);
        started.start();
        return started;
    }

    /**
     * Follows every observation of this server's quorum peer (vote changes, decisions, role changes,
     * established epochs) from its first election on; call before {@link #start()}. Called on the
     * peer's thread, in order; an observer must be quick and must not throw. Standalone: never called.
     */
    public void addPeerObserver(Consumer<PeerEffect.Observation> observer) {
        if (loop != null) {
            throw new IllegalStateException("add peer observers before start(); later, use peer().addObserver");
        }
        peerObservers.add(observer);
    }

    /** The quorum peer's shell, or null when standalone. Observations can be followed with {@link PeerShell#addObserver}. */
    public PeerShell peer() {
        return peer;
    }

    /** The accept and I/O event loop groups, made on a thread of their own. */
    private static CompletableFuture<EventLoopGroup[]> startEventLoopGroups() {
        CompletableFuture<EventLoopGroup[]> groups = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                EventLoopGroup accept = new NioEventLoopGroup(1);
                EventLoopGroup io = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
                // Static set-up that binding and the first connection would otherwise do later.
                if (NetUtil.SOMAXCONN < 0 || ByteBufAllocator.DEFAULT == null) {
                    throw new IllegalStateException("Netty did not initialise");
                }
                warmUpServerChannel(accept, io);
                groups.complete(new EventLoopGroup[] {accept, io});
            } catch (RuntimeException | Error e) {
                groups.completeExceptionally(e);
            }
        }, "paddock-netty-start");
        starter.setDaemon(true);
        starter.start();
        return groups;
    }

    /**
     * Opens a server channel and registers it with the event loops, without binding it, then
     * closes it: the class loading and set-up of the bootstrap path (a few hundred classes) happens
     * here, off the critical path, instead of after recovery.
     */
    private static void warmUpServerChannel(EventLoopGroup accept, EventLoopGroup io) {
        Channel channel = new ServerBootstrap()
                .group(accept, io)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.close();
                    }
                })
                .register().syncUninterruptibly().channel();
        channel.close().syncUninterruptibly();
    }

    private static void shutDownGroups(EventLoopGroup[] groups) {
        for (EventLoopGroup group : groups) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    /** autopurge.purgeInterval hours (0 = never, ZooKeeper's default) keeps snapRetainCount snapshots. */
    private void schedulePurge() {
        if (config.purgeIntervalHours() <= 0) {
            return;
        }
        purger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "paddock-autopurge");
            t.setDaemon(true);
            return t;
        });
        purger.scheduleAtFixedRate(() -> {
            try {
                Purger.purge(config.dataDir(), config.dataLogDir(), config.snapRetainCount());
            } catch (IOException | RuntimeException e) {
                LOG.warn("autopurge failed: {}", e.toString());
            }
        }, 0, config.purgeIntervalHours(), TimeUnit.HOURS);
    }

    static CoreConfig coreConfig(ServerConfig c) {
        return new CoreConfig(c.tickTime(), c.minSessionTimeout(), c.maxSessionTimeout(),
                c.extendedTypesEnabled(), c.containerCheckIntervalMs(), c.containerMaxPerMinute(),
                c.superDigest(), c.enforceQuota(), c.authSchemes(), c.requiredAuthSchemes());
    }

    /** ZooKeeper's scheme: the clock in the middle bits, the server id in the top byte. */
    static long initialSessionId(long nowMs, long serverId) {
        return ((nowMs << 24) >>> 8) | (serverId << 56);
    }

    private static byte[] secret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    /** The bound client port (useful when the config asked for port 0). */
    public int clientPort() {
        if (serverChannel == null) {
            throw new IllegalStateException("not started");
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The file log, or null when data lives in memory only. */
    FileTxnLog fileLog() {
        return log instanceof FileTxnLog f ? f : null;
    }

    /** This server's id (its myid file) in an ensemble; 0 when standalone, as ZooKeeper's {@code conf} says. */
    public long myId() {
        return myId;
    }

    public ServerConfig config() {
        return config;
    }

    Replica replica() {
        return replica;
    }

    ClientConnections connections() {
        return connections;
    }

    long uptimeMs() {
        return (System.nanoTime() - startedAtNanos) / 1_000_000;
    }


    private static void closeWatch(java.io.Closeable watch) {
        if (watch != null) {
            try {
                watch.close();
            } catch (java.io.IOException e) {
                LOG.warn("closing the watch of the TLS stores: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return; // closed already (a failed start, then the shutdown hook)
        }
        closed = true;
        try {
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
                serverChannel = null;
            }
            if (secureServerChannel != null) {
                secureServerChannel.close().syncUninterruptibly();
                secureServerChannel = null;
            }
            closeWatch(tlsStoresWatch);
            tlsStoresWatch = null;
            closeWatch(quorumTlsStoresWatch);
            quorumTlsStoresWatch = null;
            if (connections != null) {
                connections.closeAll();
            }
            if (acceptGroup != null) {
                acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
                ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
                acceptGroup = null;
            } else if (startingGroups != null) {
                // Start-up failed before the groups were taken over: wait for them, then stop them.
                try {
                    shutDownGroups(startingGroups.join());
                } catch (CompletionException | CancellationException e) {
                    LOG.warn("Netty's event loops did not start: {}", e.toString());
                }
            }
            // The loop first: it carries out the peer's effects, so the transport must outlive it.
            if (loop != null) {
                loop.close();
            }
            if (peer != null) {
                peer.close();
            }
            if (purger != null) {
                purger.shutdownNow();
            }
            if (snapshots != null) {
                snapshots.close();
            }
            if (log != null) {
                log.close();
            }
        } finally {
            if (dataDirLock != null) {
                try {
                    dataDirLock.close();
                } catch (IOException e) {
                    LOG.warn("releasing {}: {}", DataDirLock.NAME, e.toString());
                }
                dataDirLock = null;
            }
        }
    }
}
