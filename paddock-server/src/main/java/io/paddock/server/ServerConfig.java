package io.paddock.server;

import io.netty.util.NetUtil;
import io.paddock.server.admin.FourLetterWord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's configuration: one immutable value, parsed once from a ZooKeeper {@code zoo.cfg}
 * ({@link Properties} syntax; keys and values are trimmed, as ZooKeeper does).
 *
 * <p>Defaults are ZooKeeper 3.9's, from its code where its docs are silent: tickTime 3000 ms
 * ({@code ZooKeeperServer.DEFAULT_TICK_TIME}; the 2000 seen everywhere comes from
 * {@code zoo_sample.cfg}), min/max session timeout 2x/20x tickTime, maxClientCnxns 60, 4lw
 * whitelist {@code srvr} only, jute.maxbuffer 0xfffff. Keys that ZooKeeper reads only as system
 * properties (4lw.commands.whitelist, jute.maxbuffer, extendedTypesEnabled, snapCount, ...) are
 * read here from zoo.cfg; for them numbers may be written as {@link Integer#decode} accepts
 * ({@code 0x100000}), as {@code Integer.getInteger} does in ZooKeeper.
 *
 * <p>Two deliberate differences: clientPort defaults to 2181 (ZooKeeper refuses to serve
 * without one), and a value ZooKeeper would silently misread (a non-number, {@code
 * forceSync=maybe}) is an error here. A key nobody knows is a warning, never an error, so a
 * zoo.cfg written for ZooKeeper keeps working.
 */
public final class ServerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConfig.class);

    public static final int DEFAULT_TICK_TIME_MS = 3000;
    public static final int DEFAULT_CLIENT_PORT = 2181;
    public static final int DEFAULT_MAX_CLIENT_CNXNS = 60;
    public static final int DEFAULT_JUTE_MAX_BUFFER_BYTES = 0xfffff;
    public static final int DEFAULT_CONTAINER_CHECK_INTERVAL_MS = 60_000;
    public static final int DEFAULT_CONTAINER_MAX_PER_MINUTE = 10_000;
    public static final int DEFAULT_GLOBAL_OUTSTANDING_LIMIT = 1000;
    /**
     * Paddock's own bound: reading from one connection pauses while it has this many requests
     * in flight. ZooKeeper has no per-connection bound (only the global one, which it applies by
     * pausing reads too), so the default equals the global default: one busy client alone
     * behaves as it does with ZooKeeper.
     */
    public static final int DEFAULT_MAX_OUTSTANDING_REQUESTS_PER_CONNECTION = 1000;
    /** Paddock's own bound on a connection that has not completed its handshake. */
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
    /** Paddock's own bound on open client connections from all addresses together. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_SNAP_COUNT = 100_000;
    public static final long DEFAULT_PRE_ALLOC_SIZE_KB = 65_536;
    public static final int MIN_SNAP_RETAIN_COUNT = 3;
    public static final int MIN_SNAP_COUNT = 2;

    /** The zoo.cfg key ZooKeeper users write; ZooKeeper turns it into the system property. */
    public static final String SUPER_DIGEST_KEY = "DigestAuthenticationProvider.superDigest";
    /** The system property's own name, also accepted in zoo.cfg. */
    public static final String SUPER_DIGEST_PROPERTY_KEY = "zookeeper." + SUPER_DIGEST_KEY;

    /**
     * For tests only: applying the transaction with this zxid fails, as a bug in the apply path
     * would, so that a test can see the process fail-stop and recover. Never set it in production.
     */
    public static final String TEST_FAIL_APPLY_AT_ZXID_KEY = "paddock.test.failApplyAtZxid";

    /**
     * Paddock's own key: how long a LOOKING server whose vote has a quorum waits for a better vote
     * before it decides (ZooKeeper's {@code finalizeWait}, fixed there at 200 ms).
     */
    public static final String ELECTION_FINALIZE_WAIT_MS_KEY = "paddock.electionFinalizeWaitMs";
    public static final int DEFAULT_ELECTION_FINALIZE_WAIT_MS = 200;
    /** ZooKeeper's default: retry binding the election port 3 times (0 = forever), a second apart. */
    public static final int DEFAULT_ELECTION_PORT_BIND_RETRY = 3;

    private final Settings s;

    private ServerConfig(Settings settings) {
        this.s = settings;
    }

    /** Reads and parses a zoo.cfg file (ISO-8859-1, like {@link Properties#load(InputStream)}). */
    public static ServerConfig load(Path zooCfg) {
        return load(zooCfg, new Properties());
    }

    /** The keys of one X509Util, after its prefix (ssl. or ssl.quorum.). */
    private static final List<String> TLS_KEYS = List.of("keyStore.location", "keyStore.password",
            "keyStore.passwordPath", "keyStore.type", "trustStore.location", "trustStore.password",
            "trustStore.passwordPath", "trustStore.type", "protocol", "enabledProtocols", "ciphersuites", "clientAuth",
            "crl", "ocsp", "context.supplier.class", "handshakeDetectionTimeoutMillis");

    /**
     * ZooKeeper's settings that it reads as JVM system properties, which ZooKeeper deployments set
     * with {@code -D} in SERVER_JVMFLAGS or JVMFLAGS ({@code -Djute.maxbuffer=4194304}), by the
     * zoo.cfg key Paddock reads: the property's name.
     */
    static final Map<String, String> SYSTEM_PROPERTY_KEYS = systemPropertyKeys();

    /** Those read as {@code Boolean.parseBoolean} reads them: anything but "true" is false. */
    private static final Set<String> BOOLEAN_SYSTEM_PROPERTY_KEYS = Set.of("extendedTypesEnabled", "enforceQuota",
            "client.portUnification", "ssl.crl", "ssl.ocsp", "client.certReload", "ssl.quorum.crl", "ssl.quorum.ocsp",
            "fips-mode", "ssl.quorum.hostnameVerification", "ssl.quorum.clientHostnameVerification",
            "ssl.quorum.allowReverseDnsLookup", "ssl.hostnameVerification", "ssl.clientHostnameVerification",
            "ssl.allowReverseDnsLookup", "sessionRequireClientSASLAuth", "enforce.auth.enabled", "allowSaslFailedClients");

    /**
     * Those taken as they are, their checks made with the whole configuration (alone, a scheme list
     * or a rule could not be judged): a bad one refuses the start, as it does from zoo.cfg.
     */
    private static final Set<String> WHOLE_CONFIG_SYSTEM_PROPERTY_KEYS = Set.of("4lw.commands.whitelist",
            "sasl.serverconfig", "superUser", "SASLAuthenticationProvider.superPassword",
            "kerberos.removeHostFromPrincipal", "kerberos.removeRealmFromPrincipal", "letAnySaslUserDoX",
            "security.auth_to_local", "enforce.auth.schemes");


    private static Map<String, String> systemPropertyKeys() {
        Map<String, String> keys = new HashMap<>();
        // Read by ZooKeeper as "zookeeper." + the key (its zoo.cfg parser sets them so for keys it does not know).
        for (String key : List.of("4lw.commands.whitelist", "extendedTypesEnabled", "enforceQuota",
                "client.portUnification", "client.certReload", "snapCount", "preAllocSize", "forceSync",
                "globalOutstandingLimit", "electionPortBindRetry", "X509AuthenticationProvider.superUser",
                "ssl.authProvider", "fips-mode", "ssl.quorum.hostnameVerification",
                "ssl.quorum.clientHostnameVerification", "ssl.quorum.allowReverseDnsLookup", "ssl.hostnameVerification",
                "ssl.clientHostnameVerification", "ssl.allowReverseDnsLookup", "sasl.serverconfig", "superUser",
                "SASLAuthenticationProvider.superPassword", "allowSaslFailedClients", "kerberos.removeHostFromPrincipal",
                "kerberos.removeRealmFromPrincipal", "letAnySaslUserDoX", "security.auth_to_local",
                "sessionRequireClientSASLAuth", "enforce.auth.enabled", "enforce.auth.schemes")) {
            keys.put(key, "zookeeper." + key);
        }
        for (String key : TLS_KEYS) {
            keys.put("ssl." + key, "zookeeper.ssl." + key);
            keys.put("ssl.quorum." + key, "zookeeper.ssl.quorum." + key);
        }
        // Read by ZooKeeper under their own names only.
        for (String key : List.of("jute.maxbuffer", "znode.container.checkIntervalMs", "znode.container.maxPerMinute")) {
            keys.put(key, key);
        }
        return Map.copyOf(keys);
    }

    /**
     * As {@link #load(Path)}, with the settings ZooKeeper reads as system properties taken from
     * {@code system} (the server's JVM: {@link #SYSTEM_PROPERTY_KEYS}), as a ZooKeeper server started
     * with the same JVM flags would have them: a {@code zookeeper.} one only where zoo.cfg does not
     * set the key (ZooKeeper copies its zoo.cfg keys over those properties), the others (which
     * ZooKeeper never reads from zoo.cfg) over zoo.cfg's; read as ZooKeeper reads them (forceSync
     * is off only for exactly {@code no}, extendedTypesEnabled on only for {@code true}); a value
     * ZooKeeper would take for its default (not a number, or out of range) is left out, with a
     * warning, where it would refuse the start from zoo.cfg.
     */
    public static ServerConfig load(Path zooCfg, Properties system) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(zooCfg)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read configuration file " + zooCfg + ": " + e);
        }
        Map<String, String> fromJvm = new TreeMap<>();
        for (Map.Entry<String, String> key : new TreeMap<>(SYSTEM_PROPERTY_KEYS).entrySet()) {
            String property = key.getValue();
            String value = system.getProperty(property);
            if (value == null || (property.startsWith("zookeeper.") && p.containsKey(key.getKey()))) {
                continue;
            }
            value = value.trim();
            if (key.getKey().equals("forceSync")) {
                value = value.equals("no") ? "no" : "yes";
            } else if (BOOLEAN_SYSTEM_PROPERTY_KEYS.contains(key.getKey())) {
                value = Boolean.toString(Boolean.parseBoolean(value));
            } else if (!WHOLE_CONFIG_SYSTEM_PROPERTY_KEYS.contains(key.getKey()) && !key.getKey().startsWith("ssl.")) {
                try {
                    Properties alone = props(key.getKey(), value);
                    alone.setProperty("dataDir", "/"); // any path: only the value is checked
                    fromProperties(alone, Map.of());
                } catch (ConfigException e) {
                    LOG.warn("-D{}={} left out: {} (ZooKeeper would take its default)", property, value, e.getMessage());
                    continue;
                }
            }
            LOG.info("{}={} from the JVM's -D{}", key.getKey(),
                    key.getKey().toLowerCase(Locale.ROOT).contains("password") ? "(not shown)" : value,
                    property);
            fromJvm.put(key.getKey(), value);
        }
        // ZooKeeper's authentication providers, -Dzookeeper.authProvider.<name>=<class> (zoo.cfg's
        // authProvider.<name>), and its further SASL super users, -Dzookeeper.superUser.<anything>.
        for (String property : new TreeSet<>(system.stringPropertyNames())) {
            if (!property.startsWith("zookeeper.authProvider.") && !property.startsWith("zookeeper.superUser.")) {
                continue;
            }
            String key = property.substring("zookeeper.".length());
            if (!p.containsKey(key)) {
                fromJvm.put(key, system.getProperty(property).trim());
                LOG.info("{}={} from the JVM's -D{}", key, system.getProperty(property).trim(), property);
            }
        }
        return fromProperties(p, fromJvm);
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }

    /**
     * Protections between the servers asked for as JVM system properties ({@code
     * -Dzookeeper.sslQuorum=true} in SERVER_JVMFLAGS, say): ZooKeeper reads sslQuorum and the
     * quorum.auth keys from zoo.cfg only, and so does Paddock; a warning says such a flag is
     * ignored. {@code system} is {@link System#getProperties()} in the server.
     */
    public static void refuseProtectionFlags(Properties system) {
        for (String key : List.of("sslQuorum", "quorum.auth.enableSasl", "quorum.auth.serverRequireSasl",
                "quorum.auth.learnerRequireSasl")) {
            for (String name : List.of("zookeeper." + key, key)) {
                if (system.getProperty(name) != null) {
                    LOG.warn("-D{}={} is ignored: ZooKeeper and Paddock read {} from zoo.cfg only", name,
                            system.getProperty(name), key);
                }
            }
        }
    }

    /** Parses zoo.cfg properties; throws {@link ConfigException} naming the key and value. */
    public static ServerConfig fromProperties(Properties p) {
        return fromProperties(p, Map.of());
    }

    /** As {@link #fromProperties(Properties)}, with {@code overrides} over zoo.cfg's keys (its key order kept). */
    static ServerConfig fromProperties(Properties p, Map<String, String> overrides) {
        Settings settings = new Parser(p, overrides).parse();
        for (String w : settings.warnings) {
            LOG.warn(w);
        }
        return new ServerConfig(settings);
    }

    /**
     * The configuration of {@code paddock start}: ZooKeeper's {@code zoo_sample.cfg} (tickTime
     * 2000, clientPort 2181) with dataDir {@code ./data}, listening on 127.0.0.1 only since
     * nobody chose to expose it.
     */
    public static ServerConfig defaults() {
        Properties p = new Properties();
        p.setProperty("tickTime", "2000");
        p.setProperty("dataDir", "./data");
        p.setProperty("clientPort", String.valueOf(DEFAULT_CLIENT_PORT));
        p.setProperty("clientPortAddress", "127.0.0.1");
        return fromProperties(p);
    }

    /** A copy listening on {@code port} (0 = any free port); for tests. */
    public ServerConfig withClientPort(int port) {
        Settings copy = s.copy();
        copy.clientPort = Parser.checkPort("clientPort", String.valueOf(port), port);
        copy.clientPortSet = true;
        return new ServerConfig(copy);
    }

    /**
     * This configuration as server {@code id} of the ensemble runs it: where its {@code server.N}
     * line gives a client port ({@code ;[address:]port}, ZooKeeper 3.5's form), the server listens
     * there (on every address when the line names none), as ZooKeeper's {@code setupClientPort}
     * does. With clientPort in zoo.cfg as well, they must agree (the same port, and the same address
     * unless clientPortAddress is unset or a wildcard), or the configuration is refused, as by
     * ZooKeeper. Without either, the port is 2181 (ZooKeeper would serve no clients).
     */
    public ServerConfig forMember(long id) {
        QuorumServer me = s.servers.stream().filter(q -> q.id() == id).findFirst().orElse(null);
        if (me == null || me.clientPort() < 0) {
            return this;
        }
        if (!s.clientPortSet && s.clientPortAddress != null) {
            // ZooKeeper refuses it ("clientPortAddress is set but clientPort is not set"); taking the
            // line's address instead could open to every interface what was meant for one.
            throw new ConfigException("clientPortAddress=" + s.clientPortAddress + " is set but clientPort is not, and "
                    + me.toLine() + " gives this server's client port: set clientPort too, or put the address on the line"
                    + " (ZooKeeper refuses this too)");
        }
        if (s.clientPortSet) {
            boolean wildcard = s.clientPortAddress == null || isWildcard(s.clientPortAddress);
            boolean same = s.clientPort == me.clientPort()
                    && (wildcard || sameHost(s.clientPortAddress, me.clientAddress()));
            if (!same) {
                throw new ConfigException("the client address of this server (id " + id + ") is "
                        + (s.clientPortAddress == null ? "" : s.clientPortAddress + ":") + s.clientPort
                        + " by clientPort" + (s.clientPortAddress == null ? "" : " and clientPortAddress")
                        + ", but " + me.toLine() + " says otherwise (ZooKeeper refuses this too)");
            }
        }
        Settings copy = s.copy();
        copy.clientPort = me.clientPort();
        copy.clientPortSet = true;
        copy.clientPortAddress = me.clientAddress();
        return new ServerConfig(copy);
    }

    private static boolean isWildcard(String host) {
        java.net.InetAddress a = (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) ? resolve(host) : null;
        return a != null && a.isAnyLocalAddress();
    }

    /**
     * Two hosts compared as ZooKeeper compares them (InetSocketAddress.equals: resolved addresses),
     * by text where a name does not resolve.
     */
    private static boolean sameHost(String a, String b) {
        if (b == null) {
            return false;
        }
        java.net.InetAddress ra = resolve(a);
        java.net.InetAddress rb = resolve(b);
        return ra != null && rb != null ? ra.equals(rb) : a.equalsIgnoreCase(b);
    }

    /** The address of a host (a literal is parsed, a name looked up, as ZooKeeper does), or null. */
    private static java.net.InetAddress resolve(String host) {
        try {
            return java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** A copy storing its data (and, unless set apart, its log) under {@code dir}; for tests. */
    public ServerConfig withDataDir(Path dir) {
        Settings copy = s.copy();
        boolean logFollowsData = s.dataLogDir.equals(s.dataDir);
        copy.dataDir = dir;
        copy.dataLogDir = logFollowsData ? dir : s.dataLogDir;
        return new ServerConfig(copy);
    }

    public int tickTime() {
        return s.tickTime;
    }

    public Path dataDir() {
        return s.dataDir;
    }

    /** Where the transaction log goes; dataDir unless zoo.cfg sets dataLogDir. */
    public Path dataLogDir() {
        return s.dataLogDir;
    }

    /** The configured port; 0 means any free port (ask the running server for the bound one). */
    public int clientPort() {
        return s.clientPort;
    }

    /** The address to bind, as written in zoo.cfg; null means all addresses. */
    public String clientPortAddress() {
        return s.clientPortAddress;
    }

    /** Concurrent connections allowed from one client IP; 0 = unlimited. */
    public int maxClientCnxns() {
        return s.maxClientCnxns;
    }

    /** Resolved: 2 x tickTime unless set. */
    public int minSessionTimeout() {
        return s.minSessionTimeout;
    }

    /** Resolved: 20 x tickTime unless set. */
    public int maxSessionTimeout() {
        return s.maxSessionTimeout;
    }

    /** The enabled words; always holds {@code srvr} (ZooKeeper's zkServer.sh needs it). */
    public Set<String> fourLetterWordWhitelist() {
        return s.fourLetterWordWhitelist;
    }

    /** True if {@code word} (exact, case-sensitive) may be executed. */
    public boolean isFourLetterWordAllowed(String word) {
        return s.fourLetterWordWhitelist.contains(word);
    }

    public boolean extendedTypesEnabled() {
        return s.extendedTypesEnabled;
    }

    /** secureClientPort: the port serving clients over TLS only, or -1 for none. */
    public int secureClientPort() {
        return s.secureClientPort;
    }

    /** secureClientPortAddress, or null for every address. */
    public String secureClientPortAddress() {
        return s.secureClientPortAddress;
    }

    /** Whether clientPort is served: set, or not set and no secureClientPort either (then 2181). */
    public boolean servesClientPort() {
        return s.clientPortSet || s.secureClientPort < 0;
    }

    /** client.portUnification: clientPort takes TLS connections too. */
    public boolean portUnification() {
        return s.portUnification;
    }

    /** The TLS settings for clients (ssl.*), whether or not a port uses them. */
    public io.paddock.server.net.Tls.Settings clientTls() {
        return s.clientTls;
    }

    /** sslQuorum: this server opens its connections to the other servers with TLS, and accepts only TLS. */
    public boolean sslQuorum() {
        return s.sslQuorum;
    }

    /** portUnification (the quorum's): the election and quorum ports accept TLS and plain connections. */
    public boolean quorumPortUnification() {
        return s.quorumPortUnification;
    }

    /** The TLS settings between servers (ssl.quorum.*), or null where this is no ensemble. */
    public io.paddock.server.net.Tls.Settings quorumTls() {
        return s.quorumTls;
    }

    /** SASL between the servers (quorum.auth.*); {@link io.paddock.server.quorum.QuorumSasl.Settings#OFF} by default. */
    public io.paddock.server.quorum.QuorumSasl.Settings quorumSasl() {
        return s.quorumSasl;
    }

    /** Whether any client port speaks TLS. */
    public boolean clientTlsEnabled() {
        return s.secureClientPort >= 0 || s.portUnification;
    }

    /** authProvider.N names ZooKeeper's X509AuthenticationProvider: TLS client certificates give x509 ids. */
    public boolean x509Auth() {
        return s.clientTls.x509Auth();
    }

    /** The authentication providers beyond ZooKeeper's defaults: x509 and sasl, as authProvider.N names them. */
    public io.paddock.core.tree.AuthSchemes authSchemes() {
        return new io.paddock.core.tree.AuthSchemes(x509Auth(), s.saslProvider, s.saslAnyUser);
    }

    /** SASL for clients: the JAAS section and the settings around it (ZooKeeper reads them as properties). */
    public io.paddock.server.net.ClientSasl.Settings clientSasl() {
        return s.clientSasl;
    }

    /**
     * The schemes every client must have authenticated with before its requests are served
     * (enforce.auth.schemes where enforce.auth.enabled, or sasl for sessionRequireClientSASLAuth);
     * empty for none.
     */
    public Set<String> requiredAuthSchemes() {
        return s.requiredAuthSchemes;
    }

    /** ZooKeeper's zookeeper.enforceQuota: writes past a quota's hard limit fail (checked by the leader). */
    public boolean enforceQuota() {
        return s.enforceQuota;
    }

    /** The largest frame or znode payload accepted, in bytes. */
    public int juteMaxBuffer() {
        return s.juteMaxBuffer;
    }

    /** {@code super:<base64 digest>}, or null when the super user is disabled. */
    public String superDigest() {
        return s.superDigest;
    }

    public int containerCheckIntervalMs() {
        return s.containerCheckIntervalMs;
    }

    public int containerMaxPerMinute() {
        return s.containerMaxPerMinute;
    }

    public int globalOutstandingLimit() {
        return s.globalOutstandingLimit;
    }

    public int maxOutstandingRequestsPerConnection() {
        return s.maxOutstandingRequestsPerConnection;
    }

    /** Open client connections the server accepts in all (Paddock's own key; ZooKeeper has none). */
    public int maxConnections() {
        return s.maxConnections;
    }

    public int handshakeTimeoutMs() {
        return s.handshakeTimeoutMs;
    }

    public int snapCount() {
        return s.snapCount;
    }

    /** True unless zoo.cfg says {@code forceSync=no}. */
    public boolean forceSync() {
        return s.forceSync;
    }

    public long preAllocSizeKb() {
        return s.preAllocSizeKb;
    }

    public int snapRetainCount() {
        return s.snapRetainCount;
    }

    /** 0 = automatic purge disabled. */
    public int purgeIntervalHours() {
        return s.purgeIntervalHours;
    }

    /** {@value #TEST_FAIL_APPLY_AT_ZXID_KEY} (tests only); 0 = never. */
    public long testFailApplyAtZxid() {
        return s.testFailApplyAtZxid;
    }

    /**
     * The {@code server.N} lines, by id. Two or more participants make an ensemble ({@link
     * #isEnsemble()}); one or none runs standalone, as in ZooKeeper.
     */
    public List<QuorumServer> servers() {
        return s.servers;
    }

    /**
     * The membership as a ZooKeeper 3.9 quorum peer shows it in /zookeeper/config and after {@code
     * conf}'s {@code membership:} ({@code QuorumMaj.toString}): one {@code server.N=} line per
     * server, then {@code version=0} (a static zoo.cfg's configuration version, in hex), with no
     * newline at the end. The lines come in ZooKeeper's order: it puts the server lines, in the
     * order zoo.cfg's properties iterate them, into a {@link HashMap} keyed by id, and prints that map
     * (ascending for ids below 16). Clients parse the text as properties, so only a byte-for-byte
     * comparison would see another order.
     */
    public String membershipText() {
        Map<Long, QuorumServer> byIdNumber = new HashMap<>();
        for (QuorumServer q : s.servers) {
            byIdNumber.put(q.id(), q);
        }
        Map<Long, String> byId = new HashMap<>();
        for (String key : s.serverKeyOrder) { // zoo.cfg's own order first, as ZooKeeper inserts them
            try {
                QuorumServer q = byIdNumber.get(Long.parseLong(key.substring(QuorumServer.KEY_PREFIX.length())));
                if (q != null) {
                    byId.put(q.id(), q.toConfigValue());
                }
            } catch (NumberFormatException e) {
                // not a server line after all: parsing refused it already
            }
        }
        for (QuorumServer q : s.servers) {
            byId.putIfAbsent(q.id(), q.toConfigValue());
        }
        StringBuilder text = new StringBuilder();
        byId.forEach((id, value) -> text.append(QuorumServer.KEY_PREFIX).append(id).append('=').append(value).append('\n'));
        return text.append("version=0").toString();
    }

    /** The participants (voters) among {@link #servers()}. */
    public List<QuorumServer> votingServers() {
        return s.servers.stream().filter(q -> !q.observer()).toList();
    }

    /**
     * True when zoo.cfg describes an ensemble this server takes part in: two or more participant
     * {@code server.N} lines (ZooKeeper's quorum mode). One line or none is standalone.
     */
    public boolean isEnsemble() {
        return votingServers().size() >= 2;
    }

    /**
     * Why this ensemble configuration cannot run, or null: initLimit and syncLimit are required in
     * quorum mode, as ZooKeeper says ("initLimit is not set").
     */
    public String ensembleSettingsError() {
        if (s.initLimit == 0) {
            return "initLimit is not set: an ensemble needs initLimit=N (ticks), e.g. initLimit=10";
        }
        if (s.syncLimit == 0) {
            return "syncLimit is not set: an ensemble needs syncLimit=N (ticks), e.g. syncLimit=5";
        }
        return null;
    }

    /** {@code initLimit} in ticks; required (at least 1) in an ensemble, 0 when unset. */
    public int initLimit() {
        return s.initLimit;
    }

    /** {@code syncLimit} in ticks; required (at least 1) in an ensemble, 0 when unset. */
    public int syncLimit() {
        return s.syncLimit;
    }

    /** {@code peerType}: "participant", "observer", or null when unset. The server.N line decides (see warnings). */
    public String peerType() {
        return s.peerType;
    }

    /** {@code electionPortBindRetry}: tries to bind the election port, a second apart; 0 = forever. */
    public int electionPortBindRetry() {
        return s.electionPortBindRetry;
    }

    /** {@code quorumListenOnAllIPs}: listen for peers on every address instead of the server.N host. */
    public boolean quorumListenOnAllIPs() {
        return s.quorumListenOnAllIPs;
    }

    /** {@value #ELECTION_FINALIZE_WAIT_MS_KEY} (default {@value #DEFAULT_ELECTION_FINALIZE_WAIT_MS}). */
    public int electionFinalizeWaitMs() {
        return s.electionFinalizeWaitMs;
    }

    /** ZooKeeper's {@code standaloneEnabled} (default true). */
    public boolean standaloneEnabled() {
        return s.standaloneEnabled;
    }

    /** ZooKeeper's {@code dynamicConfigFile}, or null. */
    public String dynamicConfigFile() {
        return s.dynamicConfigFile;
    }

    /**
     * Why this configuration asks for something Paddock cannot run, or null: ZooKeeper runs
     * {@code standaloneEnabled=false} with a single voter as a quorum peer of one, and reads a
     * {@code dynamicConfigFile}; Paddock does neither yet, and refuses rather than guess.
     */
    public String ensembleRefusal() {
        String notYet = " Paddock does not support that yet. To run a standalone server, remove ";
        if (!s.standaloneEnabled && !s.servers.isEmpty() && votingServers().size() < 2) {
            return "standaloneEnabled=false with " + s.servers.get(0).toLine() + " asks for a quorum peer of one voter,"
                + " not a standalone server." + notYet + "standaloneEnabled=false.";
        }
        if (s.dynamicConfigFile != null) {
            return "dynamicConfigFile=" + s.dynamicConfigFile + ": Paddock does not read dynamic configuration files yet,"
                + " so it cannot tell whether they describe an ensemble." + notYet + "dynamicConfigFile.";
        }
        return null;
    }

    /** Throws a {@link ConfigException} with {@link #ensembleRefusal()} if that is not null. */
    public void requireStandalone() {
        String refusal = ensembleRefusal();
        if (refusal != null) {
            throw new ConfigException(refusal);
        }
    }

    /** ZooKeeper keys Paddock accepts but does not act on yet (ensemble, admin server...). */
    public SortedMap<String, String> ignoredKeys() {
        return s.ignoredKeys;
    }

    /** What the parser warned about (unknown keys, values it adjusted), in order. */
    public List<String> warnings() {
        return s.warnings;
    }

    /**
     * The keys and values ZooKeeper's {@code conf} four-letter word prints, in its order, for a
     * standalone server. The two disk sizes ({@code dataDirSize}, {@code dataLogSize}) are live
     * values and are added by the 4lw itself; clientPort is the configured one.
     */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("clientPort", String.valueOf(s.clientPort));
        m.put("secureClientPort", String.valueOf(s.secureClientPort));
        m.put("dataDir", s.dataDir.toAbsolutePath().normalize().toString());
        m.put("dataLogDir", s.dataLogDir.toAbsolutePath().normalize().toString());
        m.put("tickTime", String.valueOf(s.tickTime));
        m.put("maxClientCnxns", String.valueOf(s.maxClientCnxns));
        m.put("minSessionTimeout", String.valueOf(s.minSessionTimeout));
        m.put("maxSessionTimeout", String.valueOf(s.maxSessionTimeout));
        m.put("clientPortListenBacklog", "-1");
        m.put("serverId", "0");
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return "ServerConfig" + asMap();
    }

    /** A wrong value in zoo.cfg; the message names the key and the value. */
    public static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }

        static ConfigException badValue(String key, String value, String why) {
            return new ConfigException("Invalid value for " + key + ": '" + value + "' (" + why + ")");
        }
    }

    /** The parsed values, mutable only while the parser fills them in. */
    static final class Settings {
        int tickTime = DEFAULT_TICK_TIME_MS;
        Path dataDir;
        Path dataLogDir;
        int clientPort = DEFAULT_CLIENT_PORT;
        /** Whether zoo.cfg has clientPort (else this server's server.N line may give it). */
        boolean clientPortSet;
        /** The server.N keys in the order zoo.cfg's properties iterate them (as ZooKeeper reads them). */
        List<String> serverKeyOrder = new ArrayList<>();
        String clientPortAddress;
        int maxClientCnxns = DEFAULT_MAX_CLIENT_CNXNS;
        int minSessionTimeout;
        int maxSessionTimeout;
        Set<String> fourLetterWordWhitelist = Set.of(FourLetterWord.SRVR.word());
        boolean extendedTypesEnabled;
        boolean enforceQuota;
        int secureClientPort = -1;
        String secureClientPortAddress;
        boolean portUnification;
        io.paddock.server.net.Tls.Settings clientTls;
        boolean sslQuorum;
        boolean quorumPortUnification;
        io.paddock.server.net.Tls.Settings quorumTls;
        io.paddock.server.quorum.QuorumSasl.Settings quorumSasl = io.paddock.server.quorum.QuorumSasl.Settings.OFF;
        int juteMaxBuffer = DEFAULT_JUTE_MAX_BUFFER_BYTES;
        String superDigest;
        boolean saslProvider;
        String saslAnyUser;
        io.paddock.server.net.ClientSasl.Settings clientSasl = io.paddock.server.net.ClientSasl.Settings.DEFAULTS;
        Set<String> requiredAuthSchemes = Set.of();
        int containerCheckIntervalMs = DEFAULT_CONTAINER_CHECK_INTERVAL_MS;
        int containerMaxPerMinute = DEFAULT_CONTAINER_MAX_PER_MINUTE;
        int globalOutstandingLimit = DEFAULT_GLOBAL_OUTSTANDING_LIMIT;
        int maxOutstandingRequestsPerConnection = DEFAULT_MAX_OUTSTANDING_REQUESTS_PER_CONNECTION;
        int handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS;
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        int snapCount = DEFAULT_SNAP_COUNT;
        boolean forceSync = true;
        long preAllocSizeKb = DEFAULT_PRE_ALLOC_SIZE_KB;
        int snapRetainCount = MIN_SNAP_RETAIN_COUNT;
        int purgeIntervalHours;
        long testFailApplyAtZxid;
        List<QuorumServer> servers = List.of();
        boolean standaloneEnabled = true;
        String dynamicConfigFile;
        int initLimit;
        int syncLimit;
        String peerType;
        int electionPortBindRetry = DEFAULT_ELECTION_PORT_BIND_RETRY;
        boolean quorumListenOnAllIPs;
        int electionFinalizeWaitMs = DEFAULT_ELECTION_FINALIZE_WAIT_MS;
        SortedMap<String, String> ignoredKeys = new TreeMap<>();
        List<String> warnings = new ArrayList<>();

        Settings copy() {
            Settings c = new Settings();
            c.tickTime = tickTime;
            c.dataDir = dataDir;
            c.dataLogDir = dataLogDir;
            c.clientPort = clientPort;
            c.clientPortSet = clientPortSet;
            c.serverKeyOrder = serverKeyOrder;
            c.clientPortAddress = clientPortAddress;
            c.maxClientCnxns = maxClientCnxns;
            c.minSessionTimeout = minSessionTimeout;
            c.maxSessionTimeout = maxSessionTimeout;
            c.fourLetterWordWhitelist = fourLetterWordWhitelist;
            c.extendedTypesEnabled = extendedTypesEnabled;
            c.enforceQuota = enforceQuota;
            c.secureClientPort = secureClientPort;
            c.secureClientPortAddress = secureClientPortAddress;
            c.portUnification = portUnification;
            c.clientTls = clientTls;
            c.sslQuorum = sslQuorum;
            c.quorumPortUnification = quorumPortUnification;
            c.quorumTls = quorumTls;
            c.quorumSasl = quorumSasl;
            c.juteMaxBuffer = juteMaxBuffer;
            c.superDigest = superDigest;
            c.saslProvider = saslProvider;
            c.saslAnyUser = saslAnyUser;
            c.clientSasl = clientSasl;
            c.requiredAuthSchemes = requiredAuthSchemes;
            c.containerCheckIntervalMs = containerCheckIntervalMs;
            c.containerMaxPerMinute = containerMaxPerMinute;
            c.globalOutstandingLimit = globalOutstandingLimit;
            c.maxOutstandingRequestsPerConnection = maxOutstandingRequestsPerConnection;
            c.handshakeTimeoutMs = handshakeTimeoutMs;
            c.maxConnections = maxConnections;
            c.snapCount = snapCount;
            c.forceSync = forceSync;
            c.preAllocSizeKb = preAllocSizeKb;
            c.snapRetainCount = snapRetainCount;
            c.purgeIntervalHours = purgeIntervalHours;
            c.testFailApplyAtZxid = testFailApplyAtZxid;
            c.servers = servers;
            c.standaloneEnabled = standaloneEnabled;
            c.dynamicConfigFile = dynamicConfigFile;
            c.initLimit = initLimit;
            c.syncLimit = syncLimit;
            c.peerType = peerType;
            c.electionPortBindRetry = electionPortBindRetry;
            c.quorumListenOnAllIPs = quorumListenOnAllIPs;
            c.electionFinalizeWaitMs = electionFinalizeWaitMs;
            c.ignoredKeys = ignoredKeys;
            c.warnings = warnings;
            return c;
        }

        /** Freezes the collections once parsing is done. */
        Settings freeze() {
            fourLetterWordWhitelist = Collections.unmodifiableSet(new TreeSet<>(fourLetterWordWhitelist));
            ignoredKeys = Collections.unmodifiableSortedMap(new TreeMap<>(ignoredKeys));
            warnings = List.copyOf(warnings);
            return this;
        }
    }

    /**
     * Reads zoo.cfg keys into {@link Settings}. Each key is taken at most once; whatever is left
     * at the end is either a ZooKeeper key Paddock does not act on (noted at info level) or
     * unknown (a warning).
     */
    private static final class Parser {
        /** ZooKeeper keys that only matter to an ensemble. */
        private static final Set<String> ENSEMBLE_KEYS = Set.of(
            "electionAlg", "syncEnabled",
            "dynamicConfigFile", "standaloneEnabled", "reconfigEnabled",
            "connectToLearnerMasterLimit", "observerMasterPort",
            "cnxTimeout", "sslQuorum", "sslQuorumReloadCertFiles", "portUnification",
            "oraclePath", "leaderServes", "localSessionsEnabled", "localSessionsUpgradingEnabled");
        private static final List<String> ENSEMBLE_PREFIXES = List.of(
            "group.", "weight.", "multiAddress.", "quorum.", "learner.", "observer.");
        /** Other ZooKeeper keys Paddock accepts and does not act on (yet). */
        private static final Set<String> UNSUPPORTED_KEYS = Set.of(
            "audit.enable",
            "clientPortListenBacklog", "serverCnxnFactory", "fsync.warningthresholdms",
            "snapSizeLimitInKb", "txnLogSizeLimitInKb", "commitLogCount", "maxCnxns", "skipACL",
            "maxResponseCacheSize", "maxGetChildrenResponseCacheSize", "digest.enabled",
            "znode.container.maxNeverUsedIntervalMs",
            "flushDelay", "maxWriteQueuePollTime", "maxBatchSize", "requestThrottleLimit",
            "requestThrottleStallTime", "requestThrottleDropStale", "largeRequestMaxBytes",
            "largeRequestThreshold", "watchManagerName", "closeSessionTxn.enabled", "fips-mode");
        private static final List<String> UNSUPPORTED_PREFIXES = List.of(
            "admin.", "metricsProvider.", "ssl.", "authProvider.", "jvm.pause.", "client.",
            "kerberos.", "connection_throttle_");

        private final SortedMap<String, String> remaining = new TreeMap<>();
        private final Settings st = new Settings();

        Parser(Properties p, Map<String, String> overrides) {
            for (String name : p.stringPropertyNames()) {
                remaining.put(name.trim(), p.getProperty(name).trim());
            }
            remaining.putAll(overrides);
            for (Object key : p.keySet()) { // the order ZooKeeper's QuorumMaj reads them in (membershipText)
                String name = String.valueOf(key).trim();
                if (name.startsWith(QuorumServer.KEY_PREFIX)) {
                    st.serverKeyOrder.add(name);
                }
            }
        }

        Settings parse() {
            readPaths();
            readNetwork();
            readSessions();
            readFeatures();
            readLimits();
            readDurability();
            readTestSettings();
            readServers();
            sortLeftovers();
            return st.freeze();
        }

        private void readPaths() {
            String dataDir = take("dataDir");
            if (dataDir == null || dataDir.isEmpty()) {
                throw new ConfigException("dataDir is not set");
            }
            st.dataDir = Path.of(dataDir);
            String dataLogDir = take("dataLogDir");
            st.dataLogDir = dataLogDir == null || dataLogDir.isEmpty() ? st.dataDir : Path.of(dataLogDir);
        }

        private void readNetwork() {
            String port = take("clientPort");
            if (port != null) {
                st.clientPort = checkPort("clientPort", port, parseInt("clientPort", port, false));
                st.clientPortSet = true;
            }
            String address = take("clientPortAddress");
            if (address != null && address.isEmpty()) {
                throw ConfigException.badValue("clientPortAddress", address, "empty; omit it to listen on all addresses");
            }
            st.clientPortAddress = address;
            st.maxClientCnxns = readInt("maxClientCnxns", DEFAULT_MAX_CLIENT_CNXNS, 0, false);
            st.handshakeTimeoutMs = readInt("handshakeTimeoutMs", DEFAULT_HANDSHAKE_TIMEOUT_MS, 1, false);
            st.maxConnections = readInt("maxConnections", DEFAULT_MAX_CONNECTIONS, 1, false);
            readClientTls();
            readClientAuth();
        }

        /**
         * secureClientPort (TLS only), client.portUnification (TLS or plain on clientPort) and the
         * ssl.* keys of ZooKeeper's X509Util for them. The stores are read when the server starts.
         * A custom ssl.context.supplier.class is refused where TLS is in use: Paddock loads no classes.
         */
        private void readClientTls() {
            String secure = take("secureClientPort");
            if (secure != null) {
                st.secureClientPort = checkPort("secureClientPort", secure, parseInt("secureClientPort", secure, false));
            }
            String secureAddress = take("secureClientPortAddress");
            if (secureAddress != null && secure == null) {
                throw new ConfigException("secureClientPortAddress=" + secureAddress + " is set but secureClientPort is not"
                    + " (ZooKeeper refuses this too)");
            }
            st.secureClientPortAddress = secureAddress == null || secureAddress.isEmpty() ? null : secureAddress;
            st.portUnification = readBoolean("client.portUnification", false);
            // ZooKeeper's X509AuthenticationProvider: named in authProvider.N, or put there by ZooKeeper
            // itself for a secureClientPort (QuorumPeerConfig.configureSSLAuth) when ssl.authProvider is
            // x509 or unset. Another class for the x509 scheme, or another ssl.authProvider, would decide
            // who gets in by code Paddock does not have: refused.
            boolean x509 = false;
            for (String key : new ArrayList<>(remaining.keySet())) {
                if (key.startsWith("authProvider.") && io.paddock.server.net.Tls.X509_PROVIDER.equals(remaining.get(key))) {
                    take(key);
                    x509 = true;
                }
            }
            String customX509 = remaining.get("authProvider.x509");
            if (customX509 != null) {
                throw new ConfigException("authProvider.x509=" + customX509 + " names a class of its own for client"
                    + " certificates; Paddock has only " + io.paddock.server.net.Tls.X509_PROVIDER
                    + ". Name that, or keep ZooKeeper here.");
            }
            String sslAuthProvider = take("ssl.authProvider");
            if (sslAuthProvider != null && !sslAuthProvider.isEmpty() && !sslAuthProvider.equals("x509")) {
                throw new ConfigException("ssl.authProvider=" + sslAuthProvider + " asks that TLS clients be authenticated"
                    + " by the '" + sslAuthProvider + "' scheme's provider, which Paddock does not have (only x509)");
            }
            if (st.secureClientPort >= 0) {
                x509 = true;
            }
            boolean inUse = st.secureClientPort >= 0 || st.portUnification;
            st.clientTls = readTls(io.paddock.server.net.Tls.Settings.CLIENT, x509,
                    take("X509AuthenticationProvider.superUser"), readBoolean("client.certReload", false),
                    false, false, false, inUse);
            // ZooKeeper 3.9 checks a client's certificate against a host name when asked
            // (ClientX509Util: ssl.clientHostnameVerification, off by default; its Netty client port
            // gives the TLS engine no peer address to check against). Paddock does not check it on
            // the client port: asked for, it refuses to start rather than serve without it.
            boolean names = readZooKeeperBoolean("ssl.hostnameVerification", true);
            boolean clientNames = readZooKeeperBoolean("ssl.clientHostnameVerification", false);
            take("ssl.allowReverseDnsLookup");
            if (inUse && names && clientNames) {
                throw new ConfigException("ssl.clientHostnameVerification=true asks that each TLS client's certificate"
                    + " name its address, which Paddock does not check on the client port yet; it refuses to start"
                    + " rather than serve without it. Remove the key, or keep ZooKeeper here.");
            }
        }

        /**
         * The keys of one ZooKeeper X509Util ({@code prefix} is {@code ssl.} or {@code ssl.quorum.}).
         * A custom {@code context.supplier.class} is refused where {@code inUse}: Paddock loads no classes.
         */
        private io.paddock.server.net.Tls.Settings readTls(String prefix, boolean x509, String superUser,
                boolean reload, boolean verifyServer, boolean verifyClient, boolean reverseDns, boolean inUse) {
            List<String> protocols = readList(prefix + "enabledProtocols");
            List<String> ciphers = readList(prefix + "ciphersuites");
            String authText = take(prefix + "clientAuth");
            io.paddock.server.net.Tls.Auth auth;
            try {
                auth = io.paddock.server.net.Tls.Auth.parse(authText);
            } catch (IllegalArgumentException e) {
                throw ConfigException.badValue(prefix + "clientAuth", authText, "expected none, want or need");
            }
            int detection = readInt(prefix + "handshakeDetectionTimeoutMillis",
                    io.paddock.server.net.Tls.DEFAULT_HANDSHAKE_DETECTION_TIMEOUT_MS, Integer.MIN_VALUE, false);
            if (detection < 1) {
                st.warnings.add(prefix + "handshakeDetectionTimeoutMillis " + detection + " is below 1; using "
                        + io.paddock.server.net.Tls.DEFAULT_HANDSHAKE_DETECTION_TIMEOUT_MS);
                detection = io.paddock.server.net.Tls.DEFAULT_HANDSHAKE_DETECTION_TIMEOUT_MS;
            }
            io.paddock.server.net.Tls.Settings settings = new io.paddock.server.net.Tls.Settings(prefix,
                    take(prefix + "keyStore.location"), take(prefix + "keyStore.password"),
                    take(prefix + "keyStore.passwordPath"), take(prefix + "keyStore.type"),
                    take(prefix + "trustStore.location"), take(prefix + "trustStore.password"),
                    take(prefix + "trustStore.passwordPath"), take(prefix + "trustStore.type"), take(prefix + "protocol"),
                    protocols, ciphers, auth, detection, x509, superUser,
                    readZooKeeperBoolean(prefix + "crl", false), readZooKeeperBoolean(prefix + "ocsp", false), reload,
                    verifyServer, verifyClient, reverseDns);
            String supplier = take(prefix + "context.supplier.class");
            if (inUse && supplier != null && !supplier.isEmpty()) {
                throw new ConfigException(prefix + "context.supplier.class=" + supplier + " names a Java class that makes"
                    + " ZooKeeper's TLS context; Paddock does not load such classes. Configure the key and trust stores"
                    + " (" + prefix + "keyStore.*, " + prefix + "trustStore.*) instead.");
            }
            return settings;
        }

        /**
         * TLS between the servers, as ZooKeeper 3.9's QuorumPeerConfig and QuorumX509Util read it:
         * {@code sslQuorum} (this server opens its election and learner connections with TLS and
         * accepts only TLS), {@code portUnification} (it accepts TLS and plain connections alike, for
         * a rolling change to or from TLS), {@code sslQuorumReloadCertFiles}, and the
         * {@code ssl.quorum.*} keys. Host names are checked only with {@code fips-mode=false} (ZooKeeper
         * 3.9's FIPS mode, on by default, checks the chain alone) and a trust store; then
         * {@code ssl.quorum.hostnameVerification} (default true) checks the servers this one connects
         * to, with {@code ssl.quorum.clientHostnameVerification} (default true) those that connect to
         * it, and {@code ssl.quorum.allowReverseDnsLookup} (default true) lets a bare address be
         * looked up.
         */
        private void readQuorumTls() {
            st.sslQuorum = readBoolean("sslQuorum", false);
            st.quorumPortUnification = readBoolean("portUnification", false);
            boolean reload = readBoolean("sslQuorumReloadCertFiles", false);
            boolean fips = readZooKeeperBoolean("fips-mode", true);
            String prefix = io.paddock.server.net.Tls.Settings.QUORUM;
            // ZooKeeper's ZKTrustManager, the one that checks names, is made only with a trust store.
            String trustStore = remaining.get(prefix + "trustStore.location");
            boolean hostnames = !fips && trustStore != null && !trustStore.isEmpty()
                    && readZooKeeperBoolean(prefix + "hostnameVerification", true);
            boolean clientHostnames = hostnames && readZooKeeperBoolean(prefix + "clientHostnameVerification", true);
            boolean reverseDns = readZooKeeperBoolean(prefix + "allowReverseDnsLookup", true);
            take(prefix + "hostnameVerification"); // read above where FIPS mode is off
            take(prefix + "clientHostnameVerification");
            st.quorumTls = readTls(prefix, false, null, reload, hostnames, clientHostnames, reverseDns,
                    st.sslQuorum || st.quorumPortUnification);
        }

        /** A boolean ZooKeeper reads with ZKConfig.getBoolean: anything but "true" (any case, trimmed) is false. */
        private boolean readZooKeeperBoolean(String key, boolean defaultValue) {
            String v = remaining.get(key);
            if (v == null) {
                return defaultValue;
            }
            take(key);
            return Boolean.parseBoolean(v.trim());
        }

        /** A comma-separated list (ZooKeeper splits on commas; blanks around names are dropped here), or null. */
        private List<String> readList(String key) {
            String v = take(key);
            if (v == null) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (String part : v.split(",")) {
                if (!part.trim().isEmpty()) {
                    out.add(part.trim());
                }
            }
            if (out.isEmpty()) {
                throw ConfigException.badValue(key, v, "an empty list");
            }
            return out;
        }

        private void readSessions() {
            st.tickTime = readInt("tickTime", DEFAULT_TICK_TIME_MS, 1, false);
            if (st.tickTime > Integer.MAX_VALUE / 20) {
                throw ConfigException.badValue("tickTime", String.valueOf(st.tickTime), "too large");
            }
            String minRaw = remaining.get("minSessionTimeout");
            String maxRaw = remaining.get("maxSessionTimeout");
            st.minSessionTimeout = readTimeout("minSessionTimeout", 2 * st.tickTime);
            st.maxSessionTimeout = readTimeout("maxSessionTimeout", 20 * st.tickTime);
            if (st.minSessionTimeout > st.maxSessionTimeout) {
                String shown = minRaw != null ? minRaw : String.valueOf(st.minSessionTimeout);
                String maxShown = maxRaw != null ? maxRaw : st.maxSessionTimeout + " (20 x tickTime)";
                throw ConfigException.badValue("minSessionTimeout", shown,
                    "must not be larger than maxSessionTimeout " + maxShown);
            }
        }

        /** -1 or absent means the tick-based default, as in ZooKeeper; else a positive ms value. */
        private int readTimeout(String key, int resolvedDefault) {
            String v = take(key);
            if (v == null) {
                return resolvedDefault;
            }
            int n = parseInt(key, v, false);
            if (n == -1) {
                return resolvedDefault;
            }
            if (n < 1) {
                throw ConfigException.badValue(key, v, "must be -1 (default) or a positive number of milliseconds");
            }
            return n;
        }

        private void readFeatures() {
            st.fourLetterWordWhitelist = readWhitelist();
            st.extendedTypesEnabled = readBoolean("extendedTypesEnabled", false);
            st.enforceQuota = readBoolean("enforceQuota", false);
            st.superDigest = readSuperDigest();
        }

        /**
         * SASL for clients and the enforcement of authentication, as ZooKeeper 3.9 reads them (as
         * {@code zookeeper.}-prefixed properties, which its zoo.cfg parser makes of these keys):
         * ZooKeeperServer (superUser, allowSaslFailedClients), SaslServerCallbackHandler
         * (kerberos.remove*, SASLAuthenticationProvider.superPassword), SASLAuthenticationProvider
         * (letAnySaslUserDoX), ZooKeeperSaslServer (sasl.serverconfig), AuthenticationHelper
         * (sessionRequireClientSASLAuth, enforce.auth.*: a scheme without a provider refuses the
         * start). After {@link #readClientTls}: x509 may be among the schemes.
         */
        private void readClientAuth() {
            for (String key : new ArrayList<>(remaining.keySet())) {
                if (key.startsWith("authProvider.") && io.paddock.server.net.ClientSasl.PROVIDER.equals(remaining.get(key))) {
                    take(key);
                    st.saslProvider = true;
                }
            }
            String custom = remaining.get("authProvider.sasl");
            if (custom != null) {
                throw new ConfigException("authProvider.sasl=" + custom + " names a class of its own for SASL ids;"
                    + " Paddock has only " + io.paddock.server.net.ClientSasl.PROVIDER + ". Name that, or keep ZooKeeper here.");
            }
            String section = take("sasl.serverconfig");
            List<String> superUsers = new ArrayList<>();
            for (String key : new ArrayList<>(remaining.keySet())) {
                if (key.equals("superUser") || key.startsWith("superUser.")) {
                    superUsers.add(take(key));
                }
            }
            String superPassword = take("SASLAuthenticationProvider.superPassword");
            boolean allowFailed = "true".equalsIgnoreCase(nullToEmpty(take("allowSaslFailedClients")));
            boolean removeHost = "true".equals(take("kerberos.removeHostFromPrincipal"));
            boolean removeRealm = "true".equals(take("kerberos.removeRealmFromPrincipal"));
            st.saslAnyUser = take("letAnySaslUserDoX");
            String rules = take("security.auth_to_local");
            if (rules != null && !rules.equals("DEFAULT")) {
                throw new ConfigException("security.auth_to_local=" + rules + " sets Kerberos name rules; Paddock has"
                    + " only the DEFAULT rule. Remove the key, or keep ZooKeeper here.");
            }
            take("jaasLoginRenew"); // ticket renewal: accepting clients needs only the keytab's keys (ClientSasl)
            Set<String> required = new java.util.LinkedHashSet<>();
            boolean requireSasl = Boolean.parseBoolean(nullToEmpty(take("sessionRequireClientSASLAuth")));
            boolean enforce = Boolean.parseBoolean(nullToEmpty(take("enforce.auth.enabled")));
            String schemes = take("enforce.auth.schemes");
            if (requireSasl) {
                required.add(io.paddock.core.tree.AclCheck.SASL);
            } else if (enforce) {
                if (schemes != null) {
                    for (String scheme : schemes.split(",")) {
                        required.add(scheme.trim());
                    }
                }
                if (required.isEmpty()) {
                    throw new ConfigException("enforce.auth.enabled is true, so enforce.auth.schemes must be configured"
                        + " (ZooKeeper refuses this too)");
                }
            }
            boolean x509 = st.clientTls.x509Auth();
            for (String scheme : required) {
                boolean available = switch (scheme) {
                    case "ip", "digest" -> true;
                    case "x509" -> x509;
                    case "sasl" -> st.saslProvider;
                    default -> false;
                };
                if (!available) {
                    throw new ConfigException("Authentication scheme " + scheme + " is not available: "
                        + (scheme.equals("sasl") ? "authProvider.N=" + io.paddock.server.net.ClientSasl.PROVIDER
                            + " is not set" : scheme.equals("x509") ? "no secureClientPort nor authProvider.N naming"
                            + " ZooKeeper's X509AuthenticationProvider" : "Paddock has no provider for it")
                        + " (ZooKeeper refuses this too)");
                }
            }
            st.requiredAuthSchemes = Set.copyOf(required);
            st.clientSasl = new io.paddock.server.net.ClientSasl.Settings(
                    section == null ? io.paddock.server.net.ClientSasl.DEFAULT_SECTION : section, section != null,
                    superUsers, superPassword, allowFailed, required.contains(io.paddock.core.tree.AclCheck.SASL),
                    removeHost, removeRealm);
        }

        private static String nullToEmpty(String v) {
            return v == null ? "" : v;
        }

        private Set<String> readWhitelist() {
            Set<String> words = new TreeSet<>();
            // ZooKeeper always enables srvr: its own zkServer.sh status depends on it.
            words.add(FourLetterWord.SRVR.word());
            String v = take("4lw.commands.whitelist");
            if (v == null) {
                return words;
            }
            for (String part : v.split(",")) {
                String word = part.trim();
                if (word.equals("*")) {
                    for (FourLetterWord w : FourLetterWord.values()) {
                        words.add(w.word());
                    }
                } else if (FourLetterWord.fromWord(word) != null) {
                    words.add(word);
                } else if (!word.isEmpty()) {
                    st.warnings.add("4lw.commands.whitelist names an unknown four-letter word '" + word + "'; ignored");
                }
            }
            return words;
        }

        private String readSuperDigest() {
            String plain = take(SUPER_DIGEST_KEY);
            String prefixed = take(SUPER_DIGEST_PROPERTY_KEY);
            if (plain != null && prefixed != null && !plain.equals(prefixed)) {
                throw ConfigException.badValue(SUPER_DIGEST_PROPERTY_KEY, prefixed,
                    "differs from " + SUPER_DIGEST_KEY + "='" + plain + "'; set only one");
            }
            String v = plain != null ? plain : prefixed;
            if (v == null || v.isEmpty()) {
                return null;
            }
            String key = plain != null ? SUPER_DIGEST_KEY : SUPER_DIGEST_PROPERTY_KEY;
            int colon = v.indexOf(':');
            if (colon <= 0 || colon == v.length() - 1) {
                throw ConfigException.badValue(key, v, "expected user:base64digest, e.g. super:xxxx=");
            }
            return v;
        }

        private void readLimits() {
            st.juteMaxBuffer = readInt("jute.maxbuffer", DEFAULT_JUTE_MAX_BUFFER_BYTES, 1, true);
            st.globalOutstandingLimit = readInt("globalOutstandingLimit", DEFAULT_GLOBAL_OUTSTANDING_LIMIT, 1, true);
            st.maxOutstandingRequestsPerConnection = readInt("maxOutstandingRequestsPerConnection",
                DEFAULT_MAX_OUTSTANDING_REQUESTS_PER_CONNECTION, 1, false);
            st.containerCheckIntervalMs = readInt("znode.container.checkIntervalMs",
                DEFAULT_CONTAINER_CHECK_INTERVAL_MS, 1, true);
            st.containerMaxPerMinute = readInt("znode.container.maxPerMinute", DEFAULT_CONTAINER_MAX_PER_MINUTE, 1, true);
        }

        private void readDurability() {
            int snapCount = readInt("snapCount", DEFAULT_SNAP_COUNT, Integer.MIN_VALUE, true);
            if (snapCount < MIN_SNAP_COUNT) {
                st.warnings.add("snapCount " + snapCount + " is below " + MIN_SNAP_COUNT + "; using " + MIN_SNAP_COUNT);
                snapCount = MIN_SNAP_COUNT;
            }
            st.snapCount = snapCount;
            st.forceSync = readYesNo("forceSync", true);
            st.preAllocSizeKb = readLong("preAllocSize", DEFAULT_PRE_ALLOC_SIZE_KB, 0);
            int retain = readInt("autopurge.snapRetainCount", MIN_SNAP_RETAIN_COUNT, Integer.MIN_VALUE, false);
            if (retain < MIN_SNAP_RETAIN_COUNT) {
                st.warnings.add("autopurge.snapRetainCount " + retain + " is below " + MIN_SNAP_RETAIN_COUNT
                    + "; using " + MIN_SNAP_RETAIN_COUNT);
                retain = MIN_SNAP_RETAIN_COUNT;
            }
            st.snapRetainCount = retain;
            st.purgeIntervalHours = readInt("autopurge.purgeInterval", 0, 0, false);
        }

        /**
         * The server.N lines, strictly (a malformed one is an error naming it), and the two keys
         * that decide with them whether ZooKeeper would run an ensemble. Observers need a quorum
         * of participants: ZooKeeper refuses them with fewer than two, and so does this.
         */
        private void readServers() {
            List<String> keys = new ArrayList<>();
            for (String key : remaining.keySet()) {
                if (key.startsWith(QuorumServer.KEY_PREFIX)) {
                    keys.add(key);
                }
            }
            SortedMap<Long, QuorumServer> byId = new TreeMap<>();
            for (String key : keys) {
                String value = take(key);
                QuorumServer server = QuorumServer.parse(key, value);
                QuorumServer before = byId.put(server.id(), server);
                if (before != null) {
                    throw new ConfigException("Invalid server line " + key + "=" + value + ": server id " + server.id()
                        + " is already given by " + before.toLine());
                }
            }
            st.servers = List.copyOf(byId.values());
            long voters = st.servers.stream().filter(q -> !q.observer()).count();
            long observers = st.servers.size() - voters;
            if (observers > 0 && voters < 2) {
                throw new ConfigException("zoo.cfg has " + observers + " observer(s) but " + voters
                    + " participant(s): observers need a quorum of participants (ZooKeeper refuses this too)");
            }
            st.standaloneEnabled = readBoolean("standaloneEnabled", true);
            if (!st.standaloneEnabled && voters == 0) {
                throw new ConfigException("standaloneEnabled=false needs at least one participant server.N line"
                    + " (ZooKeeper refuses this too)");
            }
            String dynamic = take("dynamicConfigFile");
            st.dynamicConfigFile = dynamic == null || dynamic.isEmpty() ? null : dynamic;
            readEnsembleKeys();
        }

        /**
         * The keys an ensemble needs, as ZooKeeper's {@code QuorumPeerConfig} reads them: initLimit and
         * syncLimit are required in quorum mode ("initLimit is not set"); peerType must be observer or
         * participant, and the server.N line wins over it with a warning; electionPortBindRetry is a
         * count (0 = forever); quorumListenOnAllIPs a boolean.
         */
        private void readEnsembleKeys() {
            st.initLimit = readInt("initLimit", 0, 1, false);
            st.syncLimit = readInt("syncLimit", 0, 1, false);
            String peerType = take("peerType");
            if (peerType != null) {
                String lower = peerType.toLowerCase(Locale.ROOT);
                if (!lower.equals("observer") && !lower.equals("participant")) {
                    throw ConfigException.badValue("peerType", peerType, "expected observer or participant");
                }
                st.peerType = lower;
            }
            st.electionPortBindRetry = readInt("electionPortBindRetry", DEFAULT_ELECTION_PORT_BIND_RETRY, 0, false);
            st.quorumListenOnAllIPs = readBoolean("quorumListenOnAllIPs", false);
            st.electionFinalizeWaitMs = readInt(ELECTION_FINALIZE_WAIT_MS_KEY, DEFAULT_ELECTION_FINALIZE_WAIT_MS, 0, false);
            readQuorumTls();
            readQuorumSasl();
        }

        /**
         * SASL between the servers, as ZooKeeper's QuorumPeerConfig reads it (booleans strictly; a
         * require key without the ones it needs is refused, as there). The Kerberos service
         * principal and the thread count of ZooKeeper's blocking connections are not used.
         */
        private void readQuorumSasl() {
            boolean enabled = readBoolean("quorum.auth.enableSasl", false);
            boolean learner = readBoolean("quorum.auth.learnerRequireSasl", false);
            boolean server = readBoolean("quorum.auth.serverRequireSasl", false);
            if (!enabled && server) {
                throw new ConfigException("quorum.auth.enableSasl is disabled, so cannot enable"
                    + " quorum.auth.serverRequireSasl (ZooKeeper refuses this too)");
            }
            if (!enabled && learner) {
                throw new ConfigException("quorum.auth.enableSasl is disabled, so cannot enable"
                    + " quorum.auth.learnerRequireSasl (ZooKeeper refuses this too)");
            }
            if (!learner && server) {
                throw new ConfigException("quorum.auth.learnerRequireSasl is disabled, so cannot enable"
                    + " quorum.auth.serverRequireSasl (ZooKeeper refuses this too)");
            }
            String learnerSection = take("quorum.auth.learner.saslLoginContext");
            String serverSection = take("quorum.auth.server.saslLoginContext");
            take("quorum.auth.kerberos.servicePrincipal");
            take("quorum.cnxn.threads.size");
            st.quorumSasl = new io.paddock.server.quorum.QuorumSasl.Settings(enabled, learner, server,
                    learnerSection == null ? "QuorumLearner" : learnerSection,
                    serverSection == null ? "QuorumServer" : serverSection);
        }

        private void readTestSettings() {
            String v = take(TEST_FAIL_APPLY_AT_ZXID_KEY);
            if (v == null) {
                return;
            }
            try {
                st.testFailApplyAtZxid = Long.decode(v);
            } catch (NumberFormatException e) {
                throw ConfigException.badValue(TEST_FAIL_APPLY_AT_ZXID_KEY, v, "not an integer");
            }
            if (st.testFailApplyAtZxid < 1) {
                throw ConfigException.badValue(TEST_FAIL_APPLY_AT_ZXID_KEY, v, "must be a zxid, at least 1");
            }
        }

        /** Whatever is left: known-but-ignored keys are kept raw; unknown keys become warnings. */
        private void sortLeftovers() {
            for (Map.Entry<String, String> e : remaining.entrySet()) {
                String key = e.getKey();
                if (isEnsembleKey(key)) {
                    st.ignoredKeys.put(key, e.getValue());
                    LOG.info("zoo.cfg key {} ignored: an ensemble setting Paddock does not act on", key);
                } else if (isUnsupportedKey(key)) {
                    st.ignoredKeys.put(key, e.getValue());
                    String missing = missingService(key, e.getValue());
                    if (missing != null) {
                        st.warnings.add("zoo.cfg key " + key + "=" + e.getValue() + " ignored: " + missing);
                    } else {
                        LOG.info("zoo.cfg key {} ignored: not supported by Paddock", key);
                    }
                } else {
                    st.warnings.add("Unknown configuration key '" + key + "' (value '" + e.getValue() + "') is ignored");
                }
            }
        }

        /**
         * What a user who set {@code key} expects to reach and Paddock does not serve (logged as a
         * warning, so that a probe or a scrape that then fails is explained), or null.
         */
        private static String missingService(String key, String value) {
            if (key.startsWith("admin.") && !(key.equals("admin.enableServer") && value.equalsIgnoreCase("false"))) {
                return "Paddock has no AdminServer (ZooKeeper's HTTP /commands/...); the four-letter words"
                        + " (srvr, mntr, conf, ...) on the client port give the same facts";
            }
            if (key.startsWith("metricsProvider.")) {
                return "Paddock has no metrics provider (no Prometheus endpoint); mntr on the client port gives"
                        + " the metrics";
            }
            return null;
        }

        private static boolean isEnsembleKey(String key) {
            return ENSEMBLE_KEYS.contains(key) || ENSEMBLE_PREFIXES.stream().anyMatch(key::startsWith);
        }

        private static boolean isUnsupportedKey(String key) {
            return UNSUPPORTED_KEYS.contains(key) || UNSUPPORTED_PREFIXES.stream().anyMatch(key::startsWith);
        }

        private String take(String key) {
            return remaining.remove(key);
        }

        private int readInt(String key, int defaultValue, int min, boolean decode) {
            String v = take(key);
            if (v == null) {
                return defaultValue;
            }
            int n = parseInt(key, v, decode);
            if (n < min) {
                throw ConfigException.badValue(key, v, "must be at least " + min);
            }
            return n;
        }

        private long readLong(String key, long defaultValue, long min) {
            String v = take(key);
            if (v == null) {
                return defaultValue;
            }
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw ConfigException.badValue(key, v, "not an integer");
            }
            if (n < min) {
                throw ConfigException.badValue(key, v, "must be at least " + min);
            }
            return n;
        }

        private boolean readBoolean(String key, boolean defaultValue) {
            String v = take(key);
            if (v == null) {
                return defaultValue;
            }
            if (v.equalsIgnoreCase("true")) {
                return true;
            }
            if (v.equalsIgnoreCase("false")) {
                return false;
            }
            throw ConfigException.badValue(key, v, "expected true or false");
        }

        private boolean readYesNo(String key, boolean defaultValue) {
            String v = take(key);
            if (v == null) {
                return defaultValue;
            }
            if (v.equalsIgnoreCase("yes")) {
                return true;
            }
            if (v.equalsIgnoreCase("no")) {
                return false;
            }
            throw ConfigException.badValue(key, v, "expected yes or no");
        }

        /** {@code decode}: also accept 0x.. and # hex and 0.. octal, as Integer.getInteger does. */
        private static int parseInt(String key, String v, boolean decode) {
            try {
                return decode ? Integer.decode(v) : Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw ConfigException.badValue(key, v, "not an integer");
            }
        }

        static int checkPort(String key, String shown, int port) {
            if (port < 0 || port > 65535) {
                throw ConfigException.badValue(key, shown, "a port must be between 0 and 65535");
            }
            return port;
        }
    }
}
