package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS for clients with ZooKeeper's settings (secureClientPort, client.portUnification, ssl.*):
 * the official client with its Netty socket and {@code zookeeper.client.secure}, as users run it,
 * and raw TLS sockets for what a client library cannot show (a handshake refused). Certificates
 * are made by the JDK's keytool ({@link TestCertificates}).
 */
class ClientTlsTest {
    @TempDir
    static Path certsDir;
    static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.make(certsDir);
    }

    private static Properties tlsConfig(Path dataDir, String... extra) {
        Properties p = new Properties();
        p.setProperty("tickTime", "200");
        p.setProperty("dataDir", dataDir.toString());
        p.setProperty("ssl.keyStore.location", certs.serverKeys.toString());
        p.setProperty("ssl.keyStore.password", TestCertificates.PASSWORD);
        p.setProperty("ssl.trustStore.location", certs.serverTrust.toString());
        p.setProperty("ssl.trustStore.password", TestCertificates.PASSWORD);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return p;
    }

    private static PaddockServer start(Properties p) throws Exception {
        PaddockServer server = new PaddockServer(ServerConfig.fromProperties(p));
        server.start();
        return server;
    }

    /** Both ports on 127.0.0.1 (any free port), client certificates required (ZooKeeper's default). */
    private static PaddockServer startBoth(Path dataDir, String... extra) throws Exception {
        Properties p = tlsConfig(dataDir, extra);
        p.setProperty("clientPort", "0");
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("secureClientPort", "0");
        p.setProperty("secureClientPortAddress", "127.0.0.1");
        return start(p);
    }

    /** The official client over TLS (ClientCnxnSocketNetty, zookeeper.client.secure), connected. */
    static ZooKeeper tlsClient(int port, boolean withCertificate) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty("zookeeper.ssl.trustStore.location", certs.clientTrust.toString());
        config.setProperty("zookeeper.ssl.trustStore.password", TestCertificates.PASSWORD);
        if (withCertificate) {
            config.setProperty("zookeeper.ssl.keyStore.location", certs.clientKeys.toString());
            config.setProperty("zookeeper.ssl.keyStore.password", TestCertificates.PASSWORD);
        }
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + port, 4000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config);
        if (!connected.await(20, TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("the TLS client did not connect to port " + port);
        }
        return zk;
    }

    @Test
    void theOfficialClientWorksOverTlsOnSecureClientPort(@TempDir Path data) throws Exception {
        try (PaddockServer server = startBoth(data, "4lw.commands.whitelist", "conf");
             ZooKeeper tls = tlsClient(server.secureClientPort(), true);
             ZooKeeper plain = TestServers.connect(server, null)) {
            tls.create("/over-tls", "secret".getBytes(StandardCharsets.UTF_8), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8), plain.getData("/over-tls", false, null),
                    "one tree behind both ports");
            plain.setData("/over-tls", new byte[] {7}, -1);
            assertArrayEquals(new byte[] {7}, tls.getData("/over-tls", false, null));
            String conf = word(server.clientPort(), "conf");
            assertTrue(conf.contains("secureClientPort=" + server.secureClientPort() + "\n"), conf);
        }
    }

    @Test
    void clientsWithoutATrustedCertificateAreRefusedAndTheOthersServed(@TempDir Path data) throws Exception {
        try (PaddockServer server = startBoth(data);
             ZooKeeper tls = tlsClient(server.secureClientPort(), true)) {
            int port = server.secureClientPort();
            assertRefused(port, null, "no certificate (ssl.clientAuth=need, ZooKeeper's default)", tls);
            assertRefused(port, certs.strangerKeys, "a certificate the trust store does not hold", tls);
            assertPlainTextClosed(port);
            tls.create("/still-served", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertTrue(tls.exists("/still-served", false) != null);
        }
    }

    @Test
    void clientAuthWantLetsAClientWithoutCertificateIn(@TempDir Path data) throws Exception {
        try (PaddockServer server = startBoth(data, "ssl.clientAuth", "want");
             ZooKeeper anonymous = tlsClient(server.secureClientPort(), false)) {
            anonymous.create("/anonymous", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertRefused(server.secureClientPort(), certs.strangerKeys,
                    "an untrusted certificate shown, even when a certificate is optional", anonymous);
        }
    }

    @Test
    void portUnificationTakesTlsAndPlainClientsOnClientPort(@TempDir Path data) throws Exception {
        Properties p = tlsConfig(data, "clientPort", "0", "clientPortAddress", "127.0.0.1",
                "client.portUnification", "true", "ssl.keyStore.location", certs.serverKeysJks.toString(),
                "4lw.commands.whitelist", "ruok", "authProvider.x509", X509_PROVIDER);
        try (PaddockServer server = start(p);
             ZooKeeper tls = tlsClient(server.clientPort(), true);
             ZooKeeper plain = TestServers.connect(server, null)) {
            assertFalse(server.servesSecureClientPort());
            tls.create("/unified", new byte[] {1}, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertArrayEquals(new byte[] {1}, plain.getData("/unified", false, null));
            assertEquals("imok", word(server.clientPort(), "ruok"), "four bytes, no newline: a plain four-letter word");
            assertEquals("x509", tls.whoAmI().get(1).getAuthScheme(), "a certificate on the unified port is an identity too");
        }
    }

    @Test
    void pemStoresServeAsTheOtherTypesDo(@TempDir Path data) throws Exception {
        Properties p = tlsConfig(data, "secureClientPort", "0", "secureClientPortAddress", "127.0.0.1",
                "ssl.keyStore.location", certs.serverKeysPem.toString(), "ssl.trustStore.location", certs.clientCertPem.toString());
        p.remove("ssl.keyStore.password");
        p.remove("ssl.trustStore.password");
        try (PaddockServer server = start(p);
             ZooKeeper tls = tlsClient(server.secureClientPort(), true)) {
            assertEquals("x509", tls.whoAmI().get(1).getAuthScheme(), "the PEM trust store's certificate authenticates");
            assertRefused(server.secureClientPort(), certs.strangerKeys, "a certificate the PEM trust store lacks", tls);
        }
    }

    /**
     * ssl.crl (or ssl.ocsp) checks a client certificate's revocation status, as ZooKeeper's PKIX
     * parameters do: a CA-issued certificate whose status cannot be told (it names no CRL
     * distribution point and no OCSP responder) is refused; without the check the same certificate
     * gets in. (A trusted certificate that is itself a trust anchor has no path to check.)
     */
    @Test
    void revocationChecksRefuseACertificateWhoseStatusCannotBeTold(@TempDir Path data) throws Exception {
        for (String key : List.of("none", "ssl.crl", "ssl.ocsp")) {
            Properties p = tlsConfig(data.resolve(key), "clientPort", "0", "clientPortAddress", "127.0.0.1",
                    "secureClientPort", "0", "secureClientPortAddress", "127.0.0.1",
                    "ssl.trustStore.location", certs.caTrust.toString(), key, "true");
            try (PaddockServer server = start(p);
                 ZooKeeper plain = TestServers.connect(server, null)) {
                if (key.equals("none")) {
                    AssertionError got = assertThrows(AssertionError.class, () -> assertRefused(server.secureClientPort(),
                            certs.issuedClientKeys, "the CA's certificate, unchecked", plain));
                    assertTrue(got.getMessage().contains("carried out"), got.getMessage()); // it got in
                } else {
                    assertRefused(server.secureClientPort(), certs.issuedClientKeys, key + "=true and no way to check", plain);
                }
            }
        }
    }

    /**
     * client.certReload: a key store replaced on disk (as a certificate rotation does, moved into
     * place) is served to new connections; one that does not read leaves the last good one in use.
     */
    @Test
    void certReloadServesARotatedCertificateToNewConnections(@TempDir Path data) throws Exception {
        Path keys = data.resolve("keys.p12");
        Files.copy(certs.serverKeys, keys);
        Properties p = tlsConfig(data, "secureClientPort", "0", "secureClientPortAddress", "127.0.0.1",
                "ssl.keyStore.location", keys.toString(), "ssl.clientAuth", "none", "client.certReload", "true");
        try (PaddockServer server = start(p)) {
            int port = server.secureClientPort();
            assertEquals("CN=paddock-server", servedSubject(port));
            Path rotated = certs.anotherServerKeys("CN=paddock-server-rotated");
            Path staged = data.resolve("keys.p12.new");
            Files.copy(rotated, staged);
            Files.move(staged, keys, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!servedSubject(port).equals("CN=paddock-server-rotated")) {
                assertTrue(System.nanoTime() < deadline, "the rotated certificate was not served within 20 s");
                Thread.sleep(50);
            }
        }
        // A store that does not read (caught mid-copy, say) leaves the context read before in use.
        io.paddock.server.net.Tls tls = io.paddock.server.net.Tls.create(ServerConfig.fromProperties(p).clientTls());
        io.netty.handler.ssl.SslContext before = tls.context();
        Files.writeString(keys, "not a key store");
        assertFalse(tls.reload());
        assertTrue(before == tls.context(), "kept");
        Files.copy(certs.serverKeys, keys, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(tls.reload());
        assertFalse(before == tls.context(), "read again");
    }

    /**
     * client.certReload with the store mounted as Kubernetes mounts a secret: {@code keys.p12 ->
     * ..data/keys.p12}, {@code ..data -> ..<timestamp>}; a rotation writes a new timestamped folder
     * and swaps the {@code ..data} link (no event names keys.p12 itself), then deletes the old folder.
     */
    @Test
    void certReloadFollowsAKubernetesSecretsSymlinkSwap(@TempDir Path data) throws Exception {
        Path mount = Files.createDirectories(data.resolve("tls"));
        Path v1 = Files.createDirectories(mount.resolve("..2026_12_07_v1"));
        Files.copy(certs.serverKeys, v1.resolve("keys.p12"));
        Files.createSymbolicLink(mount.resolve("..data"), Path.of(v1.getFileName().toString()));
        Files.createSymbolicLink(mount.resolve("keys.p12"), Path.of("..data", "keys.p12"));
        Properties p = tlsConfig(data, "secureClientPort", "0", "secureClientPortAddress", "127.0.0.1",
                "ssl.keyStore.location", mount.resolve("keys.p12").toString(), "ssl.clientAuth", "none",
                "client.certReload", "true");
        try (PaddockServer server = start(p)) {
            int port = server.secureClientPort();
            assertEquals("CN=paddock-server", servedSubject(port));
            Path v2 = Files.createDirectories(mount.resolve("..2026_12_07_v2"));
            Files.copy(certs.anotherServerKeys("CN=paddock-server-renewed"), v2.resolve("keys.p12"));
            Files.createSymbolicLink(mount.resolve("..data_tmp"), Path.of(v2.getFileName().toString()));
            Files.move(mount.resolve("..data_tmp"), mount.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.delete(v1.resolve("keys.p12"));
            Files.delete(v1);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!servedSubject(port).equals("CN=paddock-server-renewed")) {
                assertTrue(System.nanoTime() < deadline, "the renewed certificate was not served within 20 s");
                Thread.sleep(50);
            }
        }
    }

    /** The subject of the certificate the server shows a new TLS connection (trusting whatever it shows). */
    private static String servedSubject(int port) throws Exception {
        javax.net.ssl.TrustManager trustAll = new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {trustAll}, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
        }
    }

    @Test
    void aSecureClientPortAloneOpensNoPlainPort(@TempDir Path data) throws Exception {
        Properties p = tlsConfig(data, "secureClientPort", "0", "secureClientPortAddress", "127.0.0.1");
        try (PaddockServer server = start(p);
             ZooKeeper tls = tlsClient(server.secureClientPort(), true)) {
            assertFalse(server.servesClientPort(), "no clientPort in zoo.cfg: TLS only, as in ZooKeeper (not 2181)");
            tls.create("/tls-only", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
    }

    private static final String X509_PROVIDER = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";

    @Test
    void aSecureClientPortBringsTheX509ProviderAsInZooKeeper(@TempDir Path data) throws Exception {
        try (PaddockServer server = startBoth(data);
             ZooKeeper tls = tlsClient(server.secureClientPort(), true)) {
            assertEquals("x509", tls.whoAmI().get(1).getAuthScheme(), "no authProvider.x509 line needed");
        }
    }

    @Test
    void aClientCertificateIsAnX509IdentityForAcls(@TempDir Path data) throws Exception {
        try (PaddockServer server = startBoth(data);
             ZooKeeper tls = tlsClient(server.secureClientPort(), true);
             ZooKeeper plain = TestServers.connect(server, null)) {
            assertEquals(List.of(new ClientInfo("ip", "127.0.0.1"), new ClientInfo("x509", TestCertificates.CLIENT_SUBJECT)),
                    tls.whoAmI(), "the certificate's subject, as X500Principal.getName() writes it");
            tls.create("/mine", new byte[] {1}, Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            assertEquals(java.util.Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("x509", TestCertificates.CLIENT_SUBJECT))),
                    tls.getACL("/mine", null), "the creator is the certificate");
            assertArrayEquals(new byte[] {1}, tls.getData("/mine", false, null));
            assertThrows(KeeperException.NoAuthException.class, () -> plain.getData("/mine", false, null));
            plain.create("/theirs", null, java.util.Arrays.asList(new ACL(ZooDefs.Perms.READ,
                    new Id("x509", TestCertificates.CLIENT_SUBJECT))), CreateMode.PERSISTENT);
            tls.getData("/theirs", false, null);
            assertThrows(KeeperException.InvalidACLException.class, () -> plain.create("/bad", null,
                    java.util.Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("x509", "not a name"))), CreateMode.PERSISTENT));
        }
    }

    /**
     * In an ensemble the certificate's identity travels with the follower's forwarded write: the
     * leader expands CREATOR_ALL_ACL to it (its own secureClientPort brings the provider), and the
     * node is readable with the same certificate through another server, not without it.
     */
    @Test
    void anX509IdentityReachesTheLeaderThroughAFollower() throws Exception {
        java.util.Map<String, String> tls = java.util.Map.of("secureClientPort", "0", "secureClientPortAddress", "127.0.0.1",
                "ssl.keyStore.location", certs.serverKeys.toString(), "ssl.keyStore.password", TestCertificates.PASSWORD,
                "ssl.trustStore.location", certs.serverTrust.toString(), "ssl.trustStore.password", TestCertificates.PASSWORD);
        try (io.paddock.server.conformance.PaddockEnsembleTarget ensemble =
                     new io.paddock.server.conformance.PaddockEnsembleTarget(sid -> tls)) {
            ensemble.start();
            int leader = ensemble.leaderSid();
            int follower = leader == 1 ? 2 : 1;
            int other = 6 - leader - follower;
            try (ZooKeeper viaFollower = tlsClient(ensemble.server(follower).secureClientPort(), true);
                 ZooKeeper viaOther = tlsClient(ensemble.server(other).secureClientPort(), true);
                 ZooKeeper plain = TestServers.connect(ensemble.server(follower), null)) {
                viaFollower.create("/ensemble-mine", new byte[] {3}, Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
                assertEquals(java.util.Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("x509", TestCertificates.CLIENT_SUBJECT))),
                        viaFollower.getACL("/ensemble-mine", null));
                viaOther.sync("/", (rc, path, ctx) -> { }, null);
                assertArrayEquals(new byte[] {3}, viaOther.getData("/ensemble-mine", false, null));
                assertThrows(KeeperException.NoAuthException.class, () -> plain.getData("/ensemble-mine", false, null));
                assertThrows(KeeperException.NoAuthException.class, () -> plain.setData("/ensemble-mine", null, -1),
                        "the leader's check of a plain client's forwarded write");
            }
        }
    }

    @Test
    void theX509SuperUserIsSuper(@TempDir Path data) throws Exception {
        try (PaddockServer server = startBoth(data, "X509AuthenticationProvider.superUser", TestCertificates.CLIENT_SUBJECT);
             ZooKeeper tls = tlsClient(server.secureClientPort(), true);
             ZooKeeper plain = TestServers.connect(server, null)) {
            plain.addAuthInfo("digest", "owner:secret".getBytes(StandardCharsets.UTF_8));
            plain.create("/locked", new byte[] {2}, Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            assertArrayEquals(new byte[] {2}, tls.getData("/locked", false, null), "super reads any node");
            assertEquals("super", tls.whoAmI().get(1).getAuthScheme());
        }
    }

    /**
     * ZooKeeper puts its X509AuthenticationProvider in place for a secureClientPort by itself
     * (QuorumPeerConfig.configureSSLAuth), not for a unified clientPort: there a certificate shown
     * without authProvider.x509 closes the connection.
     */
    @Test
    void withoutAnX509ProviderACertificateClosesTheConnectionAsInZooKeeper(@TempDir Path data) throws Exception {
        Properties p = tlsConfig(data, "clientPort", "0", "clientPortAddress", "127.0.0.1", "client.portUnification", "true",
                "4lw.commands.whitelist", "mntr");
        try (PaddockServer server = start(p);
             ZooKeeper plain = TestServers.connect(server, null)) {
            assertRefused(server.clientPort(), certs.clientKeys, "a trusted certificate, but no authProvider.x509", plain);
            // Its ConnectRequest, in the same read as the handshake's end, made no session (the connection
            // closes before its create could run, so only this tells that what it sent was dropped).
            assertTrue(word(server.clientPort(), "mntr").contains("zk_global_sessions\t1\n"), "only the observer's session");
        }
        assertThrows(KeeperException.InvalidACLException.class, () -> {
            try (PaddockServer server = TestServers.start(data.resolve("plain"));
                 ZooKeeper plain = TestServers.connect(server, null)) {
                plain.create("/x509-unknown", null, java.util.Arrays.asList(new ACL(ZooDefs.Perms.ALL,
                        new Id("x509", TestCertificates.CLIENT_SUBJECT))), CreateMode.PERSISTENT);
            }
        }, "without the provider the x509 scheme is unknown");
    }

    @Test
    void storesThatDoNotReadStopTheStartAndNameTheFile(@TempDir Path data) throws Exception {
        Properties wrongPassword = tlsConfig(data, "secureClientPort", "0", "ssl.keyStore.password", "wrong");
        ServerConfig.ConfigException e = assertThrows(ServerConfig.ConfigException.class,
                () -> new PaddockServer(ServerConfig.fromProperties(wrongPassword)));
        assertTrue(e.getMessage().contains(certs.serverKeys.toString()), e.getMessage());
        Properties missing = tlsConfig(data, "secureClientPort", "0", "ssl.trustStore.location", data.resolve("none.jks").toString());
        e = assertThrows(ServerConfig.ConfigException.class, () -> new PaddockServer(ServerConfig.fromProperties(missing)));
        assertTrue(e.getMessage().contains("none.jks"), e.getMessage());
        Properties noType = tlsConfig(data, "secureClientPort", "0", "ssl.keyStore.location", data.resolve("keys.store").toString());
        e = assertThrows(ServerConfig.ConfigException.class, () -> new PaddockServer(ServerConfig.fromProperties(noType)));
        assertTrue(e.getMessage().contains("ssl.keyStore.type"), e.getMessage());
        Properties password = tlsConfig(data, "secureClientPort", "0", "ssl.keyStore.password", "wrong",
                "ssl.keyStore.passwordPath", writePassword(data));
        new PaddockServer(ServerConfig.fromProperties(password)).close(); // the file's password wins, as in ZooKeeper
    }

    private static String writePassword(Path dir) throws IOException {
        Path file = dir.resolve("keystore.pass");
        Files.writeString(file, TestCertificates.PASSWORD + System.lineSeparator());
        return file.toString();
    }

    /**
     * A TLS connection that sends a ConnectRequest and a create in the same write as its last
     * handshake message must end (the handshake fails, or the server closes it) without an answer,
     * and the create must not happen ({@code observer}, another client, looks). The client runs
     * its own SSLEngine so that the requests ride in one TCP segment with the handshake's end: the
     * server reads them in the same read as the handshake that it refuses.
     */
    private static void assertRefused(int port, Path keyStore, String why, ZooKeeper observer) throws Exception {
        String sneaked = "/sneaked-" + System.nanoTime();
        javax.net.ssl.KeyManager[] keys = null;
        if (keyStore != null) {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store(keyStore), TestCertificates.PASSWORD.toCharArray());
            // The JDK shows a client certificate only when the server's trust store names its issuer;
            // this one shows it all the same, as a misconfigured or hostile client would.
            keys = new javax.net.ssl.KeyManager[] {new AlwaysShows((javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0])};
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store(certs.clientTrust));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, tmf.getTrustManagers(), null);
        javax.net.ssl.SSLEngine engine = context.createSSLEngine("127.0.0.1", port);
        engine.setUseClientMode(true);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            try {
                byte[] last = handshakeHoldingTheLastFlight(engine, socket);
                java.nio.ByteBuffer requests = java.nio.ByteBuffer.wrap(frames(sneaked));
                java.nio.ByteBuffer wrapped = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
                while (requests.hasRemaining()) {
                    engine.wrap(requests, wrapped);
                }
                byte[] both = java.util.Arrays.copyOf(last, last.length + wrapped.position());
                System.arraycopy(wrapped.array(), 0, both, last.length, wrapped.position());
                socket.getOutputStream().write(both);
                socket.getOutputStream().flush();
                InputStream in = socket.getInputStream();
                while (in.read() != -1) {
                    // the server's alert or ticket may come; the connection must then end
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError(why + ": the server neither closed nor refused", e);
            } catch (IOException expected) {
                // refused in the handshake, or reset by the server
            }
        }
        observer.sync("/", (rc, path, ctx) -> { }, null);
        assertEquals(null, observer.exists(sneaked, false), why + ": a request sent behind the handshake was carried out");
    }

    /** Runs the client side of a handshake; returns the client's last flight, not yet sent. */
    private static byte[] handshakeHoldingTheLastFlight(javax.net.ssl.SSLEngine engine, Socket socket) throws IOException {
        int packet = engine.getSession().getPacketBufferSize();
        java.nio.ByteBuffer netIn = java.nio.ByteBuffer.allocate(packet * 4);
        java.nio.ByteBuffer appIn = java.nio.ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
        java.nio.ByteBuffer empty = java.nio.ByteBuffer.allocate(0);
        java.io.ByteArrayOutputStream flight = new java.io.ByteArrayOutputStream();
        engine.beginHandshake();
        for (int step = 0; step < 1000; step++) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(packet);
                    javax.net.ssl.SSLEngineResult r = engine.wrap(empty, out);
                    flight.write(out.array(), 0, out.position());
                    if (r.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.FINISHED) {
                        return flight.toByteArray(); // held: the caller sends it with the requests
                    }
                    if (engine.getHandshakeStatus() != javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                        socket.getOutputStream().write(flight.toByteArray());
                        socket.getOutputStream().flush();
                        flight.reset();
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    javax.net.ssl.SSLEngineResult r = engine.unwrap(netIn, appIn);
                    netIn.compact();
                    if (r.getStatus() == javax.net.ssl.SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        byte[] chunk = new byte[packet];
                        int n = socket.getInputStream().read(chunk);
                        if (n < 0) {
                            throw new IOException("closed during the handshake");
                        }
                        netIn.put(chunk, 0, n);
                    }
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                default -> {
                    return flight.toByteArray();
                }
            }
        }
        throw new IOException("handshake did not finish in 1000 steps");
    }

    /** A ConnectRequest and a create of {@code createPath} (world:anyone, persistent), as frames. */
    private static byte[] frames(String createPath) throws IOException {
        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(frames);
        out.writeInt(4 + 8 + 4 + 8 + 4);
        out.writeInt(0);
        out.writeLong(0);
        out.writeInt(4000);
        out.writeLong(0);
        out.writeInt(0);
        if (createPath != null) {
            byte[] path = createPath.getBytes(StandardCharsets.UTF_8);
            byte[] scheme = "world".getBytes(StandardCharsets.UTF_8);
            byte[] id = "anyone".getBytes(StandardCharsets.UTF_8);
            out.writeInt(4 + 4 + 4 + path.length + 4 + 4 + 4 + 4 + scheme.length + 4 + id.length + 4);
            out.writeInt(1); // xid
            out.writeInt(1); // create
            out.writeInt(path.length);
            out.write(path);
            out.writeInt(-1); // no data
            out.writeInt(1); // one ACL entry
            out.writeInt(31);
            out.writeInt(scheme.length);
            out.write(scheme);
            out.writeInt(id.length);
            out.write(id);
            out.writeInt(0); // persistent
        }
        out.flush();
        return frames.toByteArray();
    }

    /** A key manager that offers its one certificate whatever issuers the server asks for. */
    private static final class AlwaysShows extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509ExtendedKeyManager keys;
        private final String alias;

        AlwaysShows(javax.net.ssl.X509ExtendedKeyManager keys) {
            this.keys = keys;
            this.alias = keys.getClientAliases("EC", null)[0];
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {alias};
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine e) {
            return alias;
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String a) {
            return keys.getCertificateChain(a);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String a) {
            return keys.getPrivateKey(a);
        }
    }

    private static void assertPlainTextClosed(int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(frames(null));
            socket.getOutputStream().flush();
            try {
                InputStream in = socket.getInputStream();
                while (in.read() != -1) {
                    // a TLS alert may come first; the connection must then end
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("plain text on the TLS port: neither answered nor closed", e);
            } catch (IOException expected) {
                // reset
            }
        }
    }

    private static KeyStore store(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        return store;
    }

    /** Sends a four-letter word (four bytes, nothing after) and reads the answer to the end. */
    static String word(int port, String word) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(new DataInputStream(socket.getInputStream()).readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
