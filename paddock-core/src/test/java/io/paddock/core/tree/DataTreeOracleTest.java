package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.server.watch.WatchesSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves our DataTree and WatchRegistry behave like Apache ZooKeeper 3.9.5's DataTree: random
 * histories of creates (all kinds), deletes, setData, setACL, watch registrations, removals,
 * checks and setWatches are applied to both, and after every step every node's client Stat,
 * ACL and children, its digest and the tree digest (ZooKeeper's default, digests enabled), the
 * counters and each watcher's received notifications must be equal.
 */
class DataTreeOracleTest {
    private static final long[] SESSIONS = {0x100L, 0x200L, 0x300L};
    private static final long[] WATCHERS = {1, 2, 3, 4};
    private static final String[] NAMES = {"a", "b", "c", "d"};
    private static final List<List<Acl>> ACLS = List.of(Acl.OPEN, Acl.READ_ONLY,
            List.of(new Acl(Acl.ALL, new Id("digest", "u:x")), new Acl(Acl.READ, Id.ANYONE)));
    private static final String EXTENDED_TYPES = "zookeeper.extendedTypesEnabled";

    @BeforeAll
    static void enableTtlNodesInOracle() {
        ZkOracle.assumeUsable();
        System.setProperty(EXTENDED_TYPES, "true");
    }

    @AfterAll
    static void restoreOracleDefaults() {
        System.clearProperty(EXTENDED_TYPES);
    }

    @Test
    void freshTreesAgree() {
        new Run(0).compareAll();
    }

    @Test
    void randomHistoriesAgree() {
        TreeSet<Integer> eventTypes = new TreeSet<>();
        int maxNodes = 0;
        for (int seed = 1; seed <= 30; seed++) {
            Run run = new Run(seed);
            for (int step = 0; step < 300; step++) {
                run.step();
                run.compareAll();
                maxNodes = Math.max(maxNodes, run.ours.nodeCount());
            }
            run.ourSeen.values().forEach(list -> list.forEach(seen -> eventTypes.add(seen.eventType())));
        }
        // The histories must reach every event type and grow real trees, or agreement proves little.
        assertEquals(new TreeSet<>(List.of(1, 2, 3, 4)), eventTypes);
        assertTrue(maxNodes > 20, "largest tree had " + maxNodes + " nodes");
    }

    private static final class Run {
        final long seed;
        final Random rnd;
        final DataTree ours = new DataTree();
        final ZkOracle zk = new ZkOracle();
        final Map<Long, List<ZkOracle.Seen>> ourSeen = new HashMap<>();
        long zxid = 100;
        long time = 1_000;
        String lastOp = "none";

        Run(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
        }

        void step() {
            zxid++;
            time += rnd.nextInt(3);
            switch (rnd.nextInt(12)) {
                case 0, 1, 2, 3 -> create();
                case 4, 5 -> delete();
                case 6 -> setData();
                case 7 -> setAcl();
                case 8, 9 -> addWatch();
                case 10 -> removeOrCheckWatch();
                default -> setWatchesOrCloseSession();
            }
        }

        void create() {
            List<String> parents = paths().stream().filter(p -> ours.get(p).kind() != NodeKind.EPHEMERAL).toList();
            String parent = pick(parents);
            String path = child(parent, pick(NAMES));
            if (ours.get(path) != null) {
                return;
            }
            NodeKind kind = NodeKind.values()[rnd.nextInt(4)];
            long session = kind == NodeKind.EPHEMERAL ? SESSIONS[rnd.nextInt(SESSIONS.length)] : 0;
            long ttl = kind == NodeKind.TTL ? 1 + rnd.nextInt(10_000) : 0;
            int parentCVersion = rnd.nextInt(5) == 0 ? -1 : ours.get(parent).childCreations() + 1;
            byte[] data = rnd.nextInt(6) == 0 ? null : bytes();
            List<Acl> acl = pick(ACLS);
            lastOp = "create " + path + " " + kind + " cv " + parentCVersion;
            Applied applied = ours.create(path, data, acl, kind, session, ttl, parentCVersion, zxid, time);
            zk.create(path, data, acl, kind.encodeOwner(session, ttl), parentCVersion, zxid, time);
            record(applied.fired());
            assertEquals(zk.stat(path), applied.stat(), where());
        }

        void delete() {
            List<String> leaves = paths().stream()
                    .filter(p -> !p.equals("/") && !p.startsWith("/zookeeper") && ours.get(p).numChildren() == 0)
                    .toList();
            if (leaves.isEmpty()) {
                return;
            }
            String path = pick(leaves);
            lastOp = "delete " + path;
            record(ours.delete(path, zxid));
            zk.delete(path, zxid);
        }

        void setData() {
            String path = pick(paths());
            byte[] data = bytes();
            int version = ours.get(path).version() + 1;
            lastOp = "setData " + path;
            Applied applied = ours.setData(path, data, version, zxid, time);
            assertEquals(zk.setData(path, data, version, zxid, time), applied.stat(), where());
            record(applied.fired());
        }

        void setAcl() {
            String path = pick(paths());
            List<Acl> acl = pick(ACLS);
            int aversion = ours.get(path).aversion() + 1;
            lastOp = "setAcl " + path;
            assertEquals(zk.setAcl(path, acl, aversion), ours.setAcl(path, acl, aversion), where());
        }

        void addWatch() {
            long id = WATCHERS[rnd.nextInt(WATCHERS.length)];
            Watcher w = zk.watcher(id);
            String path = candidatePath();
            boolean exists = ours.get(path) != null;
            int kind = rnd.nextInt(5);
            lastOp = "watch " + kind + " " + path + " by " + id;
            try {
                switch (kind) {
                    case 0 -> {
                        if (exists) {
                            ours.watches().addDataWatch(path, id);
                            zk.tree.getData(path, new org.apache.zookeeper.data.Stat(), w);
                        }
                    }
                    case 1 -> {
                        if (exists) {
                            ours.watches().addDataWatch(path, id);
                        } else {
                            ours.watches().addExistWatch(path, id);
                        }
                        if (exists) {
                            zk.tree.statNode(path, w);
                        } else {
                            assertMissingInOracle(() -> zk.tree.statNode(path, w));
                        }
                    }
                    case 2 -> {
                        if (exists) {
                            ours.watches().addChildWatch(path, id);
                            zk.tree.getChildren(path, null, w);
                        }
                    }
                    default -> {
                        int mode = kind - 3;
                        ours.watches().addWatch(path, mode, id);
                        zk.tree.addWatch(path, w, mode);
                    }
                }
            } catch (KeeperException e) {
                throw new AssertionError(where(), e);
            }
        }

        void removeOrCheckWatch() {
            long id = WATCHERS[rnd.nextInt(WATCHERS.length)];
            Watcher w = zk.watcher(id);
            String path = candidatePath();
            int type = 1 + rnd.nextInt(5);
            Watcher.WatcherType zkType = Watcher.WatcherType.fromInt(type);
            int what = rnd.nextInt(7);
            lastOp = "watch removal " + what + " type " + type + " " + path + " by " + id;
            if (what == 0) {
                ours.watches().removeWatcher(id);
                zk.tree.removeCnxn(w);
            } else if (what <= 3) {
                assertEquals(zk.tree.containsWatcher(path, zkType, w), ours.watches().checkWatches(path, type, id), where());
            } else {
                assertEquals(zk.tree.removeWatch(path, zkType, w), ours.watches().removeWatches(path, type, id), where());
            }
        }

        void setWatchesOrCloseSession() {
            if (rnd.nextInt(3) == 0) {
                long session = SESSIONS[rnd.nextInt(SESSIONS.length)];
                lastOp = "closeSession " + Long.toHexString(session);
                for (String path : ours.ephemerals(session)) {
                    zk.delete(path, zxid);
                }
                record(ours.closeSession(session, zxid));
                return;
            }
            long id = WATCHERS[rnd.nextInt(WATCHERS.length)];
            long relativeZxid = 100 + (long) rnd.nextInt((int) (zxid - 99));
            List<List<String>> lists = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                List<String> list = new ArrayList<>();
                for (int n = rnd.nextInt(3); n > 0; n--) {
                    list.add(candidatePath());
                }
                lists.add(list);
            }
            lastOp = "setWatches " + relativeZxid + " " + lists + " by " + id;
            record(ours.setWatches(relativeZxid, lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4), id));
            zk.tree.setWatches(relativeZxid, lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4), zk.watcher(id));
        }

        void compareAll() {
            List<String> paths = paths();
            assertEquals(oraclePaths("/"), new TreeSet<>(paths), where());
            for (String path : paths) {
                assertEquals(zk.stat(path), ours.get(path).stat(), where() + " stat of " + path);
                assertEquals(zk.acl(path), ours.get(path).acl(), where() + " acl of " + path);
                assertEquals(zk.tree.getAllChildrenNumber(path), ours.allChildrenNumber(path), where() + " " + path);
                if (!NodeDigest.isExcluded(path)) { // ZooKeeper never computes (caches) those
                    assertEquals(zk.tree.getNode(path).getDigest(), ours.get(path).digest(), where() + " digest of " + path);
                }
            }
            assertEquals(zk.tree.getTreeDigest(), ours.treeDigest(), where() + " tree digest");
            assertEquals(zk.tree.getNodeCount(), ours.reportedNodeCount(), where());
            assertEquals(zk.tree.cachedApproximateDataSize(), ours.approximateDataSize(), where());
            assertEquals(new TreeSet<>(zk.tree.getContainers()), ours.containers(), where());
            assertEquals(new TreeSet<>(zk.tree.getTtls()), ours.ttlNodes(), where());
            assertEquals(zk.tree.getEphemeralsCount(), ours.ephemeralCount(), where());
            for (long session : SESSIONS) {
                assertEquals(new TreeSet<>(zk.tree.getEphemerals(session)), ours.ephemerals(session), where());
            }
            assertEquals(zk.tree.getWatchCount(), ours.watches().watchCount(), where());
            WatchesSummary summary = zk.tree.getWatchesSummary();
            assertEquals(new WatchSummary(summary.getNumConnections(), summary.getNumPaths(), summary.getTotalWatches()),
                    ours.watches().summary(), where());
            for (long id : WATCHERS) {
                assertEquals(zk.seen.getOrDefault(id, List.of()), ourSeen.getOrDefault(id, List.of()),
                        where() + " notifications of watcher " + id);
            }
            ours.checkInvariants();
        }

        private TreeSet<String> oraclePaths(String path) {
            TreeSet<String> out = new TreeSet<>();
            out.add(path);
            try {
                for (String name : zk.tree.getChildren(path, null, null)) {
                    out.addAll(oraclePaths(child(path, name)));
                }
            } catch (KeeperException e) {
                throw new AssertionError(e);
            }
            return out;
        }

        private void record(List<Fired> fired) {
            for (Fired f : fired) {
                ourSeen.computeIfAbsent(f.watcherId(), k -> new ArrayList<>()).add(new ZkOracle.Seen(f.eventType(), f.path()));
            }
        }

        private List<String> paths() {
            List<String> out = new ArrayList<>();
            ours.forEach((path, node) -> out.add(path));
            return out;
        }

        /** An existing path or a possible child of one (which may not exist). */
        private String candidatePath() {
            String path = pick(paths());
            return rnd.nextBoolean() ? path : child(path, pick(NAMES));
        }

        private byte[] bytes() {
            byte[] b = new byte[rnd.nextInt(6)];
            rnd.nextBytes(b);
            return b;
        }

        private <T> T pick(List<T> from) {
            return from.get(rnd.nextInt(from.size()));
        }

        private <T> T pick(T[] from) {
            return from[rnd.nextInt(from.length)];
        }

        private String where() {
            return "seed " + seed + " zxid " + zxid + " after " + lastOp;
        }
    }

    private interface OracleCall {
        void run() throws KeeperException;
    }

    private static void assertMissingInOracle(OracleCall call) {
        try {
            call.run();
            throw new AssertionError("oracle found a node we think is missing");
        } catch (KeeperException.NoNodeException expected) {
            // exists on a missing node still leaves the watch behind, which is the point
        } catch (KeeperException e) {
            throw new AssertionError(e);
        }
    }

    static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }
}
