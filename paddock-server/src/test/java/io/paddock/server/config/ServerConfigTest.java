package io.paddock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.QuorumServer;
import io.paddock.server.ServerConfig;
import io.paddock.server.ServerConfig.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that zoo.cfg is read as ZooKeeper reads it: ZooKeeper's defaults when a key is absent,
 * every supported key taken into account, session timeouts resolved from tickTime, unknown keys
 * warned about (not fatal), known-but-unsupported keys kept quietly, and that the test-only
 * copies and {@code asMap()} behave.
 */
class ServerConfigTest {

    static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    static ServerConfig parse(String... keyValues) {
        return ServerConfig.fromProperties(props(keyValues));
    }

    /**
     * ZooKeeper reads these as JVM system properties, set with -D in SERVER_JVMFLAGS or JVMFLAGS,
     * which bin/paddock passes to the server's JVM as zkServer.sh does: the same flags give the
     * same settings; zoo.cfg, where it sets one, wins (ZooKeeper copies its zookeeper.* keys over
     * the properties).
     */
    @Test
    void settingsZooKeeperReadsAsSystemPropertiesComeFromTheJvmFlags(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("zoo.cfg");
        java.nio.file.Files.writeString(cfg, "dataDir=" + dir + "\nsnapCount=5000\n");
        Properties jvm = props("jute.maxbuffer", "4194304", "zookeeper.4lw.commands.whitelist", "ruok, mntr",
                "zookeeper.extendedTypesEnabled", "true", "zookeeper.snapCount", "1000", "zookeeper.forceSync", "no",
                "zookeeper.enforceQuota", "true", "zookeeper.ssl.keyStore.location", "/k.p12",
                "zookeeper.client.portUnification", "true", "zookeeper.ssl.clientAuth", "want",
                "zookeeper.ssl.ciphersuites", "TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384", "unrelated.property", "x");
        ServerConfig c = ServerConfig.load(cfg, jvm);
        assertEquals("/k.p12", c.clientTls().keyStoreLocation());
        assertTrue(c.portUnification());
        assertEquals(io.paddock.server.net.Tls.Auth.WANT, c.clientTls().clientAuth());
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"), c.clientTls().cipherSuites());
        assertTrue(c.enforceQuota());
        assertFalse(ServerConfig.load(cfg).enforceQuota(), "ZooKeeper's default");
        assertEquals(4194304, c.juteMaxBuffer());
        assertEquals(java.util.Set.of("ruok", "mntr", "srvr"), c.fourLetterWordWhitelist()); // srvr always, as in ZooKeeper
        assertTrue(c.extendedTypesEnabled());
        assertEquals(5000, c.snapCount(), "zoo.cfg wins");
        assertFalse(c.forceSync());
        ServerConfig plain = ServerConfig.load(cfg);
        assertEquals(0xfffff, plain.juteMaxBuffer(), "without the JVM's properties, ZooKeeper's default");
    }

    /**
     * The values as ZooKeeper reads them: a value it would take for its default never stops the
     * start; jute.maxbuffer, which ZooKeeper reads only as a property, wins over zoo.cfg's key.
     */
    @Test
    void systemPropertiesAreReadAsZooKeeperReadsThem(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("zoo.cfg");
        java.nio.file.Files.writeString(cfg, "dataDir=" + dir + "\njute.maxbuffer=1048575\n");
        ServerConfig c = ServerConfig.load(cfg, props("jute.maxbuffer", "0x400000", "zookeeper.forceSync", "NO",
                "zookeeper.extendedTypesEnabled", "yes", "zookeeper.snapCount", "lots",
                "zookeeper.electionPortBindRetry", "-1", "zookeeper.enforceQuota", "on"));
        assertFalse(c.enforceQuota(), "Boolean.parseBoolean: only 'true'");
        assertEquals(0x400000, c.juteMaxBuffer(), "the property wins: ZooKeeper never reads zoo.cfg's key");
        assertTrue(c.forceSync(), "only exactly 'no' turns it off in ZooKeeper");
        assertFalse(c.extendedTypesEnabled(), "Boolean.getBoolean: only 'true'");
        assertEquals(ServerConfig.fromProperties(props("dataDir", dir.toString())).snapCount(), c.snapCount(),
                "not a number: ZooKeeper's default");
    }

