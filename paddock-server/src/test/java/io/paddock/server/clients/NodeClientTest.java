package io.paddock.server.clients;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that node-zookeeper-client 1.1.3 (Node.js) works against Paddock unchanged. This client
 * sends the old ConnectRequest without the readOnly byte and learns that its close is done only
 * when the server closes the socket. node_check.js runs the same checks as the other client
 * programs, plus the client's ACL constants (CREATOR_ALL_ACL, READ_ACL_UNSAFE, OPEN_ACL_UNSAFE)
 * and digest ACLs, empty and absent (null) data, and empty auth credentials (sent as an empty
 * buffer, which ZooKeeper accepts), against Paddock and against Apache ZooKeeper.
 *
 * <p>The same program also passes with only a follower of a three-server Paddock ensemble as
 * its server: its writes go through the leader, its reads and watches are the follower's.
 */
class NodeClientTest {
    private static final List<String> COMMAND = List.of(
            "node", ClientChecks.clientsFolder().resolve("node_check.js").toString());

    @BeforeEach
    void nodeClientIsInstalled() throws Exception {
        assumeTrue(InstalledClients.nodeClientInstalled(),
                "node-zookeeper-client not installed in " + InstalledClients.nodeModules() + ": "
                        + ClientChecks.INSTALL_HINT);
    }

    private static Map<String, String> env() {
        return Map.of("NODE_PATH", InstalledClients.nodeModules().toString());
    }

    @Test
    void passesAgainstZooKeeper() throws Exception {
        ClientChecks.passAgainstZooKeeper(COMMAND, env());
    }

    @Test
    void passesAgainstPaddock() throws Exception {
        ClientChecks.passAgainstPaddock(COMMAND, env());
    }

    @Test
    void passesAgainstAFollowerOfAPaddockEnsemble() throws Exception {
        ClientChecks.passAgainstPaddockEnsemble(COMMAND, env());
    }

    /**
     * node_failover.js writes 300 nodes one by one through a follower while the leader is closed
     * after the first 40: no call fails, the connection and session survive with their ephemeral,
     * and every node is there.
     */
    @Test
    void writesThroughAFollowerRideThroughTheLossOfTheLeader() throws Exception {
        ClientChecks.passAcrossLeaderLoss(List.of("node",
                ClientChecks.clientsFolder().resolve("node_failover.js").toString()), env(), 300, 40);
    }
}
