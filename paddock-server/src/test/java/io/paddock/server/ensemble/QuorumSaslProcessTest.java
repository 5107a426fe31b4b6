package io.paddock.server.ensemble;

import static io.paddock.server.ensemble.EnsembleClients.BOUND;
import static io.paddock.server.ensemble.EnsembleClients.writeThroughEachAndReadThroughAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL (DIGEST-MD5) between the servers of a mixed ensemble, as ZooKeeper's documentation sets it
 * up: {@code quorum.auth.enableSasl}, {@code learnerRequireSasl} and {@code serverRequireSasl} on
 * every server, a JAAS file with the {@code QuorumServer} and {@code QuorumLearner} sections,
 * Apache ZooKeeper 3.9.5 (QuorumPeerMain, with {@code fips-mode=false}: its learners use
 * DIGEST-MD5 only then) beside two Paddock servers: they elect and replicate through a leader's
 * kill -9 and its return, each connection authenticated; a server with the wrong password is kept
 * out, and says why.
 */
class QuorumSaslProcessTest {
    @TempDir
    Path dir;

    private Path jaas(String learnerPassword) throws Exception {
        Path file = dir.resolve("jaas-" + learnerPassword + ".conf");
        Files.writeString(file, "QuorumServer {\n"
                + "    org.apache.zookeeper.server.auth.DigestLoginModule required\n"
                + "    user_quorum=\"quorum-secret\";\n"
                + "};\n"
                + "QuorumLearner {\n"
                + "    org.apache.zookeeper.server.auth.DigestLoginModule required\n"
                + "    username=\"quorum\"\n"
                + "    password=\"" + learnerPassword + "\";\n"
                + "};\n");
        return file;
    }

    private static void saslEverywhere(LocalEnsemble e) throws Exception {
        e.configureAll("quorum.auth.enableSasl=true");
        e.configureAll("quorum.auth.learnerRequireSasl=true");
        e.configureAll("quorum.auth.serverRequireSasl=true");
        e.configureAll("fips-mode=false");
    }

    private static final String PADDOCK_AUTH_LOG =
            "-Dorg.slf4j.simpleLogger.log.io.paddock.server.quorum.QuorumAuthExchange=info";
    private static final String ZK_AUTH_LOG =
            "-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.quorum.auth=info";

    @Test
    void zooKeeperAndPaddockServersAuthenticateEachOtherAndReplicateThroughALeadersKill() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir.resolve("ensemble"), 3)) {
            saslEverywhere(e);
            String flag = "-Djava.security.auth.login.config=" + jaas("quorum-secret");
            e.startZooKeeper(1, flag, ZK_AUTH_LOG);
            e.start(2, flag, PADDOCK_AUTH_LOG);
            e.start(3, flag, PADDOCK_AUTH_LOG);
            e.awaitOneLeader(3, BOUND);
            AtomicBoolean expired = new AtomicBoolean();
            writeThroughEachAndReadThroughAll(e, expired, "/sasl-", "a");
            e.await("ZooKeeper authenticated a Paddock server", BOUND,
                    () -> output(e, 1).contains("Successfully completed the authentication using SASL"));
            e.await("a Paddock server authenticated ZooKeeper's", BOUND,
                    () -> (output(e, 2) + output(e, 3)).contains("from /127.0.0.1")
                            && (output(e, 2) + output(e, 3)).contains("authenticated with SASL as quorum"));

            int leader = e.leader();
            e.kill9(leader);
            e.awaitOneLeader(2, BOUND);
            if (leader == 1) {
                e.startZooKeeper(1, flag, ZK_AUTH_LOG);
            } else {
                e.start(leader, flag, PADDOCK_AUTH_LOG);
            }
            e.awaitOneLeader(3, BOUND);
            writeThroughEachAndReadThroughAll(e, expired, "/sasl-", "b");
            assertFalse(expired.get(), "no session expired");
        }
    }

    /**
     * ZooKeeper's first step of its rolling change: quorum.auth.enableSasl on every server, nothing
     * required yet. The servers elect and replicate, through a restart of each Paddock server (a
     * server that connects back without SASL and has no vote to send says nothing, which once kept
     * a restarted server out).
     */
    @Test
    void withSaslEnabledAndNothingRequiredTheMixedEnsembleServesThroughRestarts() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir.resolve("enabled"), 3)) {
            e.configureAll("quorum.auth.enableSasl=true");
            e.configureAll("fips-mode=false");
            String flag = "-Djava.security.auth.login.config=" + jaas("quorum-secret");
            e.startZooKeeper(1, flag, ZK_AUTH_LOG);
            e.start(2, flag);
            e.start(3, flag);
            e.awaitOneLeader(3, BOUND);
            AtomicBoolean expired = new AtomicBoolean();
            writeThroughEachAndReadThroughAll(e, expired, "/enabled-", "a");
            for (int sid : new int[] {2, 3}) {
                e.kill9(sid);
                e.start(sid, flag);
                e.awaitOneLeader(3, BOUND);
                writeThroughEachAndReadThroughAll(e, expired, "/enabled-", "r" + sid);
            }
            assertFalse(expired.get(), "no session expired");
        }
    }

    /** A Paddock server whose QuorumLearner password is wrong cannot join; the other two serve. */
    @Test
    void aServerWithTheWrongPasswordIsKeptOut() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir.resolve("wrong"), 3)) {
            saslEverywhere(e);
            String flag = "-Djava.security.auth.login.config=" + jaas("quorum-secret");
            e.startZooKeeper(1, flag, ZK_AUTH_LOG);
            e.start(2, flag);
            e.awaitOneLeader(2, BOUND);
            e.start(3, "-Djava.security.auth.login.config=" + jaas("not-the-secret"));
            e.await("server 3 says it was refused", BOUND,
                    () -> output(e, 3).contains("SASL authentication of"));
            e.holdsThroughout("server 3 stays out", Duration.ofSeconds(2), () -> e.mode(3).isEmpty());
            assertTrue(e.mode(1).equals("leader") || e.mode(2).equals("leader"), e.modes().toString());
        }
    }

    /**
     * A Paddock server with SASL enabled but not required of itself (it opens its connections
     * without it, as a server midway through ZooKeeper's rolling change does) is kept out by
     * servers that require it: ZooKeeper and Paddock close its connections alike.
     */
    @Test
    void aServerThatDoesNotAuthenticateIsKeptOutWhereItIsRequired() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir.resolve("none"), 3)) {
            saslEverywhere(e);
            e.configure(3, "quorum.auth.serverRequireSasl=false");
            e.configure(3, "quorum.auth.learnerRequireSasl=false");
            String flag = "-Djava.security.auth.login.config=" + jaas("quorum-secret");
            e.startZooKeeper(1, flag, ZK_AUTH_LOG);
            e.start(2, flag, PADDOCK_AUTH_LOG);
            e.awaitOneLeader(2, BOUND);
            e.start(3, flag);
            e.await("server 2 refuses server 3's connection", BOUND,
                    () -> output(e, 2).contains("did not authenticate with SASL (quorum.auth.serverRequireSasl=true)"));
            e.holdsThroughout("server 3 stays out", Duration.ofSeconds(2), () -> e.mode(3).isEmpty());
        }
    }

    private static String output(LocalEnsemble e, int sid) {
        try {
            return e.output(sid);
        } catch (java.io.IOException x) {
            return "";
        }
    }
}