    @Test
    void absentKeysTakeZooKeepersDefaults() {
        ServerConfig c = parse("dataDir", "/var/zk");
        assertEquals(3000, c.tickTime());
        assertEquals(Path.of("/var/zk"), c.dataDir());
        assertEquals(Path.of("/var/zk"), c.dataLogDir());
        assertEquals(2181, c.clientPort());
        assertNull(c.clientPortAddress());
        assertEquals(60, c.maxClientCnxns());
        assertEquals(6000, c.minSessionTimeout());
        assertEquals(60000, c.maxSessionTimeout());
        assertEquals(Set.of("srvr"), c.fourLetterWordWhitelist());
        assertFalse(c.extendedTypesEnabled());
        assertEquals(0xfffff, c.juteMaxBuffer());
        assertNull(c.superDigest());
        assertEquals(60000, c.containerCheckIntervalMs());
        assertEquals(10000, c.containerMaxPerMinute());
        assertEquals(1000, c.globalOutstandingLimit());
        assertEquals(1000, c.maxOutstandingRequestsPerConnection());
        assertEquals(10000, c.handshakeTimeoutMs());
        assertEquals(100000, c.snapCount());
        assertTrue(c.forceSync());
        assertEquals(65536, c.preAllocSizeKb());
        assertEquals(3, c.snapRetainCount());
        assertEquals(0, c.purgeIntervalHours());
        assertEquals(List.of(), c.warnings());
        assertTrue(c.ignoredKeys().isEmpty());
    }

    @Test
    void defaultsAreZooSampleCfgOnLoopback() {
        ServerConfig c = ServerConfig.defaults();
        assertEquals("127.0.0.1", c.clientPortAddress());
        assertEquals(2181, c.clientPort());
        assertEquals(2000, c.tickTime());
        assertEquals(Path.of("./data"), c.dataDir());
        assertEquals(4000, c.minSessionTimeout());
        assertEquals(40000, c.maxSessionTimeout());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void everySupportedKeyIsRead() {
        ServerConfig c = parse(
            "tickTime", "1000", "dataDir", "/d", "dataLogDir", "/l", "clientPort", "0",
            "clientPortAddress", "::1", "maxClientCnxns", "0", "minSessionTimeout", "3000",
            "maxSessionTimeout", "90000", "4lw.commands.whitelist", "ruok", "extendedTypesEnabled", "TRUE",
            "jute.maxbuffer", "4194304", "DigestAuthenticationProvider.superDigest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU=",
            "znode.container.checkIntervalMs", "1000", "znode.container.maxPerMinute", "5",
            "globalOutstandingLimit", "2000", "maxOutstandingRequestsPerConnection", "50",
            "handshakeTimeoutMs", "3000", "snapCount", "5000", "forceSync", "no", "preAllocSize", "1024",
            "autopurge.snapRetainCount", "7", "autopurge.purgeInterval", "24");
        assertEquals(1000, c.tickTime());
        assertEquals(Path.of("/d"), c.dataDir());
        assertEquals(Path.of("/l"), c.dataLogDir());
        assertEquals(0, c.clientPort());
        assertEquals("::1", c.clientPortAddress());
        assertEquals(0, c.maxClientCnxns());
        assertEquals(3000, c.minSessionTimeout());
        assertEquals(90000, c.maxSessionTimeout());
        assertEquals(Set.of("ruok", "srvr"), c.fourLetterWordWhitelist());
        assertTrue(c.extendedTypesEnabled());
        assertEquals(4194304, c.juteMaxBuffer());
        assertEquals("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", c.superDigest());
        assertEquals(1000, c.containerCheckIntervalMs());
        assertEquals(5, c.containerMaxPerMinute());
        assertEquals(2000, c.globalOutstandingLimit());
        assertEquals(50, c.maxOutstandingRequestsPerConnection());
        assertEquals(3000, c.handshakeTimeoutMs());
        assertEquals(5000, c.snapCount());
        assertFalse(c.forceSync());
        assertEquals(1024, c.preAllocSizeKb());
        assertEquals(7, c.snapRetainCount());
        assertEquals(24, c.purgeIntervalHours());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void sessionTimeoutsResolveFromTickTime() {
        ServerConfig explicitDefault = parse("dataDir", "/d", "tickTime", "500",
            "minSessionTimeout", "-1", "maxSessionTimeout", "-1");
        assertEquals(1000, explicitDefault.minSessionTimeout());
        assertEquals(10000, explicitDefault.maxSessionTimeout());

        ServerConfig onlyMin = parse("dataDir", "/d", "tickTime", "500", "minSessionTimeout", "7000");
        assertEquals(7000, onlyMin.minSessionTimeout());
        assertEquals(10000, onlyMin.maxSessionTimeout());
    }

    @Test
    void minAboveMaxNamesTheKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("dataDir", "/d",
            "minSessionTimeout", "50000", "maxSessionTimeout", "40000"));
        assertTrue(e.getMessage().contains("minSessionTimeout"), e.getMessage());
        assertTrue(e.getMessage().contains("50000"), e.getMessage());
        assertTrue(e.getMessage().contains("40000"), e.getMessage());

        // the max here is the resolved default, 20 x 3000
        ConfigException implicitMax = assertThrows(ConfigException.class,
            () -> parse("dataDir", "/d", "minSessionTimeout", "70000"));
        assertTrue(implicitMax.getMessage().contains("60000"), implicitMax.getMessage());
    }

