package io.paddock.server.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves multi (one atomic transaction, one zxid, per-op results; a failed multi reports 0,
 * the error, then RUNTIMEINCONSISTENCY per op and changes nothing) and multiRead (independent
 * reads, each with its own result or error).
 */
class MultiConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void successfulMultiAppliesEveryOpAtOneZxid(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("multi");
            List<OpResult> results = zk.multi(List.of(
                    Op.create(path, "a".getBytes(UTF_8), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.create(path + "/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.setData(path, "b".getBytes(UTF_8), 0),
                    Op.check(path, 1),
                    Op.create(path + "/gone", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.delete(path + "/gone", 0)));

            assertEquals(6, results.size());
            assertEquals(path, ((OpResult.CreateResult) results.get(0)).getPath());
            assertEquals(path + "/child", ((OpResult.CreateResult) results.get(1)).getPath());
            Stat setStat = ((OpResult.SetDataResult) results.get(2)).getStat();
            assertEquals(1, setStat.getVersion());
            assertInstanceOf(OpResult.CheckResult.class, results.get(3));
            assertInstanceOf(OpResult.DeleteResult.class, results.get(5));

            Stat parent = zk.exists(path, false);
            Stat child = zk.exists(path + "/child", false);
            assertEquals(parent.getMzxid(), setStat.getMzxid());
            assertEquals(1, setStat.getCversion(), "setData's stat is taken mid-transaction, after one create");
            assertEquals(parent.getCzxid(), child.getCzxid(), "one transaction, one zxid");
            assertEquals(parent.getCzxid(), parent.getMzxid());
            assertEquals(parent.getCzxid(), parent.getPzxid());
            assertEquals(3, parent.getCversion(), "two creates and a delete");
            assertEquals(1, parent.getNumChildren());
            assertArrayEquals("b".getBytes(UTF_8), zk.getData(path, false, null));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void failedMultiReportsPerOpResultsAndChangesNothing(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("failed-multi");
            zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            List<Op> ops = List.of(
                    Op.create(path + "/a", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.setData(path, new byte[1], 0),
                    Op.setData(path + "/missing", new byte[1], -1),
                    Op.create(path + "/b", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));

            KeeperException failure = assertThrows(KeeperException.NoNodeException.class, () -> zk.multi(ops));
            assertEquals(List.of(Code.OK.intValue(), Code.OK.intValue(), Code.NONODE.intValue(),
                    Code.RUNTIMEINCONSISTENCY.intValue()), errorCodes(failure.getResults()));

            Stat unchanged = zk.exists(path, false);
            assertEquals(0, unchanged.getVersion());
            assertEquals(0, unchanged.getCversion());
            assertNull(zk.exists(path + "/a", false));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void failedMultiThroughTheAsyncApi(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("async-multi");
            zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            CompletableFuture<List<Integer>> outcome = new CompletableFuture<>();
            zk.multi(List.of(
                    Op.check(path, 7),
                    Op.create(path + "/a", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)),
                    (rc, p, ctx, results) -> outcome.complete(List.of(rc, errorCodes(results).get(0),
                            errorCodes(results).get(1))),
                    null);
            List<Integer> codes = outcome.get(Await.DEFAULT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(List.of(Code.BADVERSION.intValue(), Code.BADVERSION.intValue(),
                    Code.RUNTIMEINCONSISTENCY.intValue()), codes);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void sequentialCreateSeesEarlierCreatesOfTheSameMulti(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("multi-seq");
            List<OpResult> results = zk.multi(List.of(
                    Op.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.create(path + "/plain", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.create(path + "/s-", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
                    Op.delete(path + "/plain", -1),
                    Op.create(path + "/s-", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL)));
            assertEquals(path + "/s-0000000001", ((OpResult.CreateResult) results.get(2)).getPath());
            assertEquals(path + "/s-0000000002", ((OpResult.CreateResult) results.get(4)).getPath());
            assertEquals(zk.getSessionId(), zk.exists(path + "/s-0000000002", false).getEphemeralOwner());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void multiReadAnswersEachReadOnItsOwn(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("multi-read");
            zk.create(path, "data".getBytes(UTF_8), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(path + "/c", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

            // A read-only multi does not throw: a missing node is just an error result.
            List<OpResult> results = zk.multi(List.of(
                    Op.getData(path),
                    Op.getChildren(path + "/missing"),
                    Op.getChildren(path),
                    Op.getData(path + "/missing")));

            OpResult.GetDataResult data = (OpResult.GetDataResult) results.get(0);
            assertArrayEquals("data".getBytes(UTF_8), data.getData());
            assertEquals(zk.exists(path, false), data.getStat());
            assertEquals(Code.NONODE.intValue(), ((OpResult.ErrorResult) results.get(1)).getErr());
            assertEquals(List.of("c"), ((OpResult.GetChildrenResult) results.get(2)).getChildren());
            assertEquals(Code.NONODE.intValue(), ((OpResult.ErrorResult) results.get(3)).getErr());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void readsAndWritesDoNotMixInOneMulti(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("mixed");
            assertThrows(IllegalArgumentException.class, () -> zk.multi(List.of(
                    Op.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.getData(path))));
            assertTrue(zk.multi(List.of()).isEmpty(), "an empty multi succeeds");
        }
    }

    private static List<Integer> errorCodes(List<OpResult> results) {
        return results.stream().map(result -> ((OpResult.ErrorResult) result).getErr()).toList();
    }
}
