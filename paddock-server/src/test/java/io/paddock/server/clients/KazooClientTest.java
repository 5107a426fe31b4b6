package io.paddock.server.clients;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paddock.server.conformance.PaddockEnsembleTarget;
import io.paddock.server.conformance.PaddockTarget;
import io.paddock.server.conformance.ZooKeeperTarget;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that kazoo, the Python client, works against Paddock unchanged: kazoo_check.py
 * (connect, create/get/set with versions, BadVersion, ephemeral and sequential nodes, children,
 * data/exists/child watches fired from a second session, a good and a failing transaction,
 * every ACL helper kazoo ships (CREATOR_ALL_ACL, which kazoo sends as the auth scheme with a
 * null id, READ_ACL_UNSAFE, OPEN_ACL_UNSAFE, make_digest_acl, make_acl with an empty id), empty
 * data, an empty auth credential (sent as a null string), delete, ephemerals gone after close) passes against
 * Paddock, and against Apache ZooKeeper so that the script itself is known to expect
 * ZooKeeper's behaviour.
 *
 * <p>The same program also passes with only a follower of a three-server Paddock ensemble as
 * its server: its writes go through the leader, its reads and watches are the follower's.
 */
class KazooClientTest {
    private static final List<String> COMMAND = List.of(
            InstalledClients.DEBIAN_PYTHON.toString(),
            ClientChecks.clientsFolder().resolve("kazoo_check.py").toString());

    /** kazoo_reconnect.py's call count and seed: about 80 cuts on 2 cores. */
    private static final List<String> RECONNECT = List.of(
            InstalledClients.DEBIAN_PYTHON.toString(),
            ClientChecks.clientsFolder().resolve("kazoo_reconnect.py").toString(), "3000", "7");

    @BeforeEach
    void kazooIsInstalled() throws Exception {
        assumeTrue(InstalledClients.kazooInstalled(),
                "kazoo not installed for /usr/bin/python3: " + ClientChecks.INSTALL_HINT);
    }

    @Test
    void passesAgainstZooKeeper() throws Exception {
        ClientChecks.passAgainstZooKeeper(COMMAND, InstalledClients.debianPythonEnv());
    }

    @Test
    void passesAgainstPaddock() throws Exception {
        ClientChecks.passAgainstPaddock(COMMAND, InstalledClients.debianPythonEnv());
    }

    @Test
    void passesAgainstAFollowerOfAPaddockEnsemble() throws Exception {
        ClientChecks.passAgainstPaddockEnsemble(COMMAND, InstalledClients.debianPythonEnv());
    }

    /**
     * kazoo_failover.py writes 300 nodes one by one through a follower while the leader is closed
     * after the first 40: no call fails, the session and its ephemeral survive, kazoo never sees
     * its session lost, and every node is there (the follower keeps the connection and sends the
     * write in flight on to the new leader, or prepares it as the new leader).
     */
    @Test
    void writesThroughAFollowerRideThroughTheLossOfTheLeader() throws Exception {
        ClientChecks.passAcrossLeaderLoss(List.of(InstalledClients.DEBIAN_PYTHON.toString(),
                ClientChecks.clientsFolder().resolve("kazoo_failover.py").toString()),
                InstalledClients.debianPythonEnv(), 300, 40);
    }

    /**
     * kazoo_reconnect.py cuts kazoo's connection (through its own proxy) every 20-120 ms with 16
     * calls in flight, and delivers the cut connection's bytes late: every call that is answered
     * gets its own answer in the session's order (kazoo restarts its xids at 1 on each connection,
     * so the old and the new connection's requests share xids), and the session survives. Against
     * ZooKeeper, so that the program is known to expect ZooKeeper's behaviour.
     */
    @Test
    void eachCallGetsItsOwnAnswerAcrossCutConnectionsWithZooKeeper() throws Exception {
        ClientChecks.passAgainstEveryServer(ZooKeeperTarget::new, RECONNECT, InstalledClients.debianPythonEnv());
    }

    @Test
    void eachCallGetsItsOwnAnswerAcrossCutConnectionsWithPaddock() throws Exception {
        ClientChecks.passAgainstEveryServer(PaddockTarget::new, RECONNECT, InstalledClients.debianPythonEnv());
    }

    /** The same through a three-server Paddock ensemble: each new connection goes to any member. */
    @Test
    void eachCallGetsItsOwnAnswerAcrossCutConnectionsWithAPaddockEnsemble() throws Exception {
        ClientChecks.passAgainstEveryServer(PaddockEnsembleTarget::new, RECONNECT,
                InstalledClients.debianPythonEnv());
    }
}