    @Test
    void unknownKeyWarnsAndNamesIt() {
        ServerConfig c = parse("dataDir", "/d", "tickTme", "2000", "zookeeper.snapCount", "10");
        assertEquals(2, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("'tickTme'"), c.warnings().toString());
        assertTrue(c.warnings().get(1).contains("'zookeeper.snapCount'"), c.warnings().toString());
        assertEquals(3000, c.tickTime());
    }

    /**
     * SASL between the servers, read as ZooKeeper's QuorumPeerConfig reads it: booleans strictly,
     * a require key without what it needs refused as there; the same keys as JVM flags are ignored
     * (ZooKeeper reads them from zoo.cfg only), as is -Dzookeeper.sslQuorum.
     */
    @Test
    void quorumSaslSettingsAreReadAsZooKeeperReadsThem() {
        assertEquals(io.paddock.server.quorum.QuorumSasl.Settings.OFF, ensemble().quorumSasl());
        io.paddock.server.quorum.QuorumSasl.Settings on = ensemble("quorum.auth.enableSasl", "true",
                "quorum.auth.learnerRequireSasl", "TRUE", "quorum.auth.serverRequireSasl", "true",
                "quorum.auth.learner.saslLoginContext", "Learner", "quorum.auth.server.saslLoginContext", "Server2",
                "quorum.auth.kerberos.servicePrincipal", "zkquorum/_HOST", "quorum.cnxn.threads.size", "20").quorumSasl();
        assertEquals(new io.paddock.server.quorum.QuorumSasl.Settings(true, true, true, "Learner", "Server2"), on);
        for (String[] refused : new String[][] {
                {"quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.serverRequireSasl",
                    "quorum.auth.serverRequireSasl", "true"},
                {"quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.learnerRequireSasl",
                    "quorum.auth.learnerRequireSasl", "true"},
                {"quorum.auth.learnerRequireSasl is disabled, so cannot enable quorum.auth.serverRequireSasl",
                    "quorum.auth.enableSasl", "true", "quorum.auth.serverRequireSasl", "true"},
                {"quorum.auth.enableSasl", "quorum.auth.enableSasl", "yes"}}) {
            String[] keys = java.util.Arrays.copyOfRange(refused, 1, refused.length);
            ConfigException e = assertThrows(ConfigException.class, () -> ensemble(keys), String.join(" ", keys));
            assertTrue(e.getMessage().contains(refused[0]), e.getMessage());
        }
        Properties flags = new Properties();
        flags.setProperty("zookeeper.quorum.auth.enableSasl", "true");
        flags.setProperty("zookeeper.sslQuorum", "true");
        ServerConfig.refuseProtectionFlags(flags); // warned about, not refused
    }

    private static final String SASL_PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider";

