package io.paddock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.server.ServerConfig;
import java.util.Properties;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
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
}
