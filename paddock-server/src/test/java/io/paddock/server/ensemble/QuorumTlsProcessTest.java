package io.paddock.server.ensemble;

import static io.paddock.server.ensemble.EnsembleClients.BOUND;
import static io.paddock.server.ensemble.EnsembleClients.connect;
import static io.paddock.server.ensemble.EnsembleClients.syncWith;
import static io.paddock.server.ensemble.EnsembleClients.writeThroughEachAndReadThroughAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.quorum.ElectionAddress;
import io.paddock.core.wire.quorum.InitialMessage;
import io.paddock.server.TestCertificates;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS between the servers of a mixed ensemble, Apache ZooKeeper 3.9.5 (QuorumPeerMain) beside
 * Paddock servers, all on the same zoo.cfg keys: they elect and replicate over TLS only, with host
 * names checked on both sides (fips-mode=false), through a leader's kill -9; and a running mixed
 * ensemble goes through ZooKeeper's whole rolling change to TLS (portUnification everywhere, then
 * sslQuorum server by server, then portUnification off), serving writes through every server at
 * each step.
 */
class QuorumTlsProcessTest {
    @TempDir
    static Path certDir;
    private static Path keys;
    private static Path trust;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates certs = TestCertificates.make(certDir);
        keys = certs.issue(certDir.resolve("quorum.p12"), "CN=quorum-member", "SAN=IP:127.0.0.1");
        trust = certs.caTrust();
    }

    /** The ssl.quorum.* lines every server gets (ZooKeeper turns them into zookeeper.ssl.quorum.* properties). */
    private static void stores(LocalEnsemble e) throws Exception {
        e.configureAll("ssl.quorum.keyStore.location=" + keys);
        e.configureAll("ssl.quorum.keyStore.password=" + TestCertificates.PASSWORD);
        e.configureAll("ssl.quorum.trustStore.location=" + trust);
        e.configureAll("ssl.quorum.trustStore.password=" + TestCertificates.PASSWORD);
    }

    private static final String ZK_CNX_LOG =
            "-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.quorum.QuorumCnxManager=info";

    @Test
    void zooKeeperAndPaddockServersElectAndReplicateOverTlsThroughALeadersKill() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            stores(e);
            e.configureAll("sslQuorum=true");
            e.configureAll("fips-mode=false"); // ZooKeeper checks host names only then; the certificate names 127.0.0.1
            e.startZooKeeper(1, ZK_CNX_LOG);
            e.start(2);
            e.start(3);
            e.awaitOneLeader(3, BOUND);
            AtomicBoolean expired = new AtomicBoolean();
            writeThroughEachAndReadThroughAll(e, expired, "/tls-", "a");
            String zkOut = e.output(1);
            assertTrue(zkOut.contains("SSL handshake complete"), "ZooKeeper opened a TLS connection:\n" + zkOut);

            // A plain election connection to a Paddock server is closed unread.
            try (Socket plain = new Socket("127.0.0.1", e.electionPort(2))) {
                OutputStream out = plain.getOutputStream();
                out.write(InitialMessage.v1(1, new ElectionAddress("127.0.0.1", e.electionPort(1))).encode());
                out.flush();
                plain.setSoTimeout((int) BOUND.toMillis());
                assertEquals(-1, plain.getInputStream().read());
            }
            e.await("server 2 says why it closed the plain connection", BOUND,
                    () -> output(e, 2).contains("sslQuorum=true takes only TLS connections"));

            int leader = e.leader();
            e.kill9(leader);
            e.awaitOneLeader(2, BOUND);
            if (leader == 1) {
                e.startZooKeeper(1, ZK_CNX_LOG);
            } else {
                e.start(leader);
            }
            e.awaitOneLeader(3, BOUND);
            writeThroughEachAndReadThroughAll(e, expired, "/tls-", "b");
            try (ZooKeeper back = connect(e.connectString(leader), expired)) {
                syncWith(back);
                assertArrayEquals(bytes("a3"), back.getData("/tls-a3", false, null), "the restarted server caught up");
            }
            assertFalse(expired.get(), "no session expired");
        }
    }

    /**
     * ZooKeeper's steps to TLS in a running ensemble, on a mixed one: portUnification=true on every
     * server (each takes TLS and plain), then sslQuorum=true one server at a time (it opens TLS
     * connections), then portUnification off one at a time. Each server is restarted (kill -9) into
     * its next step and the ensemble serves writes through it before the next one goes; halfway,
     * ZooKeeper opens plain connections while one Paddock server opens TLS ones.
     */
    @Test
    void aRollingChangeToTlsKeepsAMixedEnsembleServing() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            stores(e);
            e.configureAll("portUnification=true");
            e.startZooKeeper(1, ZK_CNX_LOG);
            e.start(2);
            e.start(3);
            e.awaitOneLeader(3, BOUND);
            AtomicBoolean expired = new AtomicBoolean();
            writeThroughEachAndReadThroughAll(e, expired, "/tls-", "start");
            int step = 0;
            for (int sid : new int[] {2, 1, 3}) {
                restartWith(e, sid, "sslQuorum=true");
                writeThroughEachAndReadThroughAll(e, expired, "/tls-", "tls" + step++);
            }
            for (int sid : new int[] {3, 1, 2}) {
                restartWith(e, sid, "portUnification=false");
                writeThroughEachAndReadThroughAll(e, expired, "/tls-", "only" + step++);
            }
            // TLS only everywhere now: a plain election connection to a Paddock server is closed.
            try (Socket plain = new Socket("127.0.0.1", e.electionPort(3))) {
                plain.getOutputStream().write(InitialMessage.v1(1, new ElectionAddress("127.0.0.1", e.electionPort(1)))
                        .encode());
                plain.setSoTimeout((int) BOUND.toMillis());
                assertEquals(-1, plain.getInputStream().read());
            }
            assertFalse(expired.get(), "no session expired");
        }
    }

    /** kill -9 of server {@code sid}, {@code line} added to its zoo.cfg (a later key wins), then it starts and rejoins. */
    private static void restartWith(LocalEnsemble e, int sid, String line) throws Exception {
        e.kill9(sid);
        e.configure(sid, line);
        if (sid == 1) {
            e.startZooKeeper(1, ZK_CNX_LOG);
        } else {
            e.start(sid);
        }
        e.awaitOneLeader(3, BOUND);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String output(LocalEnsemble e, int sid) {
        try {
            return e.output(sid);
        } catch (java.io.IOException x) {
            return "";
        }
    }
}