    /**
     * SASL for clients and the enforcement of authentication, read as ZooKeeper 3.9 reads them
     * (from zoo.cfg, whose keys it makes zookeeper.* properties, or from -D flags): a required scheme
     * without its provider refuses the start as in ZooKeeper's AuthenticationHelper, and so do
     * settings Paddock cannot honour (rules of its own for Kerberos names, a class of one's own).
     */
    @Test
    void clientAuthenticationSettingsAreReadAsZooKeeperReadsThem(@TempDir Path dir) throws Exception {
        ServerConfig none = parse("dataDir", "/d");
        assertEquals(io.paddock.core.tree.AuthSchemes.NONE, none.authSchemes());
        assertEquals(java.util.Set.of(), none.requiredAuthSchemes());
        assertEquals(io.paddock.server.net.ClientSasl.Settings.DEFAULTS, none.clientSasl());

        ServerConfig sasl = parse("dataDir", "/d", "authProvider.1", SASL_PROVIDER, "sessionRequireClientSASLAuth", "true",
                "superUser", "admin", "superUser.2", "root", "sasl.serverconfig", "ZkServer",
                "SASLAuthenticationProvider.superPassword", "pw", "allowSaslFailedClients", "TRUE",
                "kerberos.removeHostFromPrincipal", "true", "kerberos.removeRealmFromPrincipal", "TRUE",
                "letAnySaslUserDoX", "anyone-sasl", "security.auth_to_local", "DEFAULT", "jaasLoginRenew", "3600000");
        assertEquals(new io.paddock.core.tree.AuthSchemes(false, true, "anyone-sasl"), sasl.authSchemes());
        assertEquals(java.util.Set.of("sasl"), sasl.requiredAuthSchemes());
        io.paddock.server.net.ClientSasl.Settings settings = sasl.clientSasl();
        assertEquals("ZkServer", settings.section());
        assertTrue(settings.sectionNamed());
        assertEquals(java.util.Set.of("admin", "root"), java.util.Set.copyOf(settings.superUsers()));
        assertEquals("pw", settings.superPassword());
        assertTrue(settings.allowFailedClients(), "Boolean.getBoolean: any case");
        assertTrue(settings.required());
        assertTrue(settings.removeHost());
        assertFalse(settings.removeRealm(), "ZooKeeper compares with \"true\" exactly");
        assertEquals(List.of(), sasl.warnings());

        assertEquals(java.util.Set.of("digest", "ip"),
                parse("dataDir", "/d", "enforce.auth.enabled", "true", "enforce.auth.schemes", "digest, ip")
                        .requiredAuthSchemes());
        assertEquals(java.util.Set.of(), parse("dataDir", "/d", "enforce.auth.enabled", "false",
                "enforce.auth.schemes", "sasl").requiredAuthSchemes(), "not enabled: nothing enforced or checked");
        // Each: the words the refusal must contain, then the keys.
        for (String[] refused : new String[][] {
                {"scheme sasl is not available", "sessionRequireClientSASLAuth", "true"},
                {"enforce.auth.schemes must be configured", "enforce.auth.enabled", "true"},
                {"scheme sasl is not available", "enforce.auth.enabled", "true", "enforce.auth.schemes", "sasl"},
                {"scheme x509 is not available", "enforce.auth.enabled", "true", "enforce.auth.schemes", "x509"},
                {"scheme kerberos is not available", "enforce.auth.enabled", "true", "enforce.auth.schemes", "kerberos"},
                {"authProvider.sasl=com.example.MySaslProvider", "authProvider.sasl", "com.example.MySaslProvider"},
                {"only the DEFAULT rule", "security.auth_to_local", "RULE:[1:$1@$0](.*@EXAMPLE.COM)s/@.*//"}}) {
            String[] keys = new String[refused.length + 1];
            keys[0] = "dataDir";
            keys[1] = "/d";
            System.arraycopy(refused, 1, keys, 2, refused.length - 1);
            ConfigException e = assertThrows(ConfigException.class, () -> parse(keys), String.join(" ", keys));
            assertTrue(e.getMessage().contains(refused[0]), e.getMessage());
        }

        // From the JVM flags too, as a ZooKeeper server started with them reads them.
        Path cfg = dir.resolve("zoo.cfg");
        java.nio.file.Files.writeString(cfg, "dataDir=" + dir + "\n");
        ServerConfig flags = ServerConfig.load(cfg, props("zookeeper.authProvider.sasl", SASL_PROVIDER,
                "zookeeper.enforce.auth.enabled", "true", "zookeeper.enforce.auth.schemes", "sasl,digest",
                "zookeeper.superUser.1", "admin", "zookeeper.kerberos.removeRealmFromPrincipal", "true"));
        assertTrue(flags.authSchemes().sasl());
        assertEquals(java.util.Set.of("sasl", "digest"), flags.requiredAuthSchemes());
        assertEquals(List.of("admin"), flags.clientSasl().superUsers());
        assertTrue(flags.clientSasl().removeRealm());
        assertTrue(flags.clientSasl().required());
    }

    private static final String[] ENSEMBLE = {"dataDir", "/d", "initLimit", "10", "syncLimit", "5",
            "server.1", "127.0.0.1:2888:3888", "server.2", "127.0.0.1:2889:3889", "server.3", "127.0.0.1:2890:3890"};

