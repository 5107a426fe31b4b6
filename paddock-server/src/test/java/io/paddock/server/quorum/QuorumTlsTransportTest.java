package io.paddock.server.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.quorum.ElectionAddress;
import io.paddock.core.wire.quorum.InitialMessage;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.server.ServerConfig;
import io.paddock.server.TestCertificates;
import io.paddock.server.net.Tls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.paddock.server.quorum.RecordingInbound.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS between servers on the quorum transport, configured as zoo.cfg says it (sslQuorum,
 * portUnification, ssl.quorum.*, fips-mode) and read by {@link ServerConfig}: votes and learner
 * packets travel over TLS; a peer whose certificate is not trusted, or (with fips-mode=false) does
 * not name its address, is never heard; a TLS-only server closes plain connections, and one with
 * portUnification takes plain and TLS peers alike.
 */
class QuorumTlsTransportTest {
    private static final long WAIT_MS = 10_000;
    /** How long a peer that must not be heard is listened for (after the connection it tried failed). */
    private static final long SILENCE_MS = 500;

    @TempDir
    static Path certDir;
    private static TestCertificates certs;
    private static Path goodIssued;
    private static Path wrongNameIssued;

    private final Map<Long, PeerAddress> members = new TreeMap<>();
    private final Map<Long, BlockingQueue<Received>> inboxes = new TreeMap<>();
    private final Map<Long, BlockingQueue<Long>> unreachable = new TreeMap<>();
    private final List<QuorumTransport> started = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.make(certDir);
        goodIssued = certs.issue(certDir.resolve("named.p12"), "CN=server-named", "SAN=IP:127.0.0.1");
        wrongNameIssued = certs.issue(certDir.resolve("misnamed.p12"), "CN=server-misnamed",
                "SAN=IP:10.9.9.9,DNS:elsewhere.invalid");
    }

    @BeforeEach
    void ports() throws IOException {
        for (long sid = 1; sid <= 3; sid++) {
            members.put(sid, new PeerAddress(sid, "127.0.0.1", PeerPorts.free(), PeerPorts.free()));
            inboxes.put(sid, new LinkedBlockingQueue<>());
            unreachable.put(sid, new LinkedBlockingQueue<>());
        }
    }

    @AfterEach
    void stop() {
        started.forEach(QuorumTransport::close);
    }

    /** The transport's security as a server with these zoo.cfg lines would have it. */
    private QuorumTransport.Security security(String... keyValues) {
        Properties p = new Properties();
        p.setProperty("dataDir", "/tmp/unused");
        p.setProperty("initLimit", "10");
        p.setProperty("syncLimit", "5");
        for (Map.Entry<Long, PeerAddress> m : members.entrySet()) {
            p.setProperty("server." + m.getKey(), "127.0.0.1:" + m.getValue().quorumPort() + ":" + m.getValue().electionPort());
        }
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        ServerConfig config = ServerConfig.fromProperties(p);
        if (!config.sslQuorum() && !config.quorumPortUnification()) {
            return QuorumTransport.Security.PLAIN;
        }
        return new QuorumTransport.Security(Tls.createForQuorum(config.quorumTls()), config.sslQuorum(),
                config.quorumPortUnification());
    }

    /** sslQuorum with this key store and trust store (and more lines). */
    private QuorumTransport.Security tls(Path keys, Path trust, String... more) {
        List<String> kv = new ArrayList<>(List.of("sslQuorum", "true",
                "ssl.quorum.keyStore.location", keys.toString(), "ssl.quorum.keyStore.password", TestCertificates.PASSWORD,
                "ssl.quorum.trustStore.location", trust.toString(),
                "ssl.quorum.trustStore.password", TestCertificates.PASSWORD));
        kv.addAll(List.of(more));
        return security(kv.toArray(new String[0]));
    }

    private QuorumTransport.Security trusted(String... more) {
        return tls(certs.serverKeys, certs.serverCertTrust(), more);
    }

    private QuorumTransport start(long sid, QuorumTransport.Security security) throws IOException {
        BlockingQueue<Received> inbox = inboxes.get(sid);
        QuorumTransport t = new QuorumTransport(sid, members, false, 3, security,
                new RecordingInbound(inbox, unreachable.get(sid), null));
        t.start();
        started.add(t);
        return t;
    }

    private static NotificationMessage vote(long leader, long round) {
        return RecordingInbound.vote(leader, round);
    }

    private Received next(long sid) throws InterruptedException {
        return RecordingInbound.next(inboxes.get(sid), sid, WAIT_MS);
    }

    /** Both ways, each side first once: the higher sid keeps the connection it opens, so both sides open one. */
    private void assertVotesTravel(QuorumTransport one, QuorumTransport two) throws InterruptedException {
        one.sendElection(2, vote(1, 1));
        assertEquals(new Received("election", 1, vote(1, 1)), next(2));
        two.sendElection(1, vote(2, 2));
        Received got = next(1);
        if (got.equals(new Received("election", 2, vote(2, 1)))) {
            got = next(1); // the vote server 2 kept for server 1 while it could not reach it
        }
        assertEquals(new Received("election", 2, vote(2, 2)), got);
    }

    /**
     * Server 2 ({@code good}) and server 1 ({@code bad}) never hear each other: 2's connection to 1
     * (the higher sid keeps the one it opens) fails and is reported; then 1 tries too, and after
     * that nothing has reached either.
     */
    private void assertNeverHeard(QuorumTransport good, QuorumTransport bad) throws InterruptedException {
        good.sendElection(1, vote(2, 1));
        assertEquals(Long.valueOf(1), unreachable.get(2L).poll(WAIT_MS, TimeUnit.MILLISECONDS),
                "server 2's connection to server 1 failed");
        bad.sendElection(2, vote(1, 1));
        assertNull(inboxes.get(2L).poll(SILENCE_MS, TimeUnit.MILLISECONDS), "server 2 heard server 1");
        assertNull(inboxes.get(1L).poll(SILENCE_MS, TimeUnit.MILLISECONDS), "server 1 heard server 2");
    }

    @Test
    void aQuorumStoreThatDoesNotReadStopsTheStartAndNamesIt(@TempDir Path data) throws Exception {
        java.nio.file.Files.writeString(data.resolve("myid"), "1\n");
        Properties p = new Properties();
        p.setProperty("dataDir", data.toString());
        p.setProperty("initLimit", "10");
        p.setProperty("syncLimit", "5");
        p.setProperty("server.1", "127.0.0.1:2888:3888");
        p.setProperty("server.2", "127.0.0.1:2889:3889");
        p.setProperty("sslQuorum", "true");
        p.setProperty("ssl.quorum.keyStore.location", certs.serverKeys.toString());
        p.setProperty("ssl.quorum.keyStore.password", "wrong");
        ServerConfig.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ServerConfig.ConfigException.class,
                () -> new io.paddock.server.PaddockServer(ServerConfig.fromProperties(p)));
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("ssl.quorum.keyStore.location=" + certs.serverKeys), e.getMessage());
    }

    @Test
    void votesAndLearnerPacketsTravelOverTls() throws Exception {
        QuorumTransport one = start(1, trusted());
        QuorumTransport two = start(2, trusted());
        assertVotesTravel(one, two);
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0));
        two.sendQuorum(1, info);
        assertEquals(new Received("quorum", 2, info), next(1));
        QuorumPacket leaderInfo = LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION);
        one.sendQuorum(2, leaderInfo);
        assertEquals(new Received("quorum", 1, leaderInfo), next(2));
    }

    @Test
    void aPeerWhoseCertificateIsNotTrustedIsNeverHeard() throws Exception {
        QuorumTransport two = start(2, trusted());
        QuorumTransport stranger = start(1, tls(certs.strangerKeys(), certs.serverCertTrust()));
        assertNeverHeard(two, stranger);
    }

    /**
     * Server 3 opens a connection to server 2 and sends a vote on it (the higher sid keeps the
     * connection it opens): heard, or, where server 2 refuses it, 3 sees the connection end and 2
     * has heard nothing. Under TLSv1.3 server 3's handshake is done before 2 has checked 3's
     * certificate, so only 2's side stands between 3's vote and 2's election.
     */
    private void assertThreeHeardByTwo(QuorumTransport three, boolean heard) throws InterruptedException {
        three.sendElection(2, vote(3, 1));
        if (heard) {
            assertEquals(new Received("election", 3, vote(3, 1)), next(2));
            return;
        }
        assertEquals(Long.valueOf(2), unreachable.get(3L).poll(WAIT_MS, TimeUnit.MILLISECONDS),
                "server 3's connection to server 2 ended");
        assertNull(inboxes.get(2L).poll(SILENCE_MS, TimeUnit.MILLISECONDS), "server 2 heard server 3");
    }

    @Test
    void anAcceptedPeerMustShowACertificateTheServerTrusts() throws Exception {
        start(2, trusted());
        assertThreeHeardByTwo(start(3, tls(certs.strangerKeys(), certs.serverCertTrust())), false);
    }

    @Test
    void withClientAuthNoneAnAcceptedPeerNeedNotShowOne() throws Exception {
        start(2, trusted("ssl.quorum.clientAuth", "none"));
        assertThreeHeardByTwo(start(3, tls(certs.strangerKeys(), certs.serverCertTrust())), true);
    }

    /** A learner is sent the leader's snapshot: one the leader does not trust never gets a packet through. */
    @Test
    void aLearnerWhoseCertificateIsNotTrustedReachesNoLeader() throws Exception {
        start(2, trusted());
        QuorumTransport stranger = start(3, tls(certs.strangerKeys(), certs.serverCertTrust()));
        stranger.sendQuorum(2, LearnerHandshake.followerInfo(0, new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0)));
        assertEquals(new Received("down", 2, null), next(3), "its connection to the leader ended");
        assertNull(inboxes.get(2L).poll(SILENCE_MS, TimeUnit.MILLISECONDS), "the leader heard the stranger");
    }

    @Test
    void aLearnerTheLeaderTrustsReachesIt() throws Exception {
        start(2, trusted());
        QuorumTransport learner = start(3, trusted());
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0));
        learner.sendQuorum(2, info);
        assertEquals(new Received("quorum", 3, info), next(2));
    }

    /** With fips-mode=false the accepting side checks the connecting server's certificate names its address. */
    @Test
    void withFipsModeOffAnAcceptedPeersCertificateMustNameIt() throws Exception {
        start(2, tls(goodIssued, certs.caTrust(), "fips-mode", "false", "ssl.quorum.allowReverseDnsLookup", "false"));
        assertThreeHeardByTwo(start(3, tls(wrongNameIssued, certs.caTrust(), "fips-mode", "false")), false);
    }

    @Test
    void clientHostnameVerificationFalseLeavesAcceptedPeersUnchecked() throws Exception {
        start(2, tls(goodIssued, certs.caTrust(), "fips-mode", "false", "ssl.quorum.clientHostnameVerification", "false"));
        assertThreeHeardByTwo(start(3, tls(wrongNameIssued, certs.caTrust(), "fips-mode", "false")), true);
    }

    /**
     * sslQuorumReloadCertFiles: a key store replaced in place (moved over the old one, as a
     * rotation does) serves the connections opened after it, without a restart.
     */
    @Test
    void withReloadAReplacedKeyStoreServesNewConnections(@TempDir Path stores) throws Exception {
        Path keys = stores.resolve("quorum.p12");
        java.nio.file.Files.copy(certs.strangerKeys(), keys);
        start(2, trusted());
        QuorumTransport.Security rotating = tls(keys, certs.serverCertTrust(), "sslQuorumReloadCertFiles", "true");
        try (java.io.Closeable watch = rotating.tls().watchStores()) {
            QuorumTransport three = start(3, rotating);
            assertThreeHeardByTwo(three, false);
            io.netty.handler.ssl.SslContext before = rotating.tls().context();
            Path next = stores.resolve("quorum.p12.next");
            java.nio.file.Files.copy(certs.serverKeys, next);
            java.nio.file.Files.move(next, keys, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (rotating.tls().context() == before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(rotating.tls().context() != before, "the replaced key store was read again");
            assertThreeHeardByTwo(three, true);
        }
    }

    /**
     * Anyone who reaches a quorum port can start TLS handshakes, each a signature on the replica's
     * thread: past ACCEPTED_HANDSHAKES_PER_SECOND a connection that opens with a TLS record is
     * closed before its handshake. Those let in wait for the rest of their ClientHello.
     */
    @Test
    void acceptedHandshakesAreBoundedInRate() throws Exception {
        start(2, trusted());
        byte[] recordStart = {0x16, 0x03, 0x03, 0x00, 0x40}; // a handshake record's header, its body never sent
        int n = 40;
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(n);
        List<Socket> sockets = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<Long>> closedAfterMs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Socket s = new Socket("127.0.0.1", members.get(2L).electionPort());
                sockets.add(s);
                s.getOutputStream().write(recordStart);
                s.getOutputStream().flush();
                long sent = System.nanoTime();
                s.setSoTimeout((int) WAIT_MS);
                closedAfterMs.add(readers.submit(() -> {
                    try {
                        s.getInputStream().read();
                    } catch (IOException closedOrReset) {
                        // closed all the same
                    }
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                }));
            }
            // Refused ones are closed at once; the others when the identify bound (5 s) ends them.
            int atOnce = 0;
            int later = 0;
            for (java.util.concurrent.Future<Long> f : closedAfterMs) {
                long ms = f.get(2 * WAIT_MS, TimeUnit.MILLISECONDS);
                if (ms < QuorumTransport.IDENTIFY_TIMEOUT_MS / 2) {
                    atOnce++;
                } else {
                    later++;
                }
            }
            String counts = atOnce + " closed at once, " + later + " when their time was up";
            assertTrue(atOnce >= 10, counts);
            assertTrue(later >= QuorumTransport.ACCEPTED_HANDSHAKES_PER_SECOND / 2, counts);
        } finally {
            readers.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** ZooKeeper asks no names of a peer that shows no certificate (clientAuth none or want). */
    @Test
    void withFipsModeOffAndClientAuthNoneAPeerWithoutACertificateIsHeard() throws Exception {
        start(2, tls(goodIssued, certs.caTrust(), "fips-mode", "false", "ssl.quorum.clientAuth", "none"));
        assertThreeHeardByTwo(start(3, tls(goodIssued, certs.caTrust(), "fips-mode", "false")), true);
    }

    /**
     * A leader this learner reaches whose certificate names another server, and which speaks
     * first (a real leader waits for FOLLOWERINFO): nothing it sends is taken, the connection ends.
     */
    @Test
    void aMisnamedLeaderThatSpeaksFirstIsNotHeard() throws Exception {
        QuorumPacket leaderInfo = LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION);
        try (FakeLeader fake = new FakeLeader(wrongNameIssued, leaderInfo)) {
            QuorumTransport learner = start(3, tls(goodIssued, certs.caTrust(), "fips-mode", "false",
                    "ssl.quorum.allowReverseDnsLookup", "false"));
            learner.sendQuorum(2, LearnerHandshake.followerInfo(0, new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0)));
            assertEquals(new Received("down", 2, null), next(3), "the learner let the misnamed leader go unheard");
        }
    }

    @Test
    void aLeaderThatSpeaksFirstIsHeardWhereItsCertificateNamesIt() throws Exception {
        QuorumPacket leaderInfo = LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION);
        try (FakeLeader fake = new FakeLeader(goodIssued, leaderInfo)) {
            QuorumTransport learner = start(3, tls(goodIssued, certs.caTrust(), "fips-mode", "false",
                    "ssl.quorum.allowReverseDnsLookup", "false"));
            learner.sendQuorum(2, LearnerHandshake.followerInfo(0, new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0)));
            assertEquals(new Received("quorum", 2, leaderInfo), next(3));
        }
    }

    /** Server 2's quorum port, served by the JDK's own TLS (v1.2): it sends {@code first} as soon as a handshake is done. */
    private final class FakeLeader implements AutoCloseable {
        private final javax.net.ssl.SSLServerSocket listener;
        private final Thread thread;
        private final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

        FakeLeader(Path keys, QuorumPacket first) throws Exception {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(keys)) {
                store.load(in, TestCertificates.PASSWORD.toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
            kmf.init(store, TestCertificates.PASSWORD.toCharArray());
            java.security.KeyStore trustStore = java.security.KeyStore.getInstance("PKCS12");
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(certs.caTrust())) {
                trustStore.load(in, TestCertificates.PASSWORD.toCharArray());
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(trustStore);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            listener = (javax.net.ssl.SSLServerSocket) context.getServerSocketFactory().createServerSocket(
                    members.get(2L).quorumPort(), 8, java.net.InetAddress.getByName("127.0.0.1"));
            listener.setNeedClientAuth(true);
            // TLSv1.2: the server's Finished comes last, and its first packet right behind it, often
            // in the same read as the end of the learner's handshake, before any name check is done.
            listener.setEnabledProtocols(new String[] {"TLSv1.2"});
            thread = new Thread(() -> {
                try {
                    while (true) {
                        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) listener.accept();
                        accepted.add(s);
                        s.startHandshake();
                        s.getOutputStream().write(first.encode());
                        s.getOutputStream().flush();
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "fake-leader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            listener.close();
            for (Socket s : accepted) {
                s.close();
            }
            thread.join(WAIT_MS);
        }
    }

    @Test
    void aTlsOnlyServerClosesPlainConnectionsAndAPlainPeerIsNeverHeard() throws Exception {
        QuorumTransport two = start(2, trusted());
        // By hand: the initial message of server 3, then a vote; the connection is closed unread.
        try (Socket plain = new Socket("127.0.0.1", members.get(2L).electionPort())) {
            OutputStream out = plain.getOutputStream();
            out.write(InitialMessage.v1(3, new ElectionAddress("127.0.0.1", members.get(3L).electionPort())).encode());
            out.flush();
            plain.setSoTimeout((int) WAIT_MS);
            assertEquals(-1, plain.getInputStream().read(), "closed");
        }
        assertNeverHeard(two, start(1, QuorumTransport.Security.PLAIN));
    }

    /**
     * ZooKeeper's rolling change to TLS: with portUnification every server takes both kinds, so a
     * server still opening plain connections and one opening TLS ones hear each other.
     */
    @Test
    void withPortUnificationPlainAndTlsPeersHearEachOther() throws Exception {
        QuorumTransport plainOpener = start(1, tls(certs.serverKeys, certs.serverCertTrust(), "sslQuorum", "false",
                "portUnification", "true"));
        QuorumTransport tlsOpener = start(2, trusted("portUnification", "true"));
        assertVotesTravel(plainOpener, tlsOpener);
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(1, LearnerInfo.PROTOCOL_VERSION, 0));
        plainOpener.sendQuorum(2, info);
        assertEquals(new Received("quorum", 1, info), next(2));
        QuorumTransport plainOnly = start(3, QuorumTransport.Security.PLAIN);
        plainOnly.sendElection(2, vote(3, 3));
        assertEquals(new Received("election", 3, vote(3, 3)), next(2));
    }

    /** ZooKeeper 3.9 checks host names only out of its default FIPS mode; then a certificate must name its server. */
    @Test
    void withFipsModeOffACertificateMustNameItsServer() throws Exception {
        QuorumTransport two = start(2, tls(goodIssued, certs.caTrust(), "fips-mode", "false",
                "ssl.quorum.allowReverseDnsLookup", "false"));
        QuorumTransport misnamed = start(1, tls(wrongNameIssued, certs.caTrust(), "fips-mode", "false"));
        assertNeverHeard(two, misnamed);
        started.remove(misnamed);
        misnamed.close();
        QuorumTransport named = start(1, tls(goodIssued, certs.caTrust(), "fips-mode", "false"));
        assertVotesTravel(named, two);
    }

    @Test
    void inFipsModeOnlyTheChainIsChecked() throws Exception {
        QuorumTransport two = start(2, tls(goodIssued, certs.caTrust()));
        QuorumTransport misnamed = start(1, tls(wrongNameIssued, certs.caTrust()));
        assertVotesTravel(misnamed, two);
    }

    @Test
    void hostnameVerificationFalseTurnsTheCheckOff() throws Exception {
        QuorumTransport two = start(2, tls(goodIssued, certs.caTrust(), "fips-mode", "false",
                "ssl.quorum.hostnameVerification", "false"));
        QuorumTransport misnamed = start(1, tls(wrongNameIssued, certs.caTrust(), "fips-mode", "false",
                "ssl.quorum.hostnameVerification", "false"));
        assertVotesTravel(misnamed, two);
    }
}
