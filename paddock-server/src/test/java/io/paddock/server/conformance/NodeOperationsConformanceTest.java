package io.paddock.server.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that the basic node operations (create/create2, exists, getData, setData, delete,
 * getChildren/getChildren2, getAllChildrenNumber, sync) answer exactly as ZooKeeper does, with
 * success and error paths and every Stat field whose value is deterministic.
 */
class NodeOperationsConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void create2ReturnsTheStatOfAFreshNode(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("create2");
            byte[] data = "hello".getBytes(UTF_8);
            Stat stat = new Stat();
            assertEquals(path, zk.create(path, data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, stat));

            assertTrue(stat.getCzxid() > 0, "czxid");
            assertEquals(stat.getCzxid(), stat.getMzxid(), "mzxid == czxid after create");
            assertEquals(stat.getCzxid(), stat.getPzxid(), "pzxid == czxid after create");
            assertEquals(stat.getCtime(), stat.getMtime(), "mtime == ctime after create");
            assertEquals(0, stat.getVersion());
            assertEquals(0, stat.getCversion());
            assertEquals(0, stat.getAversion());
            assertEquals(0, stat.getEphemeralOwner());
            assertEquals(data.length, stat.getDataLength());
            assertEquals(0, stat.getNumChildren());

            assertEquals(stat, zk.exists(path, false), "exists sees the create2 stat");
            Stat readStat = new Stat();
            assertArrayEquals(data, zk.getData(path, false, readStat));
            assertEquals(stat, readStat, "getData sees the create2 stat");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void nullAndEmptyDataReadBackDifferently(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String nullData = zk.create(Clients.uniquePath("null-data"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            String emptyData = zk.create(Clients.uniquePath("empty-data"), new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

            // ZooKeeper keeps "no data" apart from "zero bytes": the reply buffer is -1 vs 0 long.
            Stat stat = new Stat();
            assertNull(zk.getData(nullData, false, stat));
            assertEquals(0, stat.getDataLength());
            assertArrayEquals(new byte[0], zk.getData(emptyData, false, stat));
            assertEquals(0, stat.getDataLength());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void ephemeralOwnerIsTheSessionOnlyForEphemerals(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String base = Clients.uniquePath("owner");
            zk.create(base, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Stat ephemeral = new Stat();
            zk.create(base + "/eph", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL, ephemeral);
            Stat ephemeralSequential = new Stat();
            String seqPath = zk.create(base + "/eseq-", null, Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL_SEQUENTIAL, ephemeralSequential);
            Stat container = new Stat();
            zk.create(base + "/container", null, Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER, container);
            Stat ttl = new Stat();
            zk.create(base + "/ttl", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, ttl, 60_000);

            assertEquals(zk.getSessionId(), ephemeral.getEphemeralOwner());
            assertEquals(zk.getSessionId(), ephemeralSequential.getEphemeralOwner());
            assertEquals(base + "/eseq-0000000001", seqPath);
            // Containers and TTL nodes are stored with a marker owner but shown as 0.
            assertEquals(0, container.getEphemeralOwner());
            assertEquals(0, ttl.getEphemeralOwner());
            assertEquals(0, zk.exists(base + "/container", false).getEphemeralOwner());
            assertEquals(0, zk.exists(base + "/ttl", false).getEphemeralOwner());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void parentStatTracksChildCreatesAndDeletes(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String parent = Clients.uniquePath("parent");
            Stat before = new Stat();
            zk.create(parent, "p".getBytes(UTF_8), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, before);

            Stat child = new Stat();
            zk.create(parent + "/a", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, child);
            Stat afterCreate = zk.exists(parent, false);
            assertEquals(1, afterCreate.getCversion());
            assertEquals(1, afterCreate.getNumChildren());
            assertEquals(child.getCzxid(), afterCreate.getPzxid(), "pzxid is the child's create");
            assertEquals(before.getMzxid(), afterCreate.getMzxid(), "a child op is not a data change");
            assertEquals(before.getVersion(), afterCreate.getVersion());

            zk.delete(parent + "/a", -1);
            Stat afterDelete = zk.exists(parent, false);
            assertEquals(2, afterDelete.getCversion(), "cversion counts deletes too");
            assertEquals(0, afterDelete.getNumChildren());
            assertTrue(afterDelete.getPzxid() > child.getCzxid(), "pzxid moves to the delete");
            Stat later = new Stat();
            zk.create(Clients.uniquePath("later"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, later);
            assertTrue(later.getCzxid() > afterDelete.getPzxid(), "the delete's zxid is in the past");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void setDataChecksAndBumpsTheVersion(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("set");
            Stat created = new Stat();
            zk.create(path, "a".getBytes(UTF_8), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created);

            Stat first = zk.setData(path, "bb".getBytes(UTF_8), 0);
            assertEquals(1, first.getVersion());
            assertEquals(created.getCzxid(), first.getCzxid());
            assertTrue(first.getMzxid() > created.getMzxid());
            assertEquals(created.getPzxid(), first.getPzxid(), "pzxid follows children only");
            assertEquals(created.getCtime(), first.getCtime());
            assertTrue(first.getMtime() >= created.getMtime());
            assertEquals(2, first.getDataLength());
            assertEquals(0, first.getCversion());
            assertEquals(first, zk.exists(path, false));

            assertThrows(KeeperException.BadVersionException.class,
                    () -> zk.setData(path, "c".getBytes(UTF_8), 0));
            assertArrayEquals("bb".getBytes(UTF_8), zk.getData(path, false, null), "failed set changes nothing");

            assertEquals(2, zk.setData(path, "ccc".getBytes(UTF_8), -1).getVersion(), "-1 matches any version");
            assertThrows(KeeperException.NoNodeException.class,
                    () -> zk.setData(path + "/missing", new byte[0], -1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void deleteChecksVersionAndChildren(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("delete");
            zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(path + "/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.setData(path + "/child", new byte[1], -1);

            assertThrows(KeeperException.NotEmptyException.class, () -> zk.delete(path, -1));
            assertThrows(KeeperException.BadVersionException.class, () -> zk.delete(path + "/child", 0));
            zk.delete(path + "/child", 1);
            assertNull(zk.exists(path + "/child", false));
            assertThrows(KeeperException.NoNodeException.class, () -> zk.delete(path + "/child", -1));
            zk.delete(path, -1);
            assertNull(zk.exists(path, false));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void childrenListsAndCounts(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("children");
            zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (String name : List.of("a", "b", "c")) {
                zk.create(path + "/" + name, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            zk.create(path + "/a/x", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(path + "/a/x/y", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

            assertEquals(Set.of("a", "b", "c"), Set.copyOf(zk.getChildren(path, false)));
            Stat stat = new Stat();
            assertEquals(3, zk.getChildren(path, false, stat).size());
            assertEquals(zk.exists(path, false), stat, "getChildren2 returns the parent's stat");
            assertEquals(List.of(), zk.getChildren(path + "/b", false));
            assertThrows(KeeperException.NoNodeException.class, () -> zk.getChildren(path + "/none", false));

            assertEquals(5, zk.getAllChildrenNumber(path), "all descendants, not just children");
            assertEquals(0, zk.getAllChildrenNumber(path + "/b"));
            assertThrows(KeeperException.NoNodeException.class, () -> zk.getAllChildrenNumber(path + "/none"));
            assertNull(zk.exists(path + "/none", false));
            assertThrows(KeeperException.NoNodeException.class, () -> zk.getData(path + "/none", false, null));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void sequentialSuffixCountsCreationsNotCversion(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String parent = Clients.uniquePath("seq");
            zk.create(parent, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertEquals(parent + "/n-0000000000", createSequential(zk, parent + "/n-"));
            assertEquals(parent + "/n-0000000001", createSequential(zk, parent + "/n-"));
            zk.create(parent + "/plain", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.delete(parent + "/n-0000000000", -1);
            zk.delete(parent + "/plain", -1);
            assertEquals(5, zk.exists(parent, false).getCversion(), "3 creates + 2 deletes");

            // The suffix is the count of creations (3), not the cversion (5) nor the size (1).
            assertEquals(parent + "/m-0000000003", createSequential(zk, parent + "/m-"));
            assertEquals(6, zk.exists(parent, false).getCversion());
            // A sequential name may be only the counter: "parent/" is a valid prefix.
            assertEquals(parent + "/0000000004", createSequential(zk, parent + "/"));
        }
    }

    private static String createSequential(ZooKeeper zk, String prefix) throws Exception {
        return zk.create(prefix, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void syncAnswersWithItsPathAndOrdersLaterReads(Target target) throws Exception {
        try (ZooKeeper reader = Clients.connect(target); ZooKeeper writer = Clients.connect(target)) {
            String path = writer.create(Clients.uniquePath("sync"), new byte[] {1}, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.setData(path, new byte[] {2}, -1);
            assertEquals(List.of(Code.OK.intValue() + " " + path), sync(reader, path));
            assertArrayEquals(new byte[] {2}, reader.getData(path, false, null), "a read after sync sees the write");
            // sync does not look at the node: an absent path is fine.
            assertEquals(List.of(Code.OK.intValue() + " " + path + "/absent"), sync(reader, path + "/absent"));
        }
    }

    private static List<String> sync(ZooKeeper zk, String path) throws InterruptedException {
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        zk.sync(path, (rc, answeredPath, ctx) -> answers.add(rc + " " + answeredPath), null);
        String answer = answers.poll(Await.DEFAULT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        return answer == null ? List.of() : List.of(answer);
    }
}