    private static ServerConfig ensemble(String... keyValues) {
        List<String> kv = new java.util.ArrayList<>(List.of(ENSEMBLE));
        kv.addAll(List.of(keyValues));
        return parse(kv.toArray(new String[0]));
    }

    @Test
    void tlsBetweenServersIsReadWithZooKeepersKeys(@TempDir Path dir) throws Exception {
        ServerConfig plain = ensemble();
        assertFalse(plain.sslQuorum() || plain.quorumPortUnification());
        ServerConfig tls = ensemble("sslQuorum", "true", "ssl.quorum.keyStore.location", "/q.p12",
                "ssl.quorum.trustStore.location", "/t.p12", "ssl.quorum.clientAuth", "want", "sslQuorumReloadCertFiles",
                "true", "ssl.keyStore.location", "/client.p12");
        assertTrue(tls.sslQuorum());
        assertFalse(tls.quorumPortUnification());
        assertEquals("/q.p12", tls.quorumTls().keyStoreLocation(), "ssl.quorum.*, apart from the client port's ssl.*");
        assertEquals("/client.p12", tls.clientTls().keyStoreLocation());
        assertEquals(io.paddock.server.net.Tls.Auth.WANT, tls.quorumTls().clientAuth());
        assertTrue(tls.quorumTls().certReload());
        assertEquals(List.of(), tls.warnings());
        assertTrue(tls.ignoredKeys().isEmpty(), tls.ignoredKeys().toString());
        // ZooKeeper 3.9's default FIPS mode checks the chain alone; out of it, both sides' names.
        assertFalse(tls.quorumTls().verifyServerHostname() || tls.quorumTls().verifyClientHostname());
        ServerConfig named = ensemble("sslQuorum", "true", "fips-mode", "false", "ssl.quorum.trustStore.location", "/t.p12");
        assertTrue(named.quorumTls().verifyServerHostname() && named.quorumTls().verifyClientHostname());
        ServerConfig noTrustStore = ensemble("sslQuorum", "true", "fips-mode", "false");
        assertFalse(noTrustStore.quorumTls().verifyServerHostname() || noTrustStore.quorumTls().verifyClientHostname(),
                "ZooKeeper's name-checking trust manager is made only with a trust store");
        assertTrue(named.quorumTls().reverseDnsLookup(), "QuorumX509Util allows reverse lookups");
        ServerConfig serversOnly = ensemble("sslQuorum", "true", "fips-mode", "false", "ssl.quorum.trustStore.location", "/t",
                "ssl.quorum.clientHostnameVerification", "false", "ssl.quorum.allowReverseDnsLookup", "no");
        assertTrue(serversOnly.quorumTls().verifyServerHostname());
        assertFalse(serversOnly.quorumTls().verifyClientHostname() || serversOnly.quorumTls().reverseDnsLookup());
        ServerConfig off = ensemble("sslQuorum", "true", "fips-mode", "false", "ssl.quorum.trustStore.location", "/t",
                "ssl.quorum.hostnameVerification", "false");
        assertFalse(off.quorumTls().verifyServerHostname() || off.quorumTls().verifyClientHostname(),
                "hostnameVerification=false turns both off");
        assertTrue(ensemble("portUnification", "true").quorumPortUnification());
        ConfigException supplier = assertThrows(ConfigException.class,
                () -> ensemble("sslQuorum", "true", "ssl.quorum.context.supplier.class", "com.example.Ctx"));
        assertTrue(supplier.getMessage().contains("ssl.quorum.context.supplier.class"), supplier.getMessage());
        // Standalone, ZooKeeper has no quorum connections to secure: taken, not refused (as it was before).
        ServerConfig alone = parse("dataDir", "/d", "sslQuorum", "true");
        assertFalse(alone.isEnsemble());
        assertEquals(List.of(), alone.warnings());
        // As ZooKeeper takes ssl.quorum.* and fips-mode: -Dzookeeper.* where zoo.cfg does not set them.
        Path cfg = dir.resolve("zoo.cfg");
        java.nio.file.Files.writeString(cfg, "dataDir=" + dir + "\ninitLimit=10\nsyncLimit=5\nsslQuorum=true\n"
                + "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nssl.quorum.clientAuth=none\n");
        ServerConfig flags = ServerConfig.load(cfg, props("zookeeper.ssl.quorum.keyStore.location", "/from-jvm.p12",
                "zookeeper.fips-mode", "false", "zookeeper.ssl.quorum.clientAuth", "need",
                "zookeeper.ssl.quorum.trustStore.location", "/t.p12"));
        assertEquals("/from-jvm.p12", flags.quorumTls().keyStoreLocation());
        assertTrue(flags.quorumTls().verifyServerHostname());
        assertEquals(io.paddock.server.net.Tls.Auth.NONE, flags.quorumTls().clientAuth(), "zoo.cfg wins");
    }

