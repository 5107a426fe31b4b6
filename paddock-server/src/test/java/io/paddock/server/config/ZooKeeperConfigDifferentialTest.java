package io.paddock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves, with ZooKeeper 3.9.5's own parser as the oracle, that the same standalone zoo.cfg
 * yields the same tickTime, resolved session timeouts, connection limit, dataLogDir fallback
 * and autopurge settings. Only keys QuorumPeerConfig handles itself are used, so the oracle does
 * not set system properties.
 */
class ZooKeeperConfigDifferentialTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "tickTime=2000",
        "tickTime=500\nminSessionTimeout=-1\nmaxSessionTimeout=-1",
        "tickTime=100\nminSessionTimeout=1000",
        "maxSessionTimeout=900000\nmaxClientCnxns=0",
        "dataLogDir=/tmp/paddock-oracle-log\nautopurge.snapRetainCount=1\nautopurge.purgeInterval=6",
        "initLimit=10\nsyncLimit=5\nmaxClientCnxns=200",
    })
    void sameAnswersAsZooKeeper(String extraLines) throws Exception {
        Properties p = new Properties();
        p.load(new java.io.StringReader("dataDir=/tmp/paddock-oracle\nclientPort=2181\n" + extraLines));

        QuorumPeerConfig zk = new QuorumPeerConfig();
        zk.parseProperties(p);
        ServerConfig ours = ServerConfig.fromProperties(p);

        assertEquals(zk.getTickTime(), ours.tickTime());
        assertEquals(zk.getMinSessionTimeout(), ours.minSessionTimeout());
        assertEquals(zk.getMaxSessionTimeout(), ours.maxSessionTimeout());
        assertEquals(zk.getMaxClientCnxns(), ours.maxClientCnxns());
        assertEquals(zk.getDataDir().toPath(), ours.dataDir());
        assertEquals(zk.getDataLogDir().toPath(), ours.dataLogDir());
        assertEquals(zk.getSnapRetainCount(), ours.snapRetainCount());
        assertEquals(zk.getPurgeInterval(), ours.purgeIntervalHours());
        assertEquals(zk.getClientPortAddress().getPort(), ours.clientPort());
    }

    /**
     * /zookeeper/config and {@code conf}'s membership: the same server.N lines give ZooKeeper's
     * QuorumMaj text byte for byte (client ports with and without an address, observers, IPv6
     * literals, roles in any case, ids whose hash order is not ascending).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890",
        "server.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182\n"
            + "server.3=localhost:2890:3890:OBSERVER;2183",
        "server.1=[::1]:2888:3888;[::1]:2181\nserver.2=[fe80::1]:2889:3889:Participant;2182\n"
            + "server.3=127.0.0.1:2890:3890:observer",
        "server.3=127.0.0.1:2890:3890\nserver.17=127.0.0.1:2891:3891\nserver.1=127.0.0.1:2888:3888\n"
            + "server.100=127.0.0.1:2892:3892:observer\nserver.33=127.0.0.1:2893:3893",
    })
    void membershipTextIsZooKeepers(String serverLines, @TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("myid"), "1\n"); // ZooKeeper reads it for a quorum config
        Properties p = new Properties();
        p.load(new java.io.StringReader("dataDir=" + dataDir + "\nclientPort=2181\ninitLimit=10\nsyncLimit=5\n"
                + serverLines));

        QuorumPeerConfig zk = new QuorumPeerConfig();
        zk.parseProperties(p);
        ServerConfig ours = ServerConfig.fromProperties(p);

        assertEquals(zk.getQuorumVerifier().toString(), ours.membershipText());
    }

    /**
     * The membership's line order is ZooKeeper's also where ids share a hash bucket (1, 17, 33...):
     * it follows the order zoo.cfg's properties iterate every key in, which other keys change.
     */
    @org.junit.jupiter.api.Test
    void membershipOrderIsZooKeepersWithCollidingIds(@TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("myid"), "1\n");
        java.util.Random random = new java.util.Random(42);
        long[] ids = {1, 17, 33, 2, 18, 49, 3, 65};
        String[] extras = {"tickTime=2000", "maxClientCnxns=10", "autopurge.snapRetainCount=3", "syncLimit=5",
            "initLimit=10", "4lw.commands.whitelist=*", "admin.enableServer=false", "electionAlg=3"};
        for (int round = 0; round < 100; round++) {
            List<String> lines = new java.util.ArrayList<>(List.of("dataDir=" + dataDir, "clientPort=2181"));
            for (String e : extras) {
                if (random.nextBoolean() || e.startsWith("initLimit") || e.startsWith("syncLimit")) {
                    lines.add(e);
                }
            }
            int n = 2 + random.nextInt(ids.length - 1);
            for (int i = 0; i < n; i++) {
                lines.add("server." + ids[i] + "=127.0.0.1:" + (2888 + i) + ":" + (3888 + i));
            }
            java.util.Collections.shuffle(lines, random);
            Properties p = new Properties();
            p.load(new java.io.StringReader(String.join("\n", lines)));
            QuorumPeerConfig zk = new QuorumPeerConfig();
            zk.parseProperties(p);
            assertEquals(zk.getQuorumVerifier().toString(), ServerConfig.fromProperties(p).membershipText(), lines.toString());
        }
    }

    /**
     * Where an ensemble member listens for clients when its server.N line gives a client port
     * (ZooKeeper 3.5's {@code ;[address:]port}), with and without clientPort/clientPortAddress in
     * zoo.cfg: the same port and address as ZooKeeper's, and the same refusals when they disagree.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "server.1=127.0.0.1:2888:3888;2191",
        "server.1=127.0.0.1:2888:3888;127.0.0.1:2192",
        "clientPort=2191\nserver.1=127.0.0.1:2888:3888;2191",
        "clientPort=2191\nserver.1=127.0.0.1:2888:3888;2192",
        "clientPort=2191\nclientPortAddress=127.0.0.1\nserver.1=127.0.0.1:2888:3888;127.0.0.2:2191",
        "clientPort=2191\nclientPortAddress=127.0.0.1\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2191",
        "clientPort=2191\nclientPortAddress=0.0.0.0\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2191",
        "clientPort=2191\nclientPortAddress=127.0.0.1\nserver.1=127.0.0.1:2888:3888;2191",
        "clientPort=2191\nserver.1=127.0.0.1:2888:3888",
        "clientPortAddress=127.0.0.1\nserver.1=127.0.0.1:2888:3888;2191",
        "clientPort=2191\nclientPortAddress=localhost\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2191",
        "clientPort=2191\nclientPortAddress=::\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2191",
    })
    void memberClientAddressIsZooKeepers(String lines, @TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("myid"), "1\n");
        Properties p = new Properties();
        p.load(new java.io.StringReader("dataDir=" + dataDir + "\ninitLimit=10\nsyncLimit=5\n" + lines
                + "\nserver.2=127.0.0.1:2889:3889;2193\nserver.3=127.0.0.1:2890:3890;2194"));

        QuorumPeerConfig zk = new QuorumPeerConfig();
        String zkRefusal = null;
        try {
            zk.parseProperties(p);
        } catch (QuorumPeerConfig.ConfigException | IllegalArgumentException e) {
            zkRefusal = e.getMessage(); // ZooKeeper refuses some with an IllegalArgumentException
        }
        ServerConfig ours;
        try {
            ours = ServerConfig.fromProperties(p).forMember(1);
        } catch (ServerConfig.ConfigException e) {
            assertNotNull(zkRefusal, "ZooKeeper takes it, we refused: " + e.getMessage());
            return;
        }
        assertNull(zkRefusal, "ZooKeeper refuses it, we took it");
        java.net.InetSocketAddress theirs = zk.getClientPortAddress();
        assertEquals(theirs.getPort(), ours.clientPort());
        if (theirs.getAddress().isAnyLocalAddress()) {
            assertTrue(ours.clientPortAddress() == null || ours.clientPortAddress().equals("0.0.0.0"),
                    ours.clientPortAddress());
        } else {
            assertEquals(theirs.getHostString(), ours.clientPortAddress());
        }
    }
}
