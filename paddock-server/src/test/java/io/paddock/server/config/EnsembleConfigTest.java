package io.paddock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.Main;
import io.paddock.server.PaddockServer;
import io.paddock.server.ServerConfig;
import io.paddock.server.ServerConfig.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves that a zoo.cfg describing an ensemble never runs as a standalone server: with two or
 * more voting {@code server.N} lines (or {@code standaloneEnabled=false}, or a dynamic config
 * file) the server refuses to start, naming the lines and saying that ensembles are not
 * supported yet, where running anyway would give each member its own diverging copy of the
 * data. One participant alone stays standalone, as in ZooKeeper; observers without a quorum and
 * malformed lines are errors naming the line. ZooKeeper 3.9.5's own parser is the oracle for
 * which configurations it runs as an ensemble, runs standalone, or refuses.
 */
class EnsembleConfigTest {
    private static final String THREE_SERVERS =
        "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890";

    @TempDir
    Path dir;

    private Properties props(String lines) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader("dataDir=" + dir + "\nclientPort=2181\ninitLimit=10\nsyncLimit=5\n" + lines));
        return p;
    }

    @Test
    void threeParticipantsAreAnEnsemble() throws Exception {
        ServerConfig c = ServerConfig.fromProperties(props(THREE_SERVERS));
        assertTrue(c.isEnsemble());
        assertNull(c.ensembleRefusal());
        assertNull(c.ensembleSettingsError());
        assertEquals(3, c.votingServers().size());
    }

    @Test
    void twoParticipantsWithAnObserverAreAnEnsemble() throws Exception {
        ServerConfig c = ServerConfig.fromProperties(props(
            "server.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888:observer"));
        assertTrue(c.isEnsemble());
        assertNull(c.ensembleRefusal());
        assertEquals(2, c.votingServers().size());
        assertEquals(3, c.servers().size());
    }

    @Test
    void oneParticipantRunsStandaloneAsInZooKeeper() throws Exception {
        ServerConfig c = ServerConfig.fromProperties(props("server.1=127.0.0.1:2888:3888;2181"));
        assertNull(c.ensembleRefusal());
        assertEquals(1, c.servers().size());
    }

    @Test
    void observersWithoutAQuorumAreAnError() throws Exception {
        for (String lines : new String[] {"server.1=a:2888:3888:observer",
                "server.1=a:2888:3888\nserver.2=b:2888:3888:observer"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromProperties(props(lines)));
            assertTrue(e.getMessage().contains("observers need a quorum"), e.getMessage());
        }
    }

    @Test
    void standaloneDisabledOrADynamicConfigFileRefuses() throws Exception {
        String quorumOfOne = ServerConfig.fromProperties(props("server.1=a:2888:3888\nstandaloneEnabled=false"))
            .ensembleRefusal();
        assertTrue(quorumOfOne.contains("standaloneEnabled=false"), quorumOfOne);
        ConfigException noServers = assertThrows(ConfigException.class,
            () -> ServerConfig.fromProperties(props("standaloneEnabled=false")));
        assertTrue(noServers.getMessage().contains("standaloneEnabled=false needs"), noServers.getMessage());
        String dynamic = ServerConfig.fromProperties(props("dynamicConfigFile=/etc/zk/zoo.cfg.dynamic")).ensembleRefusal();
        assertTrue(dynamic.contains("dynamicConfigFile=/etc/zk/zoo.cfg.dynamic"), dynamic);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "server.1=127.0.0.1:2888",
        "server.1=127.0.0.1",
        "server.x=127.0.0.1:2888:3888",
        "server.-1=127.0.0.1:2888:3888",
        "server.1=127.0.0.1:2888:3888:bogus",
        "server.1=127.0.0.1:99999:3888",
        "server.1=127.0.0.1:2888:0",
        "server.1=127.0.0.1:2888:3888:participant:extra",
        "server.1=127.0.0.1:2888:3888|127.0.0.2:2888:3888",
        "server.1=[::1:2888:3888",
        "server.1=:2888:3888",
        "server.1=127.0.0.1:2888:3888;abc",
        "server.1=127.0.0.1:2888:3888;:2181",
        "server.1=",
    })
    void aMalformedServerLineIsAnErrorNamingIt(String line) throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromProperties(props(line)));
        String key = line.substring(0, line.indexOf('='));
        assertTrue(e.getMessage().startsWith("Invalid server line " + key + "="), e.getMessage());
    }

    @Test
    void aServerIdGivenTwiceIsAnError() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
            () -> ServerConfig.fromProperties(props("server.1=a:2888:3888\nserver.01=b:2888:3888")));
        assertTrue(e.getMessage().contains("server id 1 is already given"), e.getMessage());
    }

    /** Where ZooKeeper runs an ensemble we refuse; where it runs standalone so do we; where it refuses, so do we. */
    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "server.1=127.0.0.1:2888:3888",
        "server.1=127.0.0.1:2888:3888;127.0.0.1:2181",
        "server.1=[::1]:2888:3888:participant;2181",
        "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889",
        THREE_SERVERS,
        "server.1=a:2888:3888:OBSERVER\nserver.2=b:2889:3889\nserver.3=c:2890:3890",
        "server.1=127.0.0.1:2888:3888:observer",
        "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889:observer",
        "server.1=127.0.0.1:2888:3888\nstandaloneEnabled=false",
        "standaloneEnabled=false",
        "server.1=127.0.0.1:2888",
        "server.1=127.0.0.1:2888:3888:bogus",
        "server.x=127.0.0.1:2888:3888",
        "server.1=127.0.0.1:99999:3888",
        "server.1=127.0.0.1:2888:3888|127.0.0.2:2888:3888",
    })
    void sameDecisionAsZooKeeper(String lines) throws Exception {
        Files.writeString(dir.resolve("myid"), "1");
        String zkDecision;
        try {
            QuorumPeerConfig zk = new QuorumPeerConfig();
            zk.parseProperties(props(lines));
            zkDecision = zk.isDistributed() ? "ensemble" : "standalone";
        } catch (QuorumPeerConfig.ConfigException | IllegalArgumentException e) {
            zkDecision = "refused";
        }
        String ours;
        try {
            ServerConfig c = ServerConfig.fromProperties(props(lines));
            ours = c.isEnsemble() || c.ensembleRefusal() != null ? "ensemble" : "standalone";
        } catch (ConfigException e) {
            ours = "refused";
        }
        assertEquals(zkDecision, ours, lines);
    }

    @Test
    void anEnsembleWithoutInitLimitExits1WithTheReason() throws Exception {
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, "dataDir=" + dir.resolve("data") + "\nclientPort=0\n" + THREE_SERVERS + "\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"server", cfg.toString()}, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, message);
        assertTrue(message.contains("initLimit is not set"), message);
        assertTrue(Files.notExists(dir.resolve("data")), "nothing may be written for a refused configuration");
    }

    @Test
    void anEnsembleMemberWithoutMyidExits1NamingTheFile() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, "dataDir=" + data + "\nclientPort=0\ninitLimit=10\nsyncLimit=5\n" + THREE_SERVERS + "\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"server", cfg.toString()}, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, message);
        assertTrue(message.contains(data.resolve("myid") + " file is missing"), message);
        Files.writeString(data.resolve("myid"), "9\n");
        err.reset();
        code = Main.run(new String[] {"server", cfg.toString()}, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, message);
        assertTrue(message.contains("says server id 9, but zoo.cfg has no server.9 line"), message);
    }

    @Test
    void ensembleKeysAreReadWithZooKeepersDefaults() throws Exception {
        ServerConfig c = ServerConfig.fromProperties(props(THREE_SERVERS));
        assertTrue(c.isEnsemble());
        assertEquals(10, c.initLimit());
        assertEquals(5, c.syncLimit());
        assertEquals(3, c.electionPortBindRetry());
        assertEquals(false, c.quorumListenOnAllIPs());
        assertEquals(200, c.electionFinalizeWaitMs());
        assertNull(c.peerType());
        ServerConfig set = ServerConfig.fromProperties(props(THREE_SERVERS
            + "\npeerType=Observer\nelectionPortBindRetry=0\nquorumListenOnAllIPs=true\npaddock.electionFinalizeWaitMs=50"));
        assertEquals("observer", set.peerType());
        assertEquals(0, set.electionPortBindRetry());
        assertTrue(set.quorumListenOnAllIPs());
        assertEquals(50, set.electionFinalizeWaitMs());
    }

    @Test
    void anEnsembleWithoutInitLimitOrSyncLimitIsRefused() throws Exception {
        Properties p = new Properties();
        p.load(new StringReader("dataDir=" + dir + "\nsyncLimit=5\n" + THREE_SERVERS));
        String error = ServerConfig.fromProperties(p).ensembleSettingsError();
        assertTrue(error.contains("initLimit is not set"), error);
        ConfigException bad = assertThrows(ConfigException.class,
            () -> ServerConfig.fromProperties(props(THREE_SERVERS + "\npeerType=voter")));
        assertTrue(bad.getMessage().contains("peerType: 'voter'"), bad.getMessage());
    }
}