    @Test
    void tlsForClientsIsReadWithZooKeepersKeys() {
        ServerConfig none = parse("dataDir", "/d");
        assertFalse(none.clientTlsEnabled());
        assertEquals(-1, none.secureClientPort());
        assertEquals(io.paddock.server.net.Tls.Auth.NEED, none.clientTls().clientAuth(), "ZooKeeper's default");
        assertNull(none.clientTls().enabledProtocols(), "the protocol's defaults");

        ServerConfig secure = parse("dataDir", "/d", "secureClientPort", "2182", "secureClientPortAddress", "10.0.0.1",
                "ssl.keyStore.location", "/keys.jks", "ssl.keyStore.password", "pw", "ssl.trustStore.location", "/trust.pem",
                "ssl.clientAuth", "NONE", "ssl.enabledProtocols", "TLSv1.2", "ssl.protocol", "TLSv1.2",
                "ssl.handshakeDetectionTimeoutMillis", "0", "ssl.quorum.keyStore.location", "/q.jks");
        assertTrue(secure.clientTlsEnabled());
        assertEquals(2182, secure.secureClientPort());
        assertEquals("10.0.0.1", secure.secureClientPortAddress());
        assertFalse(secure.servesClientPort(), "no clientPort: TLS only, as in ZooKeeper (not 2181)");
        assertEquals(io.paddock.server.net.Tls.Auth.NONE, secure.clientTls().clientAuth());
        assertEquals(List.of("TLSv1.2"), secure.clientTls().enabledProtocols());
        assertEquals(io.paddock.server.net.Tls.DEFAULT_HANDSHAKE_DETECTION_TIMEOUT_MS,
                secure.clientTls().handshakeDetectionTimeoutMs());
        assertTrue(secure.warnings().get(0).contains("ssl.handshakeDetectionTimeoutMillis"), secure.warnings().toString());
        assertEquals("2182", secure.asMap().get("secureClientPort"));
        assertTrue(parse("dataDir", "/d", "secureClientPort", "2182", "clientPort", "2181").servesClientPort());

        ConfigException auth = assertThrows(ConfigException.class,
                () -> parse("dataDir", "/d", "secureClientPort", "2182", "ssl.clientAuth", "sometimes"));
        assertTrue(auth.getMessage().contains("ssl.clientAuth"), auth.getMessage());
        assertTrue(parse("dataDir", "/d", "client.portUnification", "true", "ssl.crl", "true").clientTls().crl());
        assertTrue(parse("dataDir", "/d", "client.portUnification", "true", "ssl.ocsp", "true").clientTls().ocsp());
        assertFalse(none.clientTls().crl() || none.clientTls().ocsp(), "ZooKeeper's defaults: no revocation checks");
        // Read as ZooKeeper's ZKConfig.getBoolean reads them: anything but "true" is false, never an error.
        assertFalse(parse("dataDir", "/d", "client.portUnification", "true", "ssl.crl", "yes").clientTls().crl());
        assertTrue(ensemble("sslQuorum", "true", "ssl.quorum.ocsp", " TRUE ").quorumTls().ocsp());
        assertTrue(secure.x509Auth(), "a secureClientPort brings ZooKeeper's X509AuthenticationProvider");
        assertFalse(parse("dataDir", "/d", "client.portUnification", "true").x509Auth(), "a unified port does not");
        assertTrue(parse("dataDir", "/d", "authProvider.1", "org.apache.zookeeper.server.auth.X509AuthenticationProvider")
                .x509Auth());
        ConfigException address = assertThrows(ConfigException.class,
                () -> parse("dataDir", "/d", "secureClientPortAddress", "127.0.0.1"));
        assertTrue(address.getMessage().contains("secureClientPort is not"), address.getMessage());
        assertThrows(ConfigException.class, () -> parse("dataDir", "/d", "secureClientPort", ""));
        ConfigException scheme = assertThrows(ConfigException.class,
                () -> parse("dataDir", "/d", "secureClientPort", "2182", "ssl.authProvider", "custom"));
        assertTrue(scheme.getMessage().contains("ssl.authProvider=custom"), scheme.getMessage());
        ConfigException custom = assertThrows(ConfigException.class,
                () -> parse("dataDir", "/d", "authProvider.x509", "com.example.MyX509"));
        assertTrue(custom.getMessage().contains("authProvider.x509=com.example.MyX509"), custom.getMessage());
        assertTrue(parse("dataDir", "/d", "client.certReload", "true").clientTls().certReload());
        assertFalse(none.clientTls().certReload(), "ZooKeeper's default");
        ConfigException names = assertThrows(ConfigException.class,
                () -> parse("dataDir", "/d", "secureClientPort", "2182", "ssl.clientHostnameVerification", "true"));
        assertTrue(names.getMessage().contains("ssl.clientHostnameVerification=true"), names.getMessage());
        parse("dataDir", "/d", "ssl.clientHostnameVerification", "true"); // no TLS port: nothing to check
        parse("dataDir", "/d", "secureClientPort", "2182", "ssl.clientHostnameVerification", "true",
                "ssl.hostnameVerification", "false"); // ZooKeeper: off with hostnameVerification off
        ConfigException supplier = assertThrows(ConfigException.class,
                () -> parse("dataDir", "/d", "secureClientPort", "2182", "ssl.context.supplier.class", "com.example.Ctx"));
        assertTrue(supplier.getMessage().contains("ssl.context.supplier.class"), supplier.getMessage());
    }

