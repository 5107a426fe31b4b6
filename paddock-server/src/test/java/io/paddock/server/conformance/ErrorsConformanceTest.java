package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.OpCode;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the error answers: NoNode, NodeExists, NotEmpty, NoChildrenForEphemerals, and how
 * malformed paths are treated. The official client checks paths itself and throws
 * IllegalArgumentException before sending anything (that is what users see), so the server's
 * own answer is checked with raw requests: setData/setACL answer BadArguments, reads answer
 * NoNode, and create/delete depend on whether the parent exists.
 */
class ErrorsConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";
    private static final List<String> MALFORMED_PATHS =
            List.of("no-slash", "/double//slash", "/trailing/", "/dot/./x", "/dotdot/../x", "/nul\u0000x");

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void createAnswersNodeExistsAndNoNode(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("exists");
            zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThrows(KeeperException.NodeExistsException.class,
                    () -> zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertThrows(KeeperException.NodeExistsException.class,
                    () -> zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
            assertThrows(KeeperException.NoNodeException.class,
                    () -> zk.create(path + "/missing/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertThrows(KeeperException.NoNodeException.class,
                    () -> zk.create(path + "/missing/seq-", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL));
            assertThrows(KeeperException.NodeExistsException.class,
                    () -> zk.create("/zookeeper", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void ephemeralsHaveNoChildren(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String ephemeral = zk.create(Clients.uniquePath("eph"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            for (CreateMode mode : List.of(CreateMode.PERSISTENT, CreateMode.EPHEMERAL,
                    CreateMode.PERSISTENT_SEQUENTIAL, CreateMode.CONTAINER)) {
                assertThrows(KeeperException.NoChildrenForEphemeralsException.class,
                        () -> zk.create(ephemeral + "/child", null, Ids.OPEN_ACL_UNSAFE, mode), mode.name());
            }
            assertEquals(0, zk.exists(ephemeral, false).getCversion(), "failed creates change nothing");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void theZooKeeperSubtreeExistsFromTheStart(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            assertEquals(true, zk.getChildren("/zookeeper", false).containsAll(List.of("quota", "config")));
            Stat root = zk.exists("/", false);
            assertEquals(0, root.getEphemeralOwner());
            // Surprise: deleting /zookeeper is BadArguments, not NotEmpty.
            assertThrows(KeeperException.BadArgumentsException.class, () -> zk.delete("/zookeeper", -1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void theClientRefusesMalformedPathsItself(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            for (String path : MALFORMED_PATHS) {
                assertThrows(IllegalArgumentException.class,
                        () -> zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT), path);
                assertThrows(IllegalArgumentException.class, () -> zk.getData(path, false, null), path);
                assertThrows(IllegalArgumentException.class, () -> zk.exists(path, false), path);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void setDataAndSetAclRefuseEveryMalformedPath(Target target) throws Exception {
        try (RawZooKeeper zk = Clients.connectRaw(target)) {
            for (String path : MALFORMED_PATHS) {
                assertEquals(Code.BADARGUMENTS.intValue(), setData(zk, path), "setData " + path);
                assertEquals(Code.BADARGUMENTS.intValue(),
                        zk.submit(OpCode.setACL, new SetACLRequest(path, Ids.OPEN_ACL_UNSAFE, -1), new SetACLResponse()),
                        "setACL " + path);
            }
        }
    }

    /**
     * Surprise: create and delete look the parent up before checking the whole path, so a
     * malformed path whose parent does not exist answers NoNode; only a path with no slash or
     * with a NUL is refused up front. A malformed last name under an existing parent is
     * BadArguments for create, and NoNode for delete (it finds no such child).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void createAndDeleteLookUpTheParentFirst(Target target) throws Exception {
        try (RawZooKeeper zk = Clients.connectRaw(target)) {
            String parent = zk.create(Clients.uniquePath("parent"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (String path : List.of("no-slash", "/nul\u0000x", parent + "/nul\u0000")) {
                assertEquals(Code.BADARGUMENTS.intValue(), create(zk, path, 0), "create " + path);
                assertEquals(Code.BADARGUMENTS.intValue(), delete(zk, path), "delete " + path);
            }
            for (String path : List.of("/missing//x", parent + "//x", parent + "/./x", parent + "/x/")) {
                assertEquals(Code.NONODE.intValue(), create(zk, path, 0), "create " + path);
                assertEquals(Code.NONODE.intValue(), delete(zk, path), "delete " + path);
            }
            for (String path : List.of(parent + "/", parent + "/.", parent + "/..")) {
                assertEquals(Code.BADARGUMENTS.intValue(), create(zk, path, 0), "create " + path);
                assertEquals(Code.NONODE.intValue(), delete(zk, path), "delete " + path);
            }
            // The sequential suffix is added before the check, and turns "." into a legal name.
            int sequentialFlag = CreateMode.PERSISTENT_SEQUENTIAL.toFlag();
            assertEquals(Code.OK.intValue(), create(zk, parent + "/.", sequentialFlag));
            assertEquals(List.of(".0000000000"), zk.getChildren(parent, false));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void theRootAndTheZooKeeperNodesCannotBeDeleted(Target target) throws Exception {
        try (RawZooKeeper zk = Clients.connectRaw(target)) {
            for (String path : List.of("/", "/zookeeper", "/zookeeper/quota")) {
                assertEquals(Code.BADARGUMENTS.intValue(), delete(zk, path), "delete " + path);
            }
            assertEquals(Code.NODEEXISTS.intValue(), create(zk, "/", 0));
        }
    }

    /** Reads never validate: a malformed path is simply a node that is not there. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void malformedPathsOnReadsAreNoNode(Target target) throws Exception {
        try (RawZooKeeper zk = Clients.connectRaw(target)) {
            for (String path : MALFORMED_PATHS) {
                assertEquals(Code.NONODE.intValue(),
                        zk.submit(OpCode.getData, new GetDataRequest(path, false), new GetDataResponse()),
                        "getData " + path);
                assertEquals(Code.NONODE.intValue(),
                        zk.submit(OpCode.getChildren, new GetChildrenRequest(path, false), new GetChildrenResponse()),
                        "getChildren " + path);
            }
            assertEquals(Code.NONODE.intValue(), exists(zk, "/double//slash"));
            // Surprise: exists alone refuses a NUL in the path, with BadArguments.
            assertEquals(Code.BADARGUMENTS.intValue(), exists(zk, "/nul\u0000x"));
        }
    }

    private static int create(RawZooKeeper zk, String path, int flags) throws InterruptedException {
        return zk.submit(OpCode.create, new CreateRequest(path, new byte[0], Ids.OPEN_ACL_UNSAFE, flags),
                new CreateResponse());
    }

    private static int delete(RawZooKeeper zk, String path) throws InterruptedException {
        return zk.submit(OpCode.delete, new DeleteRequest(path, -1), null);
    }

    private static int setData(RawZooKeeper zk, String path) throws InterruptedException {
        return zk.submit(OpCode.setData, new SetDataRequest(path, new byte[0], -1), new SetDataResponse());
    }

    private static int exists(RawZooKeeper zk, String path) throws InterruptedException {
        return zk.submit(OpCode.exists, new ExistsRequest(path, false), new ExistsResponse());
    }
}
