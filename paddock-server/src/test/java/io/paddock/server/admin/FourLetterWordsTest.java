package io.paddock.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.ServerConfig;
import java.nio.file.Path;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.zookeeper.server.ZooTrace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves each four-letter word answers with ZooKeeper 3.9's text (line names, order, separators,
 * hex zxids and session ids, the trailing blank lines), that the whitelist refuses with
 * ZooKeeper's sentence, and that a server not serving answers as ZooKeeper's does.
 * Expected texts are written from ZooKeeper's command classes (StatCommand, ConsCommand,
 * ServerCnxn.dumpConnectionInfo, ZooKeeperServer.dumpConf, WatchManager, ExpiryQueue.dump).
 */
class FourLetterWordsTest {
    private static final String VERSION_LINE = "Zookeeper version: " + PaddockVersion.fullVersion() + "\n";

    private final FakeAdminView view = new FakeAdminView();
    private FourLetterWords words;

    private static ServerConfig config(String whitelist) {
        Properties p = new Properties();
        p.setProperty("dataDir", "/var/lib/paddock");
        p.setProperty("dataLogDir", "/var/log/paddock");
        p.setProperty("tickTime", "2000");
        p.setProperty("4lw.commands.whitelist", whitelist);
        return ServerConfig.fromProperties(p);
    }

    @BeforeEach
    void setUp() {
        words = new FourLetterWords(config("*"), view);
        view.zxid = 0x10000002aL;
        view.nodes = 7;
        view.received = 10;
        view.sent = 9;
        view.alive = 2;
        view.latency = LatencyStats.EMPTY.plus(1).plus(1).plus(5);
    }

    private String answer(String word) {
        return words.answer(FourLetterWord.fromWord(word));
    }

    private static ConnectionInfo withSession() {
        return new ConnectionInfo("/127.0.0.1:53412", 1, 0, 12, 11, 0x1000001f2a30000L, "GETD",
            1_700_000_000_000L, 30000, 0x2a, 0x10000002aL, 1_700_000_100_000L, 3, 0, 1, 4);
    }

    private static ConnectionInfo withoutSession() {
        return new ConnectionInfo("/10.0.0.9:40000", 0, 0, 1, 0, 0, LastOperation.NONE,
            1_700_000_000_000L, 0, -1, -1, 0, 0, 0, 0, 0);
    }

    @Test
    void wordOutsideTheWhitelistIsRefusedWithZooKeepersSentence() {
        words = new FourLetterWords(config("ruok"), view);
        assertEquals("mntr is not executed because it is not in the whitelist.\n", answer("mntr"));
        assertEquals("imok", answer("ruok"));
        assertTrue(answer("srvr").startsWith(VERSION_LINE), "srvr is always allowed");
    }

    @Test
    void defaultWhitelistIsSrvrOnly() {
        Properties p = new Properties();
        p.setProperty("dataDir", "/d");
        words = new FourLetterWords(ServerConfig.fromProperties(p), view);
        for (FourLetterWord w : FourLetterWord.values()) {
            boolean refused = words.answer(w).endsWith(" is not executed because it is not in the whitelist.\n");
            assertEquals(w != FourLetterWord.SRVR, refused, w.word());
        }
    }

    @Test
    void elecAnswersTheViewsElectionHistoryAlsoWhenNotServing() {
        assertEquals("standalone: no elections\n", answer("elec"), "a standalone server's view");
        FakeAdminView electing = new FakeAdminView() {
            @Override public String electionHistory() {
                return "server 1: no elections yet\n";
            }
        };
        electing.serving = false;
        assertEquals("server 1: no elections yet\n", new FourLetterWords(config("*"), electing).answer(FourLetterWord.ELEC));
    }

    @Test
    void elecObeysTheWhitelist() {
        assertEquals("elec is not executed because it is not in the whitelist.\n",
            new FourLetterWords(config("ruok,srvr"), view).answer(FourLetterWord.ELEC));
        assertEquals("standalone: no elections\n", new FourLetterWords(config("elec"), view).answer(FourLetterWord.ELEC));
    }

