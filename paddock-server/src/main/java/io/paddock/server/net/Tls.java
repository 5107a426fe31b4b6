package io.paddock.server.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS configured with ZooKeeper's keys: for clients ({@code ssl.keyStore.location} and the rest, in
 * zoo.cfg or as {@code -Dzookeeper.ssl.*}), served on {@code secureClientPort} and, with
 * {@code client.portUnification=true}, on clientPort next to plain connections; and between the
 * servers ({@code ssl.quorum.*}, ZooKeeper's QuorumX509Util), where a server both accepts and opens
 * connections ({@link #createForQuorum}). {@link Settings#prefix} says which keys.
 *
 * <p>As ZooKeeper 3.9's X509Util: store types JKS, PKCS12 and PEM, from {@code *.type} or the file
 * name ({@code .jks}, {@code .p12}, {@code .pem}); a password from {@code *.password} or the file
 * {@code *.passwordPath} names (one trailing line separator dropped); no trust store means the JVM's
 * default CAs; {@code ssl.clientAuth} none, want or need (the default); {@code ssl.protocol}
 * (default TLSv1.3 where the JVM has it), for clients the only one enabled unless
 * {@code ssl.enabledProtocols} lists more (between servers the JVM's defaults for it), {@code ssl.crl} and {@code ssl.ocsp} (revocation checks of client certificates, as
 * ZooKeeper 3.9 sets them up: an explicit PKIX revocation checker, no JVM-wide property), and
 * {@code ssl.ciphersuites} (default:
 * ZooKeeper's list of ECDHE GCM, then CBC, then TLSv1.3 suites, those the JVM supports).
 *
 * <p>Host names are not checked here: the quorum transport checks them after the handshake (see
 * {@link PeerNames}) where {@link Settings#verifyServerHostname} or {@link
 * Settings#verifyClientHostname} say so, which ZooKeeper 3.9 does only with {@code fips-mode=false}:
 * in its default FIPS mode it checks the certificate chain alone.
 */
public final class Tls {
    /** ZooKeeper's default cipher suites on Java 9 and later, in its order of preference. */
    private static final List<String> DEFAULT_CIPHERS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256");
    public static final int DEFAULT_HANDSHAKE_DETECTION_TIMEOUT_MS = 5000;

    static {
        // As ZooKeeper's X509Util: a client may not ask for a renegotiation (TLSv1.2), each of which
        // costs the server a handshake. Read by the JDK when its TLS classes load, so set before.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    /** Whether and how a client must show a certificate. */
    public enum Auth {
        NONE(ClientAuth.NONE), WANT(ClientAuth.OPTIONAL), NEED(ClientAuth.REQUIRE);

        private final ClientAuth netty;

        Auth(ClientAuth netty) {
            this.netty = netty;
        }

        /** ZooKeeper's reading: empty or unset is NEED; otherwise the name in any case. */
        public static Auth parse(String value) {
            if (value == null || value.isEmpty()) {
                return NEED;
            }
            return Auth.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * The settings as configured (nothing read from disk yet). Null for what is not set;
     * {@code enabledProtocols} and {@code cipherSuites} null for the defaults.
     */
    public record Settings(String prefix, String keyStoreLocation, String keyStorePassword, String keyStorePasswordPath,
                           String keyStoreType, String trustStoreLocation, String trustStorePassword,
                           String trustStorePasswordPath, String trustStoreType, String protocol,
                           List<String> enabledProtocols, List<String> cipherSuites, Auth clientAuth,
                           int handshakeDetectionTimeoutMs, boolean x509Auth, String x509SuperUser,
                           boolean crl, boolean ocsp, boolean certReload, boolean verifyServerHostname,
                           boolean verifyClientHostname, boolean reverseDnsLookup) {
        /** The prefix of the client port's keys. */
        public static final String CLIENT = "ssl.";
        /** The prefix of the keys for TLS between servers. */
        public static final String QUORUM = "ssl.quorum.";

        /** "client TLS" or "quorum TLS", for log lines. */
        String label() {
            return prefix.equals(QUORUM) ? "quorum TLS" : "client TLS";
        }
    }

    /** The identities a connection's TLS handshake proved (its certificate's x509 ids), for its ConnectRequest. */
    public static final io.netty.util.AttributeKey<List<io.paddock.core.wire.Id>> TRANSPORT_IDS =
            io.netty.util.AttributeKey.valueOf("paddock.transportIds");

    /** A configuration that cannot make a TLS context (a store that does not read, a bad type): the message says which. */
    public static final class TlsConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TlsConfigException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Replaced by {@link #reload}; each new connection takes the one current then. */
    private volatile SslContext context;
    /** For the connections this server opens (quorum TLS only, else null); replaced with {@link #context}. */
    private volatile SslContext connectingContext;
    private final Settings settings;
    private final boolean connects;

    private Tls(Settings settings, boolean connects) {
        this.settings = settings;
        this.connects = connects;
    }

    /**
     * What a finished handshake proves, as ZooKeeper's NettyServerCnxnFactory and
     * X509AuthenticationProvider decide it: nothing when no certificate was asked for or none was
     * shown (want); else the certificate's subject (RFC 2253, {@code getName()}) as an {@code x509}
     * id, preceded by a {@code super} id when it is {@code X509AuthenticationProvider.superUser}.
     * Null when the connection must close: a certificate shown to a server without
     * {@code authProvider.x509} (ZooKeeper finds no provider for it) or without a trust store (its
     * provider has no trust manager to check it with); the reason is in {@code why[0]}.
     */
    public List<io.paddock.core.wire.Id> provedIds(javax.net.ssl.SSLEngine engine, String[] why) {
        if (!engine.getNeedClientAuth() && !engine.getWantClientAuth()) {
            return List.of();
        }
        java.security.cert.Certificate[] chain;
        try {
            chain = engine.getSession().getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return List.of(); // want, and none shown (need fails the handshake itself)
        }
        if (!settings.x509Auth()) {
            why[0] = "it showed a client certificate, and authProvider.x509 is not set (ZooKeeper closes such"
                    + " connections too: set authProvider.x509=" + X509_PROVIDER + ")";
            return null;
        }
        if (settings.trustStoreLocation() == null || settings.trustStoreLocation().isEmpty()) {
            why[0] = "it showed a client certificate, and no ssl.trustStore.location is set to check it against"
                    + " (ZooKeeper's X509AuthenticationProvider refuses it too)";
            return null;
        }
        if (!(chain[0] instanceof java.security.cert.X509Certificate cert)) {
            why[0] = "its certificate is not X.509";
            return null;
        }
        String subject = cert.getSubjectX500Principal().getName();
        io.paddock.core.wire.Id x509 = new io.paddock.core.wire.Id("x509", subject);
        return subject.equals(settings.x509SuperUser())
                ? List.of(new io.paddock.core.wire.Id("super", subject), x509) : List.of(x509);
    }

    /** The class zoo.cfg names in {@code authProvider.N} for certificate authentication. */
    public static final String X509_PROVIDER = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";

    public SslContext context() {
        return context;
    }

    /**
     * A TLS handler for a connection this server accepted from {@code peer}.
     *
     * <p>The handshake's certificate checks run on the connection's event loop: Netty 4.1.130's
     * delegated-task executor left one TLSv1.3 handshake in two hanging between two of these
     * servers, with nothing logged (Netty's open pull request 14411 describes such a stall). With
     * {@code crl}/{@code ocsp} on, fetching a CRL or an OCSP answer happens there too.
     */
    public io.netty.handler.ssl.SslHandler acceptingHandler(io.netty.buffer.ByteBufAllocator alloc,
            java.net.InetSocketAddress peer) {
        return context.newHandler(alloc, peer.getAddress().getHostAddress(), peer.getPort());
    }

    /** A TLS handler for a connection this server opens to {@code host} (see {@link #acceptingHandler}). */
    public io.netty.handler.ssl.SslHandler connectingHandler(io.netty.buffer.ByteBufAllocator alloc, String host,
            int port) {
        if (connectingContext == null) {
            throw new IllegalStateException("this TLS context only accepts connections");
        }
        return connectingContext.newHandler(alloc, host, port);
    }

    public Settings settings() {
        return settings;
    }

    public Auth clientAuth() {
        return settings.clientAuth();
    }

    /** Reads the stores and builds the server's TLS context; throws {@link TlsConfigException} naming what failed. */
    public static Tls create(Settings s) {
        return created(new Tls(s, false));
    }

    /** As {@link #create}, with a context for the connections this server opens to the others too. */
    public static Tls createForQuorum(Settings s) {
        return created(new Tls(s, true));
    }

    private static Tls created(Tls tls) {
        List<StoreState> states = tls.storeStates();
        tls.build();
        tls.loaded = states;
        return tls;
    }

    /**
     * Both contexts from the stores as they are now, each store read once for both, or neither
     * (the exception says why). One at a time: the start's check and the watch may both reload.
     */
    private synchronized void build() {
        KeyMaterial keys = keyMaterial(settings);
        TrustManagerFactory trust = trustManager(settings);
        SslContext accepting = buildContext(settings, keys, trust, false);
        SslContext connecting = connects ? buildContext(settings, keys, trust, true) : null;
        context = accepting;
        connectingContext = connecting;
    }

    /**
     * What was read of each store: its real path (a Kubernetes secret's {@code ..data} symlink swap
     * changes it), size and modification time; an unreadable one is all nulls.
     */
    private record StoreState(Path real, long size, long modified) {}

    /** The stores' states when their context was read. */
    private volatile List<StoreState> loaded;

    /** The files the context is read from: the stores and their password files, where set. */
    private List<Path> storeFiles() {
        List<Path> files = new ArrayList<>();
        for (String location : new String[] {settings.keyStoreLocation(), settings.trustStoreLocation(),
                settings.keyStorePasswordPath(), settings.trustStorePasswordPath()}) {
            if (location != null && !location.isEmpty()) {
                files.add(Path.of(location).toAbsolutePath());
            }
        }
        return files;
    }

    private List<StoreState> storeStates() {
        List<StoreState> states = new ArrayList<>();
        for (Path location : storeFiles()) {
            try {
                Path real = location.toRealPath();
                java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(real,
                        java.nio.file.attribute.BasicFileAttributes.class);
                states.add(new StoreState(real, a.size(), a.lastModifiedTime().toMillis()));
            } catch (IOException | RuntimeException e) {
                states.add(new StoreState(null, -1, -1));
            }
        }
        return states;
    }

    /**
     * Reads the stores again (client.certReload, sslQuorumReloadCertFiles): new connections get the
     * new contexts, those open keep theirs. A store that does not read now keeps the context there was, with a log line.
     */
    public synchronized boolean reload() {
        List<StoreState> now = storeStates(); // before reading: a change while reading is seen next time
        try {
            build();
            loaded = now;
            LOG.info("{}: read the key and trust stores again ({}, {})", settings.label(), settings.keyStoreLocation(),
                    settings.trustStoreLocation());
            return true;
        } catch (TlsConfigException e) {
            LOG.warn("{}: keeping the stores read before: {}", settings.label(), e.getMessage());
            return false;
        }
    }

    /** {@link #reload} when a store (or a password file) is not what was read. */
    private synchronized void reloadIfChanged() {
        if (!storeStates().equals(loaded)) {
            reload();
        }
    }

    /**
     * Watches the directories of the key and trust stores (ZooKeeper's client.certReload and
     * sslQuorumReloadCertFiles, its FileChangeWatcher): after any change there, a store whose real path, size or time differs
     * from what was read makes both be read again ({@link #reload}), so a file replaced in place, one
     * moved into place and a Kubernetes secret's symlink swap are all seen. Checked once at once too:
     * a store replaced while the server started. A failure to read is logged and the watch goes on;
     * a directory that goes away ends its watch with a log line. Closing the result stops it.
     */
    public java.io.Closeable watchStores() throws IOException {
        java.nio.file.WatchService watcher = java.nio.file.FileSystems.getDefault().newWatchService();
        int[] watching = {0};
        try {
            java.util.Set<Path> dirs = new java.util.HashSet<>();
            for (Path file : storeFiles()) {
                Path dir = file.getParent();
                if (dir != null && dirs.add(dir)) {
                    dir.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                            java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY,
                            java.nio.file.StandardWatchEventKinds.ENTRY_DELETE);
                    watching[0]++;
                }
            }
        } catch (IOException | RuntimeException e) {
            watcher.close();
            throw e;
        }
        Thread thread = new Thread(() -> {
            try {
                while (watching[0] > 0) {
                    java.nio.file.WatchKey key = watcher.take();
                    key.pollEvents();
                    if (!key.reset()) {
                        watching[0]--;
                        LOG.error("{}: stopped watching {} for new stores: it is gone", settings.label(),
                                key.watchable());
                    }
                    try {
                        reloadIfChanged();
                    } catch (Throwable t) { // a bug must not end the watch without a word
                        LOG.error("{}: reading the stores again failed", settings.label(), t);
                    }
                }
            } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                // closed: the server is stopping
            }
        }, settings.prefix().equals(Settings.QUORUM) ? "paddock-quorum-tls-reload" : "paddock-client-tls-reload");
        thread.setDaemon(true);
        thread.start();
        reloadIfChanged(); // replaced between the first read and the watch
        return watcher;
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tls.class);

    /**
     * The context for accepted connections, or ({@code connecting}) for those this server opens.
     * Not configured, the cipher suites are ZooKeeper's list (X509Util.getDefaultCipherSuites) and
     * the protocols ZooKeeper's defaults: for clients (ClientX509Util) {@code protocol} alone;
     * between servers (QuorumX509Util's SSL sockets, SSLContextAndOptions) the JVM's defaults for a
     * context of {@code protocol} (TLSv1.3 and TLSv1.2 for TLSv1.3).
     */
    private static SslContext buildContext(Settings s, KeyMaterial keys, TrustManagerFactory trust, boolean connecting) {
        String protocol = s.protocol() == null || s.protocol().isEmpty() ? defaultProtocol() : s.protocol();
        boolean quorum = s.prefix().equals(Settings.QUORUM);
        List<String> protocols;
        try {
            SSLContext jvm = SSLContext.getInstance(protocol);
            if (s.enabledProtocols() != null) {
                protocols = s.enabledProtocols();
            } else if (quorum) {
                jvm.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null); // no stores read
                protocols = List.of(jvm.getDefaultSSLParameters().getProtocols());
            } else {
                protocols = List.of(protocol);
            }
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(s.prefix() + "protocol=" + protocol + ": " + e.getMessage(), e);
        }
        List<String> ciphers = s.cipherSuites() != null ? s.cipherSuites() : supported(DEFAULT_CIPHERS);
        SslContextBuilder builder = keys.builder(connecting);
        if (trust != null) {
            builder.trustManager(trust);
        }
        builder.sslProvider(SslProvider.JDK).protocols(protocols).ciphers(ciphers);
        if (!connecting) {
            builder.clientAuth(s.clientAuth().netty);
        }
        try {
            return builder.build();
        } catch (IOException | RuntimeException e) {
            throw new TlsConfigException("cannot make the " + s.label() + " context (" + s.prefix() + "protocol=" + protocol
                    + ", " + s.prefix() + "enabledProtocols=" + protocols + ", " + s.prefix() + "ciphersuites=" + ciphers
                    + "): " + e.getMessage(), e);
        }
    }

    /** TLSv1.3 where the JVM has it, else TLSv1.2 (ZooKeeper's X509Util.DEFAULT_PROTOCOL). */
    static String defaultProtocol() {
        try {
            String[] supported = SSLContext.getDefault().getSupportedSSLParameters().getProtocols();
            return Arrays.asList(supported).contains("TLSv1.3") ? "TLSv1.3" : "TLSv1.2";
        } catch (GeneralSecurityException e) {
            return "TLSv1.2";
        }
    }

    private static List<String> supported(List<String> ciphers) {
        List<String> jvm = Arrays.asList(((SSLServerSocketFactory) SSLServerSocketFactory.getDefault()).getSupportedCipherSuites());
        List<String> out = new ArrayList<>();
        for (String c : ciphers) {
            if (jvm.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The key store as read once: a PEM file's bytes, or a key manager factory. */
    private record KeyMaterial(byte[] pem, String pemPassword, KeyManagerFactory factory) {
        SslContextBuilder builder(boolean connecting) {
            if (factory != null) {
                return connecting ? SslContextBuilder.forClient().keyManager(factory) : SslContextBuilder.forServer(factory);
            }
            java.io.ByteArrayInputStream chain = new java.io.ByteArrayInputStream(pem);
            java.io.ByteArrayInputStream key = new java.io.ByteArrayInputStream(pem);
            return connecting ? SslContextBuilder.forClient().keyManager(chain, key, pemPassword)
                    : SslContextBuilder.forServer(chain, key, pemPassword);
        }
    }

    private static KeyMaterial keyMaterial(Settings s) {
        String location = s.keyStoreLocation();
        String key = s.prefix() + "keyStore";
        if (location == null || location.isEmpty()) {
            throw new TlsConfigException(key + ".location is not set: a TLS server needs its certificate and key", null);
        }
        String password = password(s.keyStorePassword(), s.keyStorePasswordPath(), key + ".passwordPath");
        String type = storeType(s.keyStoreType(), location, key);
        try {
            if (type.equals("PEM")) {
                KeyMaterial pem = new KeyMaterial(Files.readAllBytes(Path.of(location)), password.isEmpty() ? null : password,
                        null);
                pem.builder(false); // reads the key and certificates now, so that a bad file names itself here
                return pem;
            }
            KeyStore store = load(location, password, type);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX"); // ZooKeeper's: the valid certificate of several
            kmf.init(store, password.toCharArray());
            return new KeyMaterial(null, null, kmf);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new TlsConfigException("cannot read the key store " + key + ".location=" + location + " (type " + type
                    + "): " + e.getMessage(), e);
        }
    }

    /** The trust store's PKIX trust managers, or null for the JVM's default CAs (no trust store, as ZooKeeper). */
    private static TrustManagerFactory trustManager(Settings s) {
        String location = s.trustStoreLocation();
        if (location == null || location.isEmpty()) {
            return null;
        }
        String key = s.prefix() + "trustStore";
        String password = password(s.trustStorePassword(), s.trustStorePasswordPath(), key + ".passwordPath");
        String type = storeType(s.trustStoreType(), location, key);
        try {
            KeyStore store = type.equals("PEM") ? loadPemCertificates(location) : load(location, password, type);
            // ZooKeeper 3.9's X509Util.createTrustManager: PKIX parameters of our own, with an explicit
            // revocation checker for ssl.crl / ssl.ocsp (CRLs from the certificates' distribution
            // points; OCSP first where ssl.ocsp, CRLs only and no fallback otherwise; end entity only
            // where the JVM's com.sun.security.onlyCheckRevocationOfEECert says so), and none at all
            // otherwise, whatever JVM-wide revocation flags are set. Nothing JVM-wide is written.
            java.security.cert.PKIXBuilderParameters pkix =
                    new java.security.cert.PKIXBuilderParameters(store, new java.security.cert.X509CertSelector());
            if (s.crl() || s.ocsp()) {
                java.util.Set<java.security.cert.PKIXRevocationChecker.Option> options = new java.util.HashSet<>();
                if (!s.ocsp()) {
                    options.add(java.security.cert.PKIXRevocationChecker.Option.NO_FALLBACK);
                    options.add(java.security.cert.PKIXRevocationChecker.Option.PREFER_CRLS);
                }
                if (Boolean.parseBoolean(java.security.Security.getProperty("com.sun.security.onlyCheckRevocationOfEECert"))) {
                    options.add(java.security.cert.PKIXRevocationChecker.Option.ONLY_END_ENTITY);
                }
                java.security.cert.PKIXRevocationChecker checker = (java.security.cert.PKIXRevocationChecker)
                        java.security.cert.CertPathValidator.getInstance("PKIX").getRevocationChecker();
                checker.setOptions(options);
                pkix.addCertPathChecker(checker);
            } else {
                pkix.setRevocationEnabled(false);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new javax.net.ssl.CertPathTrustManagerParameters(pkix));
            return tmf;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new TlsConfigException("cannot read the trust store " + key + ".location=" + location + " (type " + type
                    + "): " + e.getMessage(), e);
        }
    }

    /** A PEM trust store: every certificate in the file, in a key store of its own. */
    private static KeyStore loadPemCertificates(String location) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        java.security.cert.CertificateFactory x509 = java.security.cert.CertificateFactory.getInstance("X.509");
        int n = 0;
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            for (java.security.cert.Certificate cert : x509.generateCertificates(in)) {
                store.setCertificateEntry("cert-" + n++, cert);
            }
        }
        if (n == 0) {
            throw new GeneralSecurityException("no certificate in it");
        }
        return store;
    }

    private static KeyStore load(String location, String password, String type) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password.isEmpty() ? null : password.toCharArray());
        }
        return store;
    }

    /** The password, from the file {@code path} names where set (ZooKeeper's SecretUtils.readSecret). */
    private static String password(String value, String path, String pathKey) {
        if (path != null && !path.isEmpty()) {
            try {
                String secret = Files.readString(Path.of(path), StandardCharsets.UTF_8);
                String eol = System.lineSeparator();
                return secret.endsWith(eol) ? secret.substring(0, secret.length() - eol.length()) : secret;
            } catch (IOException | RuntimeException e) {
                throw new TlsConfigException("cannot read " + pathKey + "=" + path + ": " + e, e);
            }
        }
        return value == null ? "" : value;
    }

    /** JKS, PKCS12 or PEM: the type set, else by the file's extension, as ZooKeeper's KeyStoreFileType. */
    static String storeType(String configured, String location, String keyPrefix) {
        String type;
        if (configured != null && !configured.isEmpty()) {
            type = configured.toUpperCase(Locale.ROOT);
        } else {
            int dot = location.lastIndexOf('.');
            String extension = dot < 0 ? "" : location.substring(dot);
            type = switch (extension) {
                case ".jks" -> "JKS";
                case ".pem" -> "PEM";
                case ".p12" -> "PKCS12";
                case ".bcfks" -> "BCFKS";
                default -> throw new TlsConfigException("cannot tell the type of " + keyPrefix + ".location=" + location
                        + " from its name (.jks, .p12, .pem): set " + keyPrefix + ".type", null);
            };
        }
        if (!type.equals("JKS") && !type.equals("PKCS12") && !type.equals("PEM")) {
            throw new TlsConfigException(keyPrefix + ".type " + type + " is not supported (JKS, PKCS12, PEM"
                    + (type.equals("BCFKS") ? "; BCFKS needs the BouncyCastle FIPS provider, which Paddock does not ship" : "")
                    + ")", null);
        }
        return type;
    }
}
