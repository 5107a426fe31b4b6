package io.paddock.server.ensemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.paddock.server.ensemble.EnsembleClients.BOUND;
import static io.paddock.server.ensemble.EnsembleClients.SESSION_TIMEOUT_MS;
import static io.paddock.server.ensemble.EnsembleClients.connect;
import static io.paddock.server.ensemble.EnsembleClients.createAll;
import static io.paddock.server.ensemble.EnsembleClients.syncWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves replication as real processes (each server its own JVM, dataDir and ports on loopback)
 * with the official ZooKeeper client: writes through a follower survive the leader killed with
 * kill -9 twice (-Dpaddock.ensemble.killRounds=N for more), with the session and its ephemeral intact; a follower down past the leader's DIFF
 * window catches up by SNAP; a leader's uncommitted proposals are truncated when it returns; with
 * two of three servers down writes fail with connection loss and service returns with a quorum.
 * No server ever applies a proposal whose tree digest differs from its tree's (mntr).
 * Every wait is bounded; nothing sleeps for a fixed time except the 50 ms between a client's retries.
 */
class EnsembleReplicationProcessTest {
    private static final int WRITES_PER_ROUND = 40;
    /** Leader kills in the failover test: 2 in CI; a long run asks for more (README). */
    private static final int KILL_ROUNDS = Integer.getInteger("paddock.ensemble.killRounds", 2);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} servers")
    @ValueSource(ints = {3, 5})
    void writesThroughAFollowerSurviveLeaderKillsAndTheSessionLives(int n) throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, n)) {
            e.startAllAndAwaitOneLeader(n, BOUND);
            int follower = e.leader() % n + 1;
            AtomicBoolean expired = new AtomicBoolean();
            try (ZooKeeper zk = connect(e.connectString(follower), expired)) {
                int clientServer = follower;
                zk.create("/base", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.create("/owned", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                List<String> acked = new ArrayList<>();
                for (int round = 0; round <= KILL_ROUNDS; round++) {
                    for (int i = 0; i < WRITES_PER_ROUND; i++) {
                        String path = "/base/r" + round + "-" + i;
                        createRetrying(zk, path, e);
                        acked.add(path);
                    }
                    if (round < KILL_ROUNDS) {
                        int leader = e.leader();
                        if (leader == clientServer) {
                            // The client's server won the last election (it does whenever it has the
                            // highest sid of those left): the session moves to a follower first, so
                            // the writes during the election still go through one. Before, the test
                            // killed the client's only server and its session expired waiting.
                            clientServer = leader % n + 1;
                            zk.updateServerList(e.connectString(clientServer));
                        }
                        e.kill9(leader);
                        // Writes go on through the follower while the others elect; the killed one returns.
                        for (int i = 0; i < 5; i++) {
                            String path = "/base/during" + round + "-" + i;
                            createRetrying(zk, path, e);
                            acked.add(path);
                        }
                        e.start(leader);
                        e.awaitOneLeader(n, BOUND);
                    }
                }
                List<String> reference = null;
                for (int sid = 1; sid <= n; sid++) {
                    int server = sid;
                    try (ZooKeeper reader = connect(e.connectString(server), new AtomicBoolean())) {
                        e.await("server " + server + " holds every acknowledged write", BOUND,
                                () -> holdsAll(reader, acked));
                        for (String path : acked) {
                            assertArrayEquals(path.getBytes(StandardCharsets.UTF_8), reader.getData(path, false, null),
                                    path + " on server " + server);
                        }
                        Stat owned = reader.exists("/owned", false);
                        assertNotNull(owned, "the ephemeral is on server " + server);
                        assertEquals(zk.getSessionId(), owned.getEphemeralOwner(), "its owner on server " + server);
                        // The same tree everywhere: the same children of /base, each with the same data and version.
                        syncWith(reader);
                        List<String> tree = new ArrayList<>();
                        List<String> children = new ArrayList<>(reader.getChildren("/base", false));
                        java.util.Collections.sort(children);
                        for (String child : children) {
                            Stat stat = new Stat();
                            byte[] data = reader.getData("/base/" + child, false, stat);
                            tree.add(child + "=" + new String(data, StandardCharsets.UTF_8) + "@" + stat.getVersion()
                                    + "/" + Long.toHexString(stat.getMzxid()));
                        }
                        if (reference == null) {
                            reference = tree;
                        } else {
                            assertEquals(reference, tree, "server " + server + "'s /base differs from server 1's");
                        }
                    }
                    // Every proposal carried the leader's tree digest; no server's tree differed from it.
                    String mntr = e.word(server, "mntr");
                    assertTrue(mntr.contains("zk_digest_mismatches_count\t0\n"), "server " + server + ": " + mntr);
                }
                assertTrue(zk.getState().isAlive(), "the session lives: " + zk.getState());
            }
            assertTrue(!expired.get(), "the session never expired");
        }
    }

    /**
     * A follower down while more writes commit than the leader keeps in memory for DIFF (500,
     * {@code Replica.COMMIT_LOG_COUNT}) catches up by SNAP when it returns: it installs the leader's
     * snapshot and then holds every write. With snapCount 400 every server takes snapshots of its
     * own meanwhile, and the installed one counts as the follower's last: it does not write the
     * whole tree again at the same zxid (it did, at once, before Snapshots.installed).
     */
    @Test
    void aFollowerDownPastTheLeadersWindowCatchesUpBySnap() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            int[] downAndOther = startWithOneFollowerKilled(e);
            int down = downAndOther[0];
            int other = downAndOther[1];
            List<String> written = new ArrayList<>();
            try (ZooKeeper zk = connect(e.connectString(other), new AtomicBoolean())) {
                zk.create("/snap", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                for (int i = 0; i < 600; i++) {
                    written.add("/snap/n" + i);
                }
                createAll(zk, written);
            }
            e.start(down);
            e.awaitOneLeader(3, BOUND);
            try (ZooKeeper reader = connect(e.connectString(down), new AtomicBoolean())) {
                e.await("server " + down + " holds every write", BOUND, () -> holdsAll(reader, written));
            }
            java.util.regex.Matcher installed = java.util.regex.Pattern
                    .compile("installed the leader's snapshot \\S*snapshot\\.([0-9a-f]+)").matcher(e.output(down));
            assertTrue(installed.find(), "server " + down + " installed a snapshot:\n" + e.output(down));
            // Its own snapshot, had it been due, began in the batch of the install and took a few
            // milliseconds; the 600 reads above came after it (without the fix this failed 2 of 2).
            assertFalse(e.output(down).contains("snapshot at zxid 0x" + installed.group(1) + " written"),
                    "server " + down + " wrote its own snapshot at the zxid it had just installed:\n" + e.output(down));
        }
    }

    /**
     * A follower that returns to a tree larger than any other quorum packet may carry (ZooKeeper's
     * limit, jute.maxbuffer twice: 2 MiB) catches up by SNAP all the same: 3 MiB of data here. The
     * leader sends its whole snapshot as the SNAP's data, and the follower refused it, reconnected
     * and was sent it again, every few milliseconds, for good.
     */
    @Test
    void aFollowerCatchesUpBySnapWithATreeLargerThanAPacket() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            int[] downAndOther = startWithOneFollowerKilled(e);
            int down = downAndOther[0];
            int other = downAndOther[1];
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                written.add("/big/n" + i);
            }
            try (ZooKeeper zk = connect(e.connectString(other), new AtomicBoolean())) {
                zk.create("/big", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                createAll(zk, written, new byte[1024]);
            }
            e.start(down);
            e.awaitOneLeader(3, BOUND);
            try (ZooKeeper reader = connect(e.connectString(down), new AtomicBoolean())) {
                e.await("server " + down + " holds every write", BOUND, () -> holdsAll(reader, written));
                assertEquals(1024, reader.exists("/big/n2999", false).getDataLength());
            }
            assertTrue(e.output(down).contains("installed the leader's snapshot"),
                    "server " + down + " caught up by SNAP:\n" + e.output(down));
        }
    }

    /**
     * A leader whose followers stop (SIGSTOP) logs its client's writes but cannot commit them; it
     * steps down and is killed. The followers, continued, elect among themselves; when the old
     * leader returns, its uncommitted proposals are truncated from its log: they are on no server,
     * and every server holds the same children.
     */
    @Test
    void aServerHoldingUncommittedProposalsIsTruncated() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            e.startAllAndAwaitOneLeader(3, BOUND);
            int old = e.leader();
            List<String> committed = new ArrayList<>();
            List<String> uncommitted = new ArrayList<>();
            try (ZooKeeper zk = connect(e.connectString(old), new AtomicBoolean())) {
                zk.create("/trunc", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                for (int i = 0; i < 20; i++) {
                    committed.add("/trunc/c" + i);
                }
                createAll(zk, committed);
                signalAllBut(e, old, "STOP");
                CountDownLatch answered = new CountDownLatch(10);
                for (int i = 0; i < 10; i++) {
                    String path = "/trunc/u" + i;
                    uncommitted.add(path);
                    zk.create(path, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                            (rc, p, ctx, name) -> answered.countDown(), null);
                }
                // No quorum acknowledges them: the leader steps down and lets its client go.
                assertTrue(answered.await(BOUND.toSeconds(), TimeUnit.SECONDS), "the writes fail");
            }
            e.kill9(old);
            assertTrue(loggedCreates(e.dataDir(old)).containsAll(uncommitted),
                    "the old leader logged the writes no one acknowledged");
            signalAllBut(e, old, "CONT");
            e.awaitOneLeader(2, BOUND);
            e.start(old);
            e.awaitOneLeader(3, BOUND);
            for (int sid = 1; sid <= 3; sid++) {
                int server = sid;
                try (ZooKeeper reader = connect(e.connectString(server), new AtomicBoolean())) {
                    e.await("server " + server + " holds the committed writes", BOUND,
                            () -> holdsAll(reader, committed));
                    for (String path : uncommitted) {
                        assertTrue(reader.exists(path, false) == null, path + " is not on server " + server);
                    }
                }
            }
            List<String> kept = loggedCreates(e.dataDir(old));
            for (String path : uncommitted) {
                assertTrue(!kept.contains(path), path + " was truncated from the old leader's log");
            }
        }
    }

    /**
     * Two of three servers down: the one left has no quorum, holds its client's write for a while
     * (a third of the session timeout), then lets the client go: the write fails with connection loss.
     * Nothing acknowledged is lost, and once one server returns the client's session writes again.
     */
    @Test
    void twoOfThreeDownWritesFailThenServiceReturns() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            e.startAllAndAwaitOneLeader(3, BOUND);
            int left = e.leader() % 3 + 1;
            AtomicBoolean expired = new AtomicBoolean();
            try (ZooKeeper zk = connect(e.connectString(left), expired)) {
                List<String> acked = new ArrayList<>();
                zk.create("/quorum", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                for (int i = 0; i < 10; i++) {
                    acked.add("/quorum/a" + i);
                }
                createAll(zk, acked);
                for (int sid = 1; sid <= 3; sid++) {
                    if (sid != left) {
                        e.kill9(sid);
                    }
                }
                long started = System.nanoTime();
                try {
                    zk.create("/quorum/without", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    throw new AssertionError("a write succeeded without a quorum");
                } catch (KeeperException.ConnectionLossException expected) {
                    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    assertTrue(waitedMs < SESSION_TIMEOUT_MS, "connection loss within the session timeout: " + waitedMs);
                }
                int back = left % 3 + 1;
                e.start(back);
                e.awaitOneLeader(2, BOUND);
                createRetrying(zk, "/quorum/after", e);
                acked.add("/quorum/after");
                assertTrue(holdsAll(zk, acked), "every acknowledged write is there");
            }
            assertTrue(!expired.get(), "the session never expired");
        }
    }

    /** The official client's sync, waited for (bounded): the next read sees what the leader had committed. */
    /**
     * Starts the three servers with snapCount 400 (each takes snapshots of its own as writes go
     * on), waits for a leader and kills one follower with kill -9; returns {the killed follower,
     * the other one}.
     */
    private static int[] startWithOneFollowerKilled(LocalEnsemble e) throws Exception {
        e.configureAll("snapCount=400");
        e.startAllAndAwaitOneLeader(3, BOUND);
        int leader = e.leader();
        int down = leader % 3 + 1;
        int other = 6 - leader - down; // the third of 1, 2, 3
        e.kill9(down);
        return new int[] {down, other};
    }

    private static void signalAllBut(LocalEnsemble e, int spared, String signal) throws Exception {
        for (int sid = 1; sid <= 3; sid++) {
            if (sid != spared) {
                e.signal(sid, signal);
            }
        }
    }

    /** The paths of the creates in a server's transaction log files, read with the log's own scanner. */
    private static List<String> loggedCreates(Path dataDir) throws java.io.IOException {
        List<String> paths = new ArrayList<>();
        try (var files = java.nio.file.Files.list(dataDir)) {
            for (Path f : files.filter(x -> x.getFileName().toString().startsWith("log.")).sorted().toList()) {
                io.paddock.core.storage.LogScanner.scan(java.nio.file.Files.readAllBytes(f), f.toString(), txn -> {
                    if (txn.txn() instanceof io.paddock.core.request.Txn.Create c) {
                        paths.add(c.path());
                    }
                });
            }
        }
        return paths;
    }

    private static boolean holdsAll(ZooKeeper reader, List<String> paths) {
        try {
            for (String path : paths) {
                if (reader.exists(path, false) == null) {
                    return false;
                }
            }
            return true;
        } catch (KeeperException | InterruptedException ex) {
            return false;
        }
    }

    /**
     * Creates {@code path} with its own name as data; after a lost connection the outcome is unknown,
     * so it tries again, and NodeExists then means the earlier try went through (the path is unique).
     */
    private static void createRetrying(ZooKeeper zk, String path, LocalEnsemble e) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            try {
                zk.create(path, path.getBytes(StandardCharsets.UTF_8), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                return;
            } catch (KeeperException.NodeExistsException ex) {
                return;
            } catch (KeeperException.ConnectionLossException ex) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("create " + path + " still fails after " + BOUND + ": " + e.modes(), ex);
                }
                Thread.sleep(50); // the client is reconnecting; try again (bounded by the deadline)
            }
        }
    }

}