    @Test
    void answerByCodeMatchesAnswerByWord() {
        int ruok = FourLetterWord.RUOK.code();
        assertEquals("imok", words.answer(ruok));
        assertEquals("", words.answer(FourLetterWord.TELNET_CLOSE_CODE));
        assertThrows(IllegalArgumentException.class, () -> words.answer(45));
    }

    @Test
    void srvr() {
        String expected = VERSION_LINE
            + "Latency min/avg/max: 1/2.3333/5\n"
            + "Received: 10\n"
            + "Sent: 9\n"
            + "Connections: 2\n"
            + "Outstanding: 0\n"
            + "Zxid: 0x10000002a\n"
            + "Mode: standalone\n"
            + "Node count: 7\n";
        assertEquals(expected, answer("srvr"));
    }

    @Test
    void statListsClientsBriefly() {
        view.connections = List.of(withSession(), withoutSession());
        String expected = VERSION_LINE
            + "Clients:\n"
            + " /127.0.0.1:53412[1](queued=0,recved=12,sent=11)\n"
            + " /10.0.0.9:40000[0](queued=0,recved=1,sent=0)\n"
            + "\n"
            + "Latency min/avg/max: 1/2.3333/5\n"
            + "Received: 10\nSent: 9\nConnections: 2\nOutstanding: 0\nZxid: 0x10000002a\n"
            + "Mode: standalone\nNode count: 7\n";
        assertEquals(expected, answer("stat"));
    }

    @Test
    void leaderAddsProposalSizes() {
        FakeAdminView leader = new FakeAdminView() {
            @Override public String proposalSizes() {
                return "-1/-1/-1";
            }
        };
        leader.state = "leader";
        String srvr = new FourLetterWords(config("*"), leader).answer(FourLetterWord.SRVR);
        assertTrue(srvr.endsWith("Mode: leader\nNode count: 0\nProposal sizes last/min/max: -1/-1/-1\n"), srvr);
    }

    @Test
    void consListsEveryConnectionInFull() {
        view.connections = List.of(withSession(), withoutSession());
        String expected = " /127.0.0.1:53412[1](queued=0,recved=12,sent=11,sid=0x1000001f2a30000,lop=GETD,"
            + "est=1700000000000,to=30000,lcxid=0x2a,lzxid=0x10000002a,lresp=1700000100000,llat=3,"
            + "minlat=0,avglat=1,maxlat=4)\n"
            + " /10.0.0.9:40000[0](queued=0,recved=1,sent=0)\n"
            + "\n";
        assertEquals(expected, answer("cons"));
    }

    @Test
    void consOmitsLcxidBeforeAnyRequest() {
        ConnectionInfo fresh = new ConnectionInfo("/127.0.0.1:1", 1, 0, 1, 1, 0x5L, "SESS", 7, 4000, -1, 0, 8, 0, 0,
            0, 0);
        view.connections = List.of(fresh);
        assertEquals(" /127.0.0.1:1[1](queued=0,recved=1,sent=1,sid=0x5,lop=SESS,est=7,to=4000,lzxid=0x0,"
            + "lresp=8,llat=0,minlat=0,avglat=0,maxlat=0)\n\n", answer("cons"));
    }

    @Test
    void confPrintsZooKeepersKeysWithBoundPortAndSizes() {
        view.port = 43210;
        view.dataDirSize = 1234;
        view.logDirSize = 5678;
        String expected = "clientPort=43210\n"
            + "secureClientPort=-1\n"
            + "dataDir=" + Path.of("/var/lib/paddock").toAbsolutePath() + "\n"
            + "dataDirSize=1234\n"
            + "dataLogDir=" + Path.of("/var/log/paddock").toAbsolutePath() + "\n"
            + "dataLogSize=5678\n"
            + "tickTime=2000\n"
            + "maxClientCnxns=60\n"
            + "minSessionTimeout=4000\n"
            + "maxSessionTimeout=40000\n"
            + "clientPortListenBacklog=-1\n"
            + "serverId=0\n";
        assertEquals(expected, answer("conf"));
    }

