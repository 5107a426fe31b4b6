package io.paddock.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.server.ServerConfig;
import java.util.Properties;
import org.apache.zookeeper.server.ServerStats;
import org.apache.zookeeper.server.metric.AvgMinMaxCounter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves, with ZooKeeper 3.9.5's own classes as the oracle, that the statistics block of
 * srvr/stat (ServerStats.toString) and the latency summary (AvgMinMaxCounter: 0 when empty,
 * average rounded half-up to four decimals) come out byte for byte the same.
 */
class ZooKeeperStatsDifferentialTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "1,1,5", "3,7", "1,2,2,2,2,2,9", "1000000,1,1"})
    void latencySummaryMatchesAvgMinMaxCounter(String samples) {
        AvgMinMaxCounter zk = new AvgMinMaxCounter("request_latency");
        LatencyStats ours = LatencyStats.EMPTY;
        for (String s : samples.isEmpty() ? new String[0] : samples.split(",")) {
            zk.add(Long.parseLong(s));
            ours = ours.plus(Long.parseLong(s));
        }
        assertEquals(zk.getMin(), ours.minMs());
        assertEquals(zk.getMax(), ours.maxMs());
        assertEquals(zk.getAvg(), ours.avgMs());
        assertEquals(zk.getCount(), ours.count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"standalone", "leader", "follower"})
    void statBlockMatchesServerStatsToString(String mode) {
        ServerStats zk = new ServerStats(new ServerStats.Provider() {
            @Override public long getOutstandingRequests() { return 3; }
            @Override public long getLastProcessedZxid() { return 0x200000010L; }
            @Override public String getState() { return mode; }
            @Override public int getNumAliveConnections() { return 4; }
            @Override public long getDataDirSize() { return 0; }
            @Override public long getLogDirSize() { return 0; }
        });
        for (int i = 0; i < 12; i++) {
            zk.incrementPacketsReceived();
        }
        for (int i = 0; i < 11; i++) {
            zk.incrementPacketsSent();
        }

        FakeAdminView view = new FakeAdminView();
        view.outstanding = 3;
        view.zxid = 0x200000010L;
        view.state = mode;
        view.alive = 4;
        view.received = 12;
        view.sent = 11;
        view.nodes = 5;
        Properties p = new Properties();
        p.setProperty("dataDir", "/d");
        String srvr = new FourLetterWords(ServerConfig.fromProperties(p), view).answer(FourLetterWord.SRVR);

        String expected = "Zookeeper version: " + PaddockVersion.fullVersion() + "\n" + zk + "Node count: 5\n";
        assertEquals(expected, srvr);
    }
}