    @Test
    void ensembleAndUnsupportedZooKeeperKeysAreKeptWithoutWarning() {
        ServerConfig c = parse("dataDir", "/d", "initLimit", "10", "syncLimit", "5",
            "server.1", "zk1:2888:3888", "electionAlg", "3", "admin.enableServer", "false",
            "standaloneEnabled", "true", "reconfigEnabled", "false", "audit.enable", "true");
        assertEquals(List.of(), c.warnings());
        assertEquals(10, c.initLimit());
        assertEquals(5, c.syncLimit());
        assertEquals(4, c.ignoredKeys().size());
        // One server line runs standalone, as in ZooKeeper; it is parsed, not ignored.
        assertEquals(List.of(new QuorumServer(1, "zk1", 2888, 3888, false, null, -1)), c.servers());
        assertTrue(c.standaloneEnabled());
        assertNull(c.ensembleRefusal());
    }

    /**
     * Keys that ask for an endpoint Paddock does not serve (ZooKeeper's AdminServer, a metrics
     * provider such as Prometheus's) start the server with a warning that says so, so that a probe
     * or a scrape that then fails is explained; admin.enableServer=false asks for nothing.
     */
    @Test
    void keysAskingForAnEndpointPaddockLacksWarn() {
        ServerConfig c = parse("dataDir", "/d", "admin.serverPort", "8080",
            "metricsProvider.className", "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider");
        assertEquals(2, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("admin.serverPort=8080") && c.warnings().get(0).contains("no AdminServer"),
            c.warnings().toString());
        assertTrue(c.warnings().get(1).contains("no metrics provider"), c.warnings().toString());
        assertEquals(2, c.ignoredKeys().size());
    }

    @Test
    void serverLinesAreParsedInEveryZooKeeperForm() {
        ServerConfig c = parse("dataDir", "/d",
            "server.3", "zk3:2890:3890:observer;2183",
            "server.1", "zk1.example.com:2888:3888:participant;10.0.0.1:2181",
            "server.2", " [fe80::1]:2889:3889:Participant ; [::1]:2182",
            "server.4", "zk4:2891:3891:OBSERVER;",
            "server.5", "10.0.0.5:2892:3892");
        assertEquals(List.of(
            new QuorumServer(1, "zk1.example.com", 2888, 3888, false, "10.0.0.1", 2181),
            new QuorumServer(2, "fe80::1", 2889, 3889, false, "::1", 2182),
            new QuorumServer(3, "zk3", 2890, 3890, true, null, 2183),
            new QuorumServer(4, "zk4", 2891, 3891, true, null, -1),
            new QuorumServer(5, "10.0.0.5", 2892, 3892, false, null, -1)), c.servers());
        assertEquals(List.of(1L, 2L, 5L), c.votingServers().stream().map(QuorumServer::id).toList());
        assertEquals("server.2=[fe80:0:0:0:0:0:0:1]:2889:3889:participant;[0:0:0:0:0:0:0:1]:2182", c.servers().get(1).toLine());
    }