    @Test
    void confOfAnEnsembleMemberEndsWithItsIdQuorumSettingsAndMembership() {
        FakeAdminView member = new FakeAdminView() {
            @Override public long serverId() {
                return 2;
            }

            @Override public String quorumConf() {
                return "initLimit=10\nmembership: \nserver.2=h:1:2:participant\nversion=0";
            }
        };
        String conf = new FourLetterWords(config("*"), member).answer(FourLetterWord.CONF);
        assertTrue(conf.endsWith("clientPortListenBacklog=-1\nserverId=2\ninitLimit=10\nmembership: \n"
                + "server.2=h:1:2:participant\nversion=0"), conf);
    }

    @Test
    void mntrIsTabSeparatedWithZooKeepersKeys() {
        view.watches = 3;
        view.ephemeralCount = 1;
        view.dataSize = 27;
        view.sessions = 2;
        view.uptime = 5000;
        view.openFds = 42;
        view.maxFds = 1024;
        view.extra.put("followers", 2);
        view.extra.put("synced_followers", 2L);
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : answer("mntr").split("\n")) {
            String[] kv = line.split("\t", -1);
            assertEquals(2, kv.length, line);
            lines.put(kv[0], kv[1]);
        }
        assertTrue(lines.get("zk_version").startsWith("3.9.5-"), lines.get("zk_version"));
        assertEquals("standalone", lines.get("zk_server_state"));
        assertEquals("2.3333", lines.get("zk_avg_latency"));
        assertEquals("5", lines.get("zk_max_latency"));
        assertEquals("1", lines.get("zk_min_latency"));
        assertEquals("10", lines.get("zk_packets_received"));
        assertEquals("9", lines.get("zk_packets_sent"));
        assertEquals("2", lines.get("zk_num_alive_connections"));
        assertEquals("0", lines.get("zk_outstanding_requests"));
        assertEquals("5000", lines.get("zk_uptime"));
        assertEquals("7", lines.get("zk_znode_count"));
        assertEquals("3", lines.get("zk_watch_count"));
        assertEquals("1", lines.get("zk_ephemerals_count"));
        assertEquals("27", lines.get("zk_approximate_data_size"));
        assertEquals("2", lines.get("zk_global_sessions"));
        assertEquals("42", lines.get("zk_open_file_descriptor_count"));
        assertEquals("1024", lines.get("zk_max_file_descriptor_count"));
        assertEquals("2", lines.get("zk_followers"));
        assertEquals("2", lines.get("zk_synced_followers"));
        assertEquals(List.of("zk_version", "zk_server_state"), List.copyOf(lines.keySet()).subList(0, 2));
    }

    @Test
    void mntrPrintsAnEmptyAverageAsADouble() {
        view.latency = LatencyStats.EMPTY;
        String mntr = answer("mntr");
        assertTrue(mntr.contains("zk_avg_latency\t0.0\n"), mntr);
        assertTrue(mntr.contains("zk_min_latency\t0\n"), mntr);
        assertFalse(mntr.contains("file_descriptor"), "unknown fd counts are left out, as on non-Unix ZooKeeper");
    }

    @Test
    void watchWords() {
        view.dataWatches.put(0x11L, new TreeSet<>(List.of("/a", "/b")));
        view.dataWatches.put(0x22L, new TreeSet<>(List.of("/b")));
        assertEquals("2 connections watching 2 paths\nTotal watches:3\n", answer("wchs"));
        assertEquals("0x11\n\t/a\n\t/b\n0x22\n\t/b\n\n", answer("wchc"));
        assertEquals("/a\n\t0x11\n/b\n\t0x11\n\t0x22\n\n", answer("wchp"));
    }

    /** addWatch keeps a watch on a null path (as ZooKeeper does); the words print it as "null". */
    @Test
    void watchWordsWithAWatchOnANullPath() {
        TreeSet<String> paths = new TreeSet<>(AdminView.PATH_ORDER);
        paths.addAll(java.util.Arrays.asList(null, "/a"));
        view.dataWatches.put(0x11L, paths);
        assertEquals("1 connections watching 2 paths\nTotal watches:2\n", answer("wchs"));
        assertEquals("0x11\n\tnull\n\t/a\n\n", answer("wchc"));
        assertEquals("null\n\t0x11\n/a\n\t0x11\n\n", answer("wchp"));
    }

    @Test
    void watchWordsWithNoWatches() {
        assertEquals("0 connections watching 0 paths\nTotal watches:0\n", answer("wchs"));
        assertEquals("\n", answer("wchc"));
        assertEquals("\n", answer("wchp"));
    }

    /** On a follower or observer, as ZooKeeper's LearnerSessionTracker: every session with its timeout. */
    @Test
    void aLearnersDumpListsItsGlobalSessionsWithTheirTimeouts() {
        view.state = "follower";
        view.timeouts.put(0x100053621890000L, 15_000);
        view.timeouts.put(0xbL, 4_000);
        view.ephemerals.put(0xbL, new TreeSet<>(List.of("/e")));
        assertEquals("SessionTracker dump:\n"
            + "Global Sessions(2):\n"
            + "0xb\t4000ms\n"
            + "0x100053621890000\t15000ms\n"
            + "ephemeral nodes dump:\n"
            + "Sessions with Ephemerals (1):\n"
            + "0xb:\n"
            + "\t/e\n"
            + "Connections dump:\n", answer("dump"));
    }

    @Test
    void dumpListsExpiryBucketsThenEphemerals() {
        long t1 = 1_700_000_004_000L;
        long t2 = 1_700_000_006_000L;
        view.buckets = List.of(new SessionExpiryBucket(t1, List.of(0xaL)), new SessionExpiryBucket(t2, List.of(0xbL, 0xcL)));
        view.ephemerals.put(0xbL, new TreeSet<>(List.of("/lock/x", "/svc/y")));
        String expected = "SessionTracker dump:\n"
            + "Session Sets (2)/(3):\n"
            + "1 expire at " + new Date(t1) + ":\n"
            + "\t0xa\n"
            + "2 expire at " + new Date(t2) + ":\n"
            + "\t0xb\n"
            + "\t0xc\n"
            + "ephemeral nodes dump:\n"
            + "Sessions with Ephemerals (1):\n"
            + "0xb:\n"
            + "\t/lock/x\n"
            + "\t/svc/y\n"
            + "Connections dump:\n";
        assertEquals(expected, answer("dump"));
    }

    @Test
    void smallWords() {
        view.dataDirSize = 10;
        view.logDirSize = 20;
        view.digests.put(0x100000001L, 123456789L);
        assertEquals("rw", answer("isro"));
        assertEquals("imok", answer("ruok"));
        assertEquals("datadir_size: 10\nlogdir_size: 20\n", answer("dirs"));
        assertEquals("100000001: 123456789\n", answer("hash"));
        assertEquals(Long.toString(ZooTrace.getTextTraceLevel()), answer("gtmk"));
        assertEquals("Server stats reset.\n", answer("srst"));
        assertEquals(1, view.serverStatsResets);
        assertEquals("Connection stats reset.\n", answer("crst"));
        assertEquals(1, view.connectionStatsResets);
    }

    @Test
    void enviListsZooKeepersKeysInOrder() {
        String[] lines = answer("envi").split("\n");
        assertEquals("Environment:", lines[0]);
        assertTrue(lines[1].startsWith("zookeeper.version=3.9.5-paddock-"), lines[1]);
        assertTrue(lines[2].startsWith("host.name="), lines[2]);
        assertEquals("java.version=" + System.getProperty("java.version"), lines[3]);
        assertTrue(lines[lines.length - 1].matches("os\\.memory\\.total=\\d+MB"), lines[lines.length - 1]);
        assertEquals(19, lines.length);
    }

    @Test
    void notServingAnswersAsZooKeeper() {
        view.serving = false;
        String notServing = "This ZooKeeper instance is not currently serving requests";
        for (String w : List.of("srvr", "stat", "cons", "conf", "mntr", "wchs", "wchc", "wchp", "dump", "dirs",
                "srst", "crst")) {
            assertEquals(notServing + "\n", answer(w), w);
        }
        assertEquals(notServing, answer("hash"));
        assertEquals("null", answer("isro"));
        assertEquals("imok", answer("ruok"));
        assertTrue(answer("envi").startsWith("Environment:\n"));
        assertEquals(0, view.serverStatsResets);
    }
}
