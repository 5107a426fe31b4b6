package io.paddock.server.ensemble;

import static io.paddock.server.ensemble.EnsembleClients.BOUND;
import static io.paddock.server.ensemble.EnsembleClients.connect;
import static io.paddock.server.ensemble.EnsembleClients.syncWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ZooKeeper 3.9.5 server replaced in place by Paddock: the same zoo.cfg, the same dataDir, the
 * ZooKeeper process killed with kill -9 and a Paddock process started on what it left
 * (server.storage.ZooKeeperImport). With {@code snapCount=40} ZooKeeper takes a snapshot every 20
 * to 40 writes on its own thread while writes go on (fuzzy snapshots) and starts a new log file
 * each time, so the import reads several of each, the last log cut wherever the kill left it.
 */
class ZooKeeperMigrationProcessTest {
    /** A mutable list: the client looks for null in it, which an immutable List.of refuses to do. */
    private static final List<ACL> IP_ACL = Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("ip", "127.0.0.1")));

    @TempDir
    Path dir;

    @Test
    void aStandaloneZooKeeperKilledMidWriteIsTakenOverWithEveryAcknowledgedWriteAndItsSession() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 1)) {
            e.configureAll("snapCount=40");
            e.configureAll("extendedTypesEnabled=true");
            e.startZooKeeper(1);
            e.await("ZooKeeper serves standalone", BOUND, () -> e.mode(1).equals("standalone"));
            AtomicBoolean expired = new AtomicBoolean();
            try (ZooKeeper zk = connect(e.connectString(1), expired)) {
                writeEveryKind(zk, "/app");
                Map<String, String> before = tree(zk, "/app");
                zk.create("/w", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                Set<Integer> acked = new ConcurrentSkipListSet<>();
                int sent = createUntilKilled(zk, e, acked, 400);

                e.start(1);
                e.await("Paddock serves standalone", BOUND, () -> e.mode(1).equals("standalone"));
                String out = e.output(1);
                assertTrue(out.contains("imported ZooKeeper's data"), out);
                e.await("the client is back with its session", BOUND, () -> zk.getState() == ZooKeeper.States.CONNECTED);
                syncWith(zk);
                assertEquals(before, tree(zk, "/app"), "every node of every kind, field for field");
                List<String> written = zk.getChildren("/w", false);
                for (int i : acked) {
                    assertTrue(written.contains("n" + i), "acknowledged create /w/n" + i + " kept");
                    assertEquals(Integer.toString(i), new String(zk.getData("/w/n" + i, false, null), StandardCharsets.UTF_8));
                }
                for (String name : written) {
                    assertTrue(Integer.parseInt(name.substring(1)) < sent, name + " was sent");
                }
                assertEquals(zk.getSessionId(), zk.exists("/app/mine", false).getEphemeralOwner(),
                        "the session kept its ephemeral");
                assertFalse(expired.get(), "the session did not expire");

                // Paddock's own data from now on: a restart reads it, not ZooKeeper's files again.
                zk.setData("/app/p", "after".getBytes(StandardCharsets.UTF_8), -1);
                Map<String, String> all = tree(zk, "/");
                e.kill9(1);
                e.start(1);
                e.await("Paddock serves standalone again", BOUND, () -> e.mode(1).equals("standalone"));
                e.await("the client is back again", BOUND, () -> zk.getState() == ZooKeeper.States.CONNECTED);
                syncWith(zk);
                assertEquals(all, tree(zk, "/"));
                assertTrue(e.output(1).contains("are not read: they were imported once already"), e.output(1));
                assertFalse(expired.get(), "the session did not expire");
            }
        }
    }

    /**
     * A three-server ZooKeeper ensemble becomes a Paddock ensemble one server at a time, the
     * leader last, each Paddock server on the data its ZooKeeper server left, while the client's
     * session (and its ephemeral) rides through every step. The leader brings each replaced server
     * up to date by sending the transactions it lacks, never its whole snapshot: the server kept
     * its data.
     */
    @Test
    void aZooKeeperEnsembleIsReplacedServerByServerKeepingItsData() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 3)) {
            e.configureAll("snapCount=40");
            e.configureAll("extendedTypesEnabled=true");
            for (int sid = 1; sid <= 3; sid++) {
                e.startZooKeeper(sid);
            }
            e.awaitOneLeader(3, BOUND);
            AtomicBoolean expired = new AtomicBoolean();
            String all = e.connectString(1) + "," + e.connectString(2) + "," + e.connectString(3);
            try (ZooKeeper zk = connect(all, expired)) {
                writeEveryKind(zk, "/app");
                zk.create("/m", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                int leader = e.leader();
                List<Integer> order = new ArrayList<>(List.of(1, 2, 3));
                order.remove(Integer.valueOf(leader));
                order.add(leader);
                int n = 0;
                for (int sid : order) {
                    for (int i = 0; i < 30; i++) {
                        zk.create("/m/n" + n++, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    }
                    syncAll(e);
                    e.kill9(sid);
                    for (int i = 0; i < 30; i++) { // what the replaced server must catch up on
                        createRetrying(zk, "/m/n" + n++);
                    }
                    e.start(sid);
                    e.awaitOneLeader(3, BOUND);
                    String out = e.output(sid);
                    assertTrue(out.contains("imported ZooKeeper's data"), "server " + sid + ":\n" + out);
                    assertFalse(out.contains("installed the leader's snapshot"), "server " + sid
                            + " caught up on the transactions it lacked, keeping its data:\n" + out);
                }
                for (int i = 0; i < 30; i++) {
                    createRetrying(zk, "/m/n" + n++);
                }
                Map<String, String> expected = null;
                for (int sid = 1; sid <= 3; sid++) {
                    try (ZooKeeper one = connect(e.connectString(sid), new AtomicBoolean())) {
                        syncWith(one);
                        Map<String, String> seen = tree(one, "/");
                        assertEquals(n, one.getChildren("/m", false).size(), "server " + sid);
                        if (expected == null) {
                            expected = seen;
                        } else {
                            assertEquals(expected, seen, "server " + sid + " holds what server 1 does");
                        }
                        assertEquals(zk.getSessionId(), one.exists("/app/mine", false).getEphemeralOwner(),
                                "the session kept its ephemeral");
                    }
                    assertTrue(e.word(sid, "mntr").contains("zk_digest_mismatches_count\t0\n"), e.word(sid, "mntr"));
                }
                assertFalse(expired.get(), "the session did not expire");
            }
        }
    }

    /**
     * The way back: a Paddock server's data, written as ZooKeeper's files by {@code paddock
     * export-zookeeper} once the server is stopped, is what a ZooKeeper server started on the same
     * zoo.cfg serves.
     */
    @Test
    void aPaddockServersDataGoesBackToZooKeeperWithExportZooKeeper() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir, 1)) {
            e.configureAll("snapCount=40");
            e.configureAll("extendedTypesEnabled=true");
            e.start(1);
            e.await("Paddock serves standalone", BOUND, () -> e.mode(1).equals("standalone"));
            try (ZooKeeper zk = connect(e.connectString(1), new AtomicBoolean())) {
                writeEveryKind(zk, "/app");
                zk.create("/w", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                for (int i = 0; i < 150; i++) { // past a few snapshots of ours: a snapshot and a log go out
                    zk.create("/w/n" + i, new byte[] {(byte) i}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                }
            }
            Map<String, String> served;
            try (ZooKeeper zk = connect(e.connectString(1), new AtomicBoolean())) {
                served = tree(zk, "/");
            }
            e.kill9(1);

            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process export = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    "io.paddock.server.Main", "export-zookeeper", e.dataDir(1).resolve("zoo.cfg").toString())
                    .redirectErrorStream(true).start();
            String said = new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(export.waitFor(60, TimeUnit.SECONDS), "export finished");
            assertEquals(0, export.exitValue(), said);
            assertTrue(said.contains("wrote ZooKeeper snapshot"), said);

            e.startZooKeeper(1);
            e.await("ZooKeeper serves standalone", BOUND, () -> e.mode(1).equals("standalone"));
            try (ZooKeeper zk = connect(e.connectString(1), new AtomicBoolean())) {
                assertEquals(served, tree(zk, "/"), "ZooKeeper serves what Paddock served, field for field");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Nodes of every kind under {@code root}, their stats moved by several kinds of writes. */
    private static void writeEveryKind(ZooKeeper zk, String root) throws Exception {
        zk.create(root, "root".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(root + "/p", "p".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int v = 0; v < 3; v++) {
            zk.setData(root + "/p", ("p" + v).getBytes(StandardCharsets.UTF_8), v);
        }
        zk.create(root + "/locked", new byte[] {1, 2}, IP_ACL, CreateMode.PERSISTENT);
        zk.setACL(root + "/locked", ZooDefs.Ids.READ_ACL_UNSAFE, 0);
        zk.create(root + "/box", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        zk.create(root + "/box/item", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(root + "/mine", "e".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        for (int i = 0; i < 3; i++) {
            zk.create(root + "/seq-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
        }
        zk.create(root + "/gone", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.delete(root + "/gone", 0);
        zk.multi(List.of(
                Op.create(root + "/m1", "m".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData(root + "/p", "multi".getBytes(StandardCharsets.UTF_8), 3),
                Op.check(root, 0)));
        try {
            zk.multi(List.of(Op.create(root + "/never", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.delete(root + "/missing", -1)));
        } catch (KeeperException.NoNodeException expectedFailure) {
            // a failed multi is logged too (an error txn)
        }
        zk.create(root + "/ttl", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, null, 3_600_000);
    }

    /**
     * Creates /w/n0, /w/n1, ... 50 at a time, recording each one answered OK, and kills the server
     * once {@code killAfter} are answered, with creates in flight. Returns how many were sent.
     */
    private static int createUntilKilled(ZooKeeper zk, LocalEnsemble e, Set<Integer> acked, int killAfter)
            throws Exception {
        Semaphore window = new Semaphore(50);
        int i = 0;
        while (acked.size() < killAfter) {
            if (!window.tryAcquire(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("no answer to 50 outstanding creates within " + BOUND);
            }
            int id = i++;
            zk.create("/w/n" + id, Integer.toString(id).getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT, (rc, path, ctx, name) -> {
                        if (rc == 0) {
                            acked.add(id);
                        }
                        window.release();
                    }, null);
        }
        e.kill9(1);
        return i;
    }

    /** A create that a server's kill may cut off: tried again until it exists. */
    private static void createRetrying(ZooKeeper zk, String path) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            try {
                zk.create(path, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                return;
            } catch (KeeperException.NodeExistsException done) {
                return; // an earlier try whose answer was lost
            } catch (KeeperException.ConnectionLossException lost) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not create " + path + " within " + BOUND, lost);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Every running server has applied everything committed so far. */
    private static void syncAll(LocalEnsemble e) throws Exception {
        for (int sid = 1; sid <= 3; sid++) {
            try (ZooKeeper one = connect(e.connectString(sid), new AtomicBoolean())) {
                syncWith(one);
            }
        }
    }

    /**
     * Every node under {@code root} (but /zookeeper, which each server keeps of its own), as its
     * data, stat and ACL, by path.
     */
    private static Map<String, String> tree(ZooKeeper zk, String root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        collect(zk, root, out);
        return out;
    }

    private static void collect(ZooKeeper zk, String path, Map<String, String> out) throws Exception {
        if (path.equals("/zookeeper")) {
            return;
        }
        Stat stat = new Stat();
        byte[] data = zk.getData(path, false, stat);
        List<ACL> acl = zk.getACL(path, new Stat());
        out.put(path, Arrays.toString(data) + " " + stat + " " + acl);
        List<String> children = new ArrayList<>(zk.getChildren(path, false));
        children.sort(null);
        for (String child : children) {
            collect(zk, (path.equals("/") ? "" : path) + "/" + child, out);
        }
    }
}