    @Test
    void missingDataDirIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("clientPort", "2181"));
        assertTrue(e.getMessage().contains("dataDir"), e.getMessage());
    }

    @Test
    void keysAndValuesAreTrimmed() {
        ServerConfig c = parse(" tickTime ", " 1500 ", "dataDir", " /d ");
        assertEquals(1500, c.tickTime());
        assertEquals(Path.of("/d"), c.dataDir());
    }

    @Test
    void systemPropertyStyleNumbersMayBeHex() {
        ServerConfig c = parse("dataDir", "/d", "jute.maxbuffer", "0x400000", "globalOutstandingLimit", "#10");
        assertEquals(0x400000, c.juteMaxBuffer());
        assertEquals(16, c.globalOutstandingLimit());
    }

    @Test
    void tooSmallSnapCountsAreRaisedWithAWarningAsZooKeeperDoes() {
        ServerConfig c = parse("dataDir", "/d", "snapCount", "1", "autopurge.snapRetainCount", "1");
        assertEquals(2, c.snapCount());
        assertEquals(3, c.snapRetainCount());
        assertEquals(2, c.warnings().size(), c.warnings().toString());
    }

    @Test
    void superDigestAcceptsBothSpellings() {
        ServerConfig prefixed = parse("dataDir", "/d", "zookeeper.DigestAuthenticationProvider.superDigest", "super:abc=");
        assertEquals("super:abc=", prefixed.superDigest());
        ServerConfig both = parse("dataDir", "/d", "zookeeper.DigestAuthenticationProvider.superDigest", "super:abc=",
            "DigestAuthenticationProvider.superDigest", "super:abc=");
        assertEquals("super:abc=", both.superDigest());
        ConfigException e = assertThrows(ConfigException.class, () -> parse("dataDir", "/d",
            "zookeeper.DigestAuthenticationProvider.superDigest", "super:abc=",
            "DigestAuthenticationProvider.superDigest", "super:xyz="));
        assertTrue(e.getMessage().contains("super:xyz="), e.getMessage());
    }

    @Test
    void loadReadsAZooCfgFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n",
            "# The number of milliseconds of each tick",
            "tickTime=2000",
            "initLimit=10",
            "dataDir=" + dir.resolve("data"),
            "clientPort = 2182",
            "4lw.commands.whitelist=stat, ruok, conf, isro",
            ""), StandardCharsets.ISO_8859_1);
        ServerConfig c = ServerConfig.load(cfg);
        assertEquals(2000, c.tickTime());
        assertEquals(2182, c.clientPort());
        assertEquals(dir.resolve("data"), c.dataDir());
        assertEquals(Set.of("conf", "isro", "ruok", "srvr", "stat"), c.fourLetterWordWhitelist());
    }

    @Test
    void loadOfAMissingFileNamesIt(@TempDir Path dir) {
        Path missing = dir.resolve("nope.cfg");
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void copiesForTestsChangeOnlyWhatTheySay() {
        ServerConfig base = parse("dataDir", "/d", "tickTime", "100");
        ServerConfig moved = base.withDataDir(Path.of("/e")).withClientPort(0);
        assertEquals(Path.of("/e"), moved.dataDir());
        assertEquals(Path.of("/e"), moved.dataLogDir());
        assertEquals(0, moved.clientPort());
        assertEquals(100, moved.tickTime());
        assertEquals(Path.of("/d"), base.dataDir());
        assertEquals(2181, base.clientPort());

        ServerConfig apart = parse("dataDir", "/d", "dataLogDir", "/l").withDataDir(Path.of("/e"));
        assertEquals(Path.of("/l"), apart.dataLogDir());
        assertThrows(ConfigException.class, () -> base.withClientPort(-1));
    }

    @Test
    void asMapFollowsTheConfWordsOrder() {
        ServerConfig c = parse("dataDir", "/d", "clientPort", "2999", "tickTime", "100", "maxClientCnxns", "9");
        Map<String, String> m = c.asMap();
        assertEquals(List.of("clientPort", "secureClientPort", "dataDir", "dataLogDir", "tickTime",
            "maxClientCnxns", "minSessionTimeout", "maxSessionTimeout", "clientPortListenBacklog", "serverId"),
            List.copyOf(m.keySet()));
        assertEquals("2999", m.get("clientPort"));
        assertEquals("-1", m.get("secureClientPort"));
        assertEquals("/d", m.get("dataDir"));
        assertEquals("200", m.get("minSessionTimeout"));
        assertEquals("2000", m.get("maxSessionTimeout"));
        assertEquals("9", m.get("maxClientCnxns"));
        assertEquals("0", m.get("serverId"));
    }
}
