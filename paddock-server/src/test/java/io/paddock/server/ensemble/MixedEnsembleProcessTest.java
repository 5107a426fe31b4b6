package io.paddock.server.ensemble;

import static io.paddock.server.ensemble.EnsembleClients.BOUND;
import static io.paddock.server.ensemble.EnsembleClients.connect;
import static io.paddock.server.ensemble.EnsembleClients.createAll;
import static io.paddock.server.ensemble.EnsembleClients.syncWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paddock and Apache ZooKeeper 3.9.5 servers in one ensemble, each its own process on loopback:
 * ZooKeeper's quorum protocol is the oracle. Its servers check every proposal's tree digest against
 * their own trees and count mismatches (mntr), as ours do, so a tree that differs by one field
 * shows. What a user migrating server by server needs: a new, empty Paddock server joins a running
 * ZooKeeper ensemble (its leader sends the snapshot in ZooKeeper's streamed format), serves the
 * same data and sessions, and writes through it; a Paddock leader replicates to ZooKeeper
 * followers, sends a new ZooKeeper server its snapshot in ZooKeeper's format, and a ZooKeeper
 * leader takes over when it is killed.
 */
class MixedEnsembleProcessTest {
    /**
     * ZooKeeper's leader otherwise sends a learner the transactions it lacks from its log when the
     * log is small next to the snapshot; with this it sends a snapshot to any learner outside its
     * in-memory window of 500 commits, as it does for a large log.
     */
    private static final String ZK_SNAP_BEYOND_MEMORY = "-Dzookeeper.snapshotSizeFactor=-1";
    /** A mutable list: the client looks for null in it, which an immutable List.of refuses to do. */
    private static final List<ACL> IP_ACL = java.util.Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("ip", "127.0.0.1")));

    @TempDir
    Path dir;

    @Test
    void anEmptyPaddockServerJoinsAZooKeeperEnsembleBySnapAndServesItsDataAndSessions() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            startZooKeeperPair(e);
            AtomicBoolean expired = new AtomicBoolean();
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                paths.add("/app/n" + i);
            }
            AtomicBoolean ownerExpired = new AtomicBoolean(); // its session is moved, then closed, below
            try (ZooKeeper onZk = connect(e.connectString(1), expired);
                    ZooKeeper owner = connect(e.connectString(2), ownerExpired)) {
                onZk.create("/app", "root".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
                createAll(onZk, paths, null); // past ZooKeeper's in-memory window: a SNAP it must be
                onZk.create("/app/locked", new byte[] {1}, IP_ACL, CreateMode.PERSISTENT);
                onZk.create("/app/box", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
                onZk.create("/app/box/item", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                String seq = onZk.create("/app/seq-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
                owner.create("/app/mine", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                onZk.setData("/app/n7", "changed".getBytes(StandardCharsets.UTF_8), 0);
                onZk.delete("/app/n8", 0);
                paths.remove("/app/n8");
                for (String extra : List.of("/app", "/app/locked", "/app/box", "/app/box/item", seq, "/app/mine")) {
                    paths.add(extra);
                }

                e.start(3);
                e.await("server 3 (Paddock) follows the ZooKeeper leader", BOUND, () -> e.mode(3).equals("follower"));
                String out = output(e, 3);
                assertTrue(out.contains("installed the leader's snapshot"), "synced by SNAP, from a ZooKeeper leader:\n" + out);

                try (ZooKeeper onPaddock = connect(e.connectString(3), expired)) {
                    syncWith(onPaddock);
                    for (String path : paths) {
                        Stat zkStat = new Stat();
                        Stat ours = new Stat();
                        byte[] zkData = onZk.getData(path, false, zkStat);
                        assertArrayEquals(zkData, onPaddock.getData(path, false, ours), path);
                        assertEquals(zkStat, ours, path);
                    }
                    assertEquals(onZk.getACL("/app/locked", new Stat()), onPaddock.getACL("/app/locked", new Stat()));
                    assertEquals(onZk.getChildren("/app", false).stream().sorted().toList(),
                            onPaddock.getChildren("/app", false).stream().sorted().toList());
                    assertEquals(owner.getSessionId(), onPaddock.exists("/app/mine", false).getEphemeralOwner());

                    // A write through the Paddock follower goes to the ZooKeeper leader and back.
                    onPaddock.create("/from-paddock", "p".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.PERSISTENT);
                    onPaddock.setData("/app/n9", "set through paddock".getBytes(StandardCharsets.UTF_8), 0);
                    syncWith(onZk);
                    assertArrayEquals("p".getBytes(StandardCharsets.UTF_8), onZk.getData("/from-paddock", false, null));
                    assertArrayEquals("set through paddock".getBytes(StandardCharsets.UTF_8),
                            onZk.getData("/app/n9", false, null));

                    // The session the snapshot carried moves to the Paddock server with its id and password.
                    // Closing it there deletes its ephemeral on every server.
                    try (ZooKeeper moved = reconnect(e.connectString(3), owner)) {
                        assertEquals(owner.getSessionId(), moved.getSessionId(), "the same session, not a new one");
                        assertNotNull(moved.exists("/app/mine", false));
                        // Its writes go through: the Paddock follower told the ZooKeeper leader the session
                        // moved (REVALIDATE), which otherwise answers SESSIONMOVED to every one of them.
                        moved.create("/app/moved-write", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                        moved.setData("/app/mine", new byte[] {1}, -1);
                        syncWith(onZk);
                        assertNotNull(onZk.exists("/app/moved-write", false));
                    }
                    e.await("the closed session's ephemeral is gone on server 1", BOUND, () -> absent(onZk, "/app/mine"));
                    e.await("the closed session's ephemeral is gone on server 3", BOUND, () -> absent(onPaddock, "/app/mine"));

                    staleConnectionsMultiIsAnsweredByClosingIt(e, onZk);
                }
            }
            assertNoneExpiredAndDigestsAgreed(e, expired);
        }
    }

    @Test
    void zooKeeperFollowersReplicateAPaddockLeaderAndOneOfThemLeadsWhenItIsKilled() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            startPaddockLeaderWithZooKeeperFollower(e);
            e.startZooKeeper(2); // joins that leader
            e.awaitOneLeader(3, BOUND);
            AtomicBoolean expired = new AtomicBoolean();
            List<String> written = new ArrayList<>();
            try (ZooKeeper zk = connect(e.connectString(1), expired)) {
                // zkCli's setquota, through a ZooKeeper follower: each server keeps the quota's stats itself.
                zk.create("/quota-mixed", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                org.apache.zookeeper.cli.SetQuotaCommand.createQuota(zk, "/quota-mixed",
                        new org.apache.zookeeper.StatsTrack("count=1000,bytes=-1"));
            }
            for (int sid = 1; sid <= 3; sid++) {
                try (ZooKeeper zk = connect(e.connectString(sid), expired)) {
                    zk.create("/quota-mixed/w" + sid, new byte[sid], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    List<String> paths = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        paths.add("/w" + sid + "-" + i);
                    }
                    createAll(zk, paths, null);
                    zk.create("/multi-" + sid, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    zk.multi(List.of(
                            org.apache.zookeeper.Op.create("/multi-" + sid + "/a", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                    CreateMode.PERSISTENT),
                            org.apache.zookeeper.Op.setData("/multi-" + sid, new byte[] {2}, 0)));
                    written.addAll(paths);
                    written.add("/multi-" + sid + "/a");
                }
            }
            for (int sid = 1; sid <= 2; sid++) {
                assertDigestsAgreed(e, sid); // ZooKeeper checked every proposal of the Paddock leader
            }
            assertQuotaStats(e, expired, "count=4,bytes=6"); // /quota-mixed and its children of 1, 2 and 3 bytes

            e.kill9(3);
            e.awaitOneLeader(2, BOUND); // a ZooKeeper server leads
            try (ZooKeeper zk = connect(e.connectString(1), expired)) {
                for (String path : written) {
                    assertNotNull(zk.exists(path, false), path + " survives the leader's kill -9");
                }
                zk.create("/after-kill", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            e.start(3);
            e.awaitOneLeader(3, BOUND);
            try (ZooKeeper onPaddock = connect(e.connectString(3), expired)) {
                syncWith(onPaddock);
                assertNotNull(onPaddock.exists("/after-kill", false), "the returning Paddock server caught up");
                for (String path : written) {
                    assertNotNull(onPaddock.exists(path, false), path);
                }
                onPaddock.delete("/quota-mixed/w1", -1);
            }
            assertQuotaStats(e, expired, "count=3,bytes=5"); // the Paddock server recounted at its restart
            assertNoneExpiredAndDigestsAgreed(e, expired);
        }
    }

    /** The quota's stats node reads {@code expected} on every server, ZooKeeper's and Paddock's alike. */
    private static void assertQuotaStats(LocalEnsemble e, AtomicBoolean expired, String expected) throws Exception {
        for (int sid = 1; sid <= 3; sid++) {
            try (ZooKeeper zk = connect(e.connectString(sid), expired)) {
                syncWith(zk);
                byte[] stats = zk.getData("/zookeeper/quota/quota-mixed/zookeeper_stats", false, null);
                assertEquals(expected, new String(stats, StandardCharsets.UTF_8), "quota stats on server " + sid);
            }
        }
    }

    @Test
    void aZooKeeperServerFarBehindTakesAPaddockLeadersSnapshot() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            startPaddockLeaderWithZooKeeperFollower(e);
            AtomicBoolean expired = new AtomicBoolean();
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                paths.add("/n" + i);
            }
            try (ZooKeeper onPaddock = connect(e.connectString(3), expired)) {
                onPaddock.create("/owned", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                onPaddock.create("/locked", new byte[] {1}, IP_ACL, CreateMode.PERSISTENT);
                onPaddock.create("/box", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
                onPaddock.create("/box/item", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                createAll(onPaddock, paths, null); // past the leader's window of 500: a SNAP
                paths.addAll(List.of("/owned", "/locked", "/box", "/box/item"));

                e.startZooKeeper(2); // new and empty: the Paddock leader sends it the whole tree
                e.awaitOneLeader(3, BOUND);
                String out = e.output(2);
                assertTrue(out.contains("Getting a snapshot from leader"), "ZooKeeper was synced by SNAP:\n" + out);
                try (ZooKeeper onZk = connect(e.connectString(2), expired)) {
                    syncWith(onZk);
                    for (String path : paths) {
                        Stat ours = new Stat();
                        Stat zkStat = new Stat();
                        assertArrayEquals(onPaddock.getData(path, false, ours), onZk.getData(path, false, zkStat), path);
                        assertEquals(ours, zkStat, path);
                    }
                    assertEquals(onPaddock.getACL("/locked", new Stat()), onZk.getACL("/locked", new Stat()));
                    // Writes go on through both; ZooKeeper checks each digest against the tree it took.
                    onZk.create("/from-zk", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    onPaddock.setData("/n1", new byte[] {3}, 0);
                    onPaddock.close(); // its ephemeral is deleted everywhere, ZooKeeper's copy too
                    e.await("the ephemeral is gone on ZooKeeper's server 2", BOUND, () -> absent(onZk, "/owned"));
                    syncWith(onZk);
                    assertArrayEquals(new byte[] {3}, onZk.getData("/n1", false, null));
                }
            }
            assertNoneExpiredAndDigestsAgreed(e, expired);
        }
    }

    /**
     * ZooKeeper's leader serializes its tree for a SNAP while it goes on applying writes, and sends
     * them after it: the snapshot may hold some already (a fuzzy snapshot). A Paddock server joins
     * while a client writes as fast as it can: it must end with ZooKeeper's tree, and once the
     * replay is over every digest it checks must match.
     */
    @Test
    void anEmptyPaddockServerJoinsAZooKeeperEnsembleUnderWrites() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            startZooKeeperPair(e);
            AtomicBoolean expired = new AtomicBoolean();
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                paths.add("/busy/n" + i);
            }
            try (ZooKeeper onZk = connect(e.connectString(e.leader()), expired)) {
                // One top-level node: ZooKeeper's mntr lists metrics per top-level path, and 3,000 of
                // them make an answer over the word client's 1 MiB bound.
                onZk.create("/busy", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                createAll(onZk, paths, new byte[1024]);
                java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(200);
                java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = new Thread(() -> {
                    java.util.Random random = new java.util.Random(7);
                    long deadline = System.nanoTime() + BOUND.toNanos();
                    while (!stop.get() && System.nanoTime() < deadline) {
                        try {
                            if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
                                continue;
                            }
                        } catch (InterruptedException ex) {
                            return;
                        }
                        int i = random.nextInt(3000);
                        String path = "/busy/n" + i;
                        java.util.function.Consumer<Integer> done = rc -> {
                            if (rc != 0) {
                                failures.incrementAndGet();
                            }
                            window.release();
                        };
                        if (i % 10 == 0) { // creates and deletes too, so that the tree's shape changes
                            onZk.create(path + "/c", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                                    (rc, p, ctx, name) -> done.accept(rc == -110 ? 0 : rc), null);
                        } else if (i % 10 == 1) {
                            onZk.delete("/busy/n" + (i - 1) + "/c", -1,
                                    (rc, p, ctx) -> done.accept(rc == -101 ? 0 : rc), null);
                        } else {
                            onZk.setData(path, new byte[] {(byte) random.nextInt()}, -1,
                                    (rc, p, ctx, st) -> done.accept(rc), null);
                        }
                    }
                }, "busy-writer");
                writer.start();
                e.start(3);
                e.await("server 3 (Paddock) follows the busy ZooKeeper leader", BOUND, () -> e.mode(3).equals("follower"));
                try (ZooKeeper onPaddock = connect(e.connectString(3), expired)) {
                    onPaddock.create("/joined", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    stop.set(true);
                    writer.join(BOUND.toMillis());
                    assertTrue(window.tryAcquire(200, BOUND.toSeconds(), TimeUnit.SECONDS), "every write answered");
                    assertEquals(0, failures.get(), "every write succeeded");
                    syncWith(onPaddock);
                    List<String> all = new ArrayList<>(onZk.getChildren("/busy", false));
                    assertEquals(all.stream().sorted().toList(), onPaddock.getChildren("/busy", false).stream().sorted().toList());
                    all.add("");
                    for (String name : all) {
                        String path = name.isEmpty() ? "/busy" : "/busy/" + name;
                        Stat zkStat = new Stat();
                        Stat ours = new Stat();
                        assertArrayEquals(onZk.getData(path, false, zkStat), onPaddock.getData(path, false, ours), path);
                        assertEquals(zkStat, ours, path);
                    }
                }
                String out = e.output(3);
                assertTrue(out.contains("installed the leader's snapshot"), "synced by SNAP:\n" + out);
            }
            assertNoneExpiredAndDigestsAgreed(e, expired);
        }
    }

    /**
     * An observer of the other kind joins late (a SNAP from the leader, in ZooKeeper's format either
     * way), then takes INFORMs and forwards writes: a ZooKeeper observer of Paddock servers, and a
     * Paddock observer of ZooKeeper servers.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "Paddock leads: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void anObserverOfTheOtherKindJoinsBySnapAndForwardsWrites(boolean paddockLeads) throws Exception {
        // Client ports on the server lines, ZooKeeper 3.5's form (no clientPort): both kinds listen there.
        try (LocalEnsemble e = new LocalEnsemble(dir, 3, java.util.Set.of(3), true)) {
            java.nio.file.Path cfg = e.dataDir(3).resolve("zoo.cfg");
            java.nio.file.Files.writeString(cfg, java.nio.file.Files.readString(cfg) + "peerType=observer\n");
            for (int sid = 1; sid <= 2; sid++) {
                if (paddockLeads) {
                    e.start(sid);
                } else {
                    e.startZooKeeper(sid, ZK_SNAP_BEYOND_MEMORY);
                }
            }
            e.awaitOneLeader(2, BOUND);
            AtomicBoolean expired = new AtomicBoolean();
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                paths.add("/o" + i);
            }
            try (ZooKeeper onLeader = connect(e.connectString(e.leader()), expired)) {
                createAll(onLeader, paths, null); // past the window of 500: a SNAP
                if (paddockLeads) {
                    e.startZooKeeper(3);
                } else {
                    e.start(3);
                }
                e.await("server 3 observes", BOUND, () -> e.mode(3).equals("observer"));
                try (ZooKeeper onObserver = connect(e.connectString(3), expired)) {
                    onObserver.create("/through-observer", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    onLeader.setData("/o1", new byte[] {5}, 0);
                    syncWith(onObserver);
                    assertArrayEquals(new byte[] {5}, onObserver.getData("/o1", false, null));
                    for (String path : paths) {
                        Stat theirs = new Stat();
                        Stat ours = new Stat();
                        assertArrayEquals(onLeader.getData(path, false, theirs), onObserver.getData(path, false, ours), path);
                        assertEquals(theirs, ours, path);
                    }
                    syncWith(onLeader);
                    assertNotNull(onLeader.exists("/through-observer", false));
                    assertSameQuorumIntrospection(e, e.leader(), onLeader, 3, onObserver);
                }
            }
            assertNoneExpiredAndDigestsAgreed(e, expired);
        }
    }

    /**
     * What a user or a tool reads about the ensemble, from the leader of one kind and the observer of
     * the other (each run of the test above has ZooKeeper in one of the two places, so it checks the
     * expectations too): /zookeeper/config (getConfig: the membership, the same bytes and Stat on
     * both), {@code conf}'s quorum lines (the same keys, this server's id, ports and peer type, the
     * same membership), {@code mntr}'s quorum gauges and the leader's proposal sizes in {@code srvr}.
     */
    private static void assertSameQuorumIntrospection(LocalEnsemble e, int leader, ZooKeeper onLeader, int observer,
            ZooKeeper onObserver) throws Exception {
        Stat leaderStat = new Stat();
        Stat observerStat = new Stat();
        byte[] config = onLeader.getConfig(false, leaderStat);
        assertArrayEquals(config, onObserver.getConfig(false, observerStat));
        String membership = new String(config, StandardCharsets.UTF_8);
        for (int sid = 1; sid <= 3; sid++) {
            assertTrue(membership.contains("server." + sid + "=127.0.0.1:"), membership);
        }
        assertTrue(membership.contains(":observer;127.0.0.1:" + e.clientPort(observer) + "\n")
                && membership.endsWith("\nversion=0"), membership);
        for (Stat stat : List.of(leaderStat, observerStat)) {
            assertEquals(List.of(0L, 0L, -1, config.length), List.of(stat.getCzxid(), stat.getMzxid(), stat.getVersion(),
                    stat.getDataLength()), stat.toString());
        }

        String leaderConf = quorumConf(e, leader, "0");
        assertEquals(leaderConf, quorumConf(e, observer, "1").replace("serverId=" + observer, "serverId=" + leader));
        assertTrue(leaderConf.endsWith("membership: \n" + membership), leaderConf);

        String leaderMntr = e.word(leader, "mntr");
        for (String line : List.of("zk_server_state\tleader", "zk_quorum_size\t2", "zk_learners\t2",
                "zk_synced_followers\t1", "zk_synced_non_voting_followers\t0", "zk_synced_observers\t1",
                "zk_pending_syncs\t0")) {
            assertTrue(leaderMntr.contains(line + "\n"), line + " in " + leaderMntr);
        }
        java.util.regex.Matcher sizes = java.util.regex.Pattern.compile(
                "zk_last_proposal_size\t(\\d+)\n").matcher(leaderMntr);
        assertTrue(sizes.find() && Integer.parseInt(sizes.group(1)) > 0, leaderMntr);
        java.util.regex.Matcher uptime = java.util.regex.Pattern.compile("zk_leader_uptime\t(\\d+)\n").matcher(leaderMntr);
        assertTrue(uptime.find() && Long.parseLong(uptime.group(1)) > 0, leaderMntr);
        String observerMntr = e.word(observer, "mntr");
        assertTrue(observerMntr.contains("zk_quorum_size\t2\n") && !observerMntr.contains("zk_learners"), observerMntr);
        // The last proposal was the setData of /o1 to one byte: ZooKeeper's bytes, so its size on either leader.
        String srvr = e.word(leader, "srvr");
        assertTrue(srvr.contains("\nProposal sizes last/min/max: " + sizes.group(1) + "/"), srvr);
    }

    /**
     * {@code conf} from {@code serverId=} on, with this server's id checked and its ports and peer
     * type replaced by placeholders (they differ by server, not by kind).
     */
    private static String quorumConf(LocalEnsemble e, int sid, String peerType) {
        String conf = e.word(sid, "conf");
        int at = conf.indexOf("serverId=");
        assertTrue(at >= 0, conf);
        String tail = conf.substring(at);
        assertTrue(tail.startsWith("serverId=" + sid + "\ninitLimit=" + LocalEnsemble.INIT_LIMIT + "\nsyncLimit="
                + LocalEnsemble.SYNC_LIMIT + "\nelectionAlg=3\n"), tail);
        assertTrue(tail.contains("\npeerType=" + peerType + "\n"), tail);
        return tail.replaceAll("electionPort=\\d+", "electionPort=E").replaceAll("quorumPort=\\d+", "quorumPort=Q")
                .replace("peerType=" + peerType, "peerType=T");
    }

    /**
     * A session that moved from one follower to another, which revalidated it with the ZooKeeper
     * leader, while its client still speaks on the old connection: the leader answers that
     * connection's multi with SESSIONMOVED among the operations' errors (an error transaction, no
     * effect), and the old server closes the connection (ZOOKEEPER-710), so the client comes back,
     * revalidates and writes again. ZooKeeper's follower (1) first, the oracle; then ours (3).
     */
    private static void staleConnectionsMultiIsAnsweredByClosingIt(LocalEnsemble e, ZooKeeper onZk) throws Exception {
        for (int[] fromTo : new int[][] {{1, 3}, {3, 1}}) {
            int from = fromTo[0];
            String label = "from server " + from + " to " + fromTo[1] + ": ";
            AtomicBoolean staleExpired = new AtomicBoolean();
            ZooKeeper stale = connect(e.connectString(from), staleExpired);
            ZooKeeper elsewhere = null;
            try {
                elsewhere = reconnect(e.connectString(fromTo[1]), stale);
                String path = "/app/stale-multi-" + from;
                KeeperException ex = assertThrows(KeeperException.class, () -> stale.multi(List.of(
                        Op.create(path, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                        Op.setData("/app/n10", "stale".getBytes(StandardCharsets.UTF_8), -1))), label);
                assertEquals(KeeperException.Code.CONNECTIONLOSS, ex.code(), label + "the connection was closed: " + ex);
                syncWith(onZk);
                assertNull(onZk.exists(path, false), label + "the multi had no effect");
                assertArrayEquals("/app/n10".getBytes(StandardCharsets.UTF_8), onZk.getData("/app/n10", false, null));
                if (from == 3) {
                    String out = output(e, 3);
                    assertTrue(out.contains("session 0x" + Long.toHexString(stale.getSessionId())
                            + " moved to another server (SESSIONMOVED)"), "server 3 closed it as moved:\n" + out);
                }
                // The client reconnects (to the server it knows), revalidates, and its writes go through
                // (one sent before it is connected again fails with CONNECTIONLOSS, as any would).
                e.await(label + "a write after the client came back", BOUND, () -> created(stale, path + "-back"));
                syncWith(onZk);
                assertNotNull(onZk.exists(path + "-back", false), label);
                assertFalse(staleExpired.get(), label + "the moved session did not expire");
            } finally {
                stale.close(); // closes the session (through any server: closeSession checks no owner)
                if (elsewhere != null) {
                    elsewhere.close(2_000); // its session is closed already: only the handle ends here
                }
            }
        }
    }

    /** ZooKeeper's servers 1 and 2, leading and following (2 leads: the same empty history, the higher id). */
    private static void startZooKeeperPair(LocalEnsemble e) throws Exception {
        e.startZooKeeper(1, ZK_SNAP_BEYOND_MEMORY);
        e.startZooKeeper(2, ZK_SNAP_BEYOND_MEMORY);
        e.awaitOneLeader(2, BOUND);
    }

    /**
     * Paddock's server 3 and ZooKeeper's server 1: the same (empty) history, so 3 leads, the higher
     * id, and 1 can win no vote without it.
     */
    private static void startPaddockLeaderWithZooKeeperFollower(LocalEnsemble e) throws Exception {
        e.start(3);
        e.startZooKeeper(1);
        e.awaitOneLeader(2, BOUND);
        assertEquals(3, e.leader(), "the Paddock server leads");
    }

    private static void assertNoneExpiredAndDigestsAgreed(LocalEnsemble e, AtomicBoolean expired)
            throws InterruptedException {
        assertFalse(expired.get(), "no session expired");
        for (int sid = 1; sid <= 3; sid++) {
            assertDigestsAgreed(e, sid);
        }
    }

    /** ZooKeeper's and our mntr both count proposals whose digest differed from the tree's. */
    private static void assertDigestsAgreed(LocalEnsemble e, int sid) throws InterruptedException {
        String[] mntr = {""};
        e.await("server " + sid + " answers mntr", BOUND, () -> (mntr[0] = e.word(sid, "mntr"))
                .contains("zk_digest_mismatches_count"));
        assertTrue(mntr[0].contains("zk_digest_mismatches_count\t0\n"), "server " + sid + ": " + mntr[0]);
    }

    /** Creates {@code path}: true once it exists, false for a connection lost (the client reconnects). */
    private static boolean created(ZooKeeper zk, String path) {
        try {
            zk.create(path, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            return true;
        } catch (KeeperException.NodeExistsException ex) {
            return true; // an earlier try whose answer was lost
        } catch (KeeperException.ConnectionLossException ex) {
            return false;
        } catch (KeeperException | InterruptedException ex) {
            throw new AssertionError("creating " + path + ": " + ex, ex);
        }
    }

    private static boolean absent(ZooKeeper zk, String path) {
        try {
            return zk.exists(path, false) == null;
        } catch (KeeperException | InterruptedException ex) {
            return false;
        }
    }

    private static String output(LocalEnsemble e, int sid) throws java.io.IOException {
        return e.output(sid);
    }

    /** A second client of {@code session}'s id and password, on another server. */
    private static ZooKeeper reconnect(String connectString, ZooKeeper session) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, EnsembleClients.SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, session.getSessionId(), session.getSessionPasswd());
        if (!connected.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("session 0x" + Long.toHexString(session.getSessionId()) + " not taken by "
                    + connectString);
        }
        return zk;
    }
}
