package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the server-side sweeps: a container is deleted once it has had children and has none
 * left (a never-used container stays), and a TTL node is deleted once it has been unmodified
 * for its TTL and has no children. Both are checked with bounded waits on the sweep
 * ({@code znode.container.checkIntervalMs} = {@value TargetSettings#CONTAINER_CHECK_INTERVAL_MS}).
 */
class ContainerAndTtlConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";
    private static final long SHORT_TTL_MS = 300;

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void containerGoesAfterItsLastChild(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String used = zk.create(Clients.uniquePath("container"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
            String neverUsed = zk.create(Clients.uniquePath("container-empty"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
            zk.create(used + "/a", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(used + "/b", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            zk.delete(used + "/a", -1);
            assertNotNull(zk.exists(used, false), "a child is left");
            zk.delete(used + "/b", -1);

            Await.until("the emptied container is deleted", () -> zk.exists(used, false) == null);
            // The sweep that removed the used container has passed over the never-used one.
            assertNotNull(zk.exists(neverUsed, false), "a container that never had children stays");
        }
    }

    /**
     * The container flag means a container only with the createContainer op: ZooKeeper turns a
     * create or create2 with flag 4 into a CreateTxn, which makes a persistent node (no container
     * owner, never swept). A replicated transaction must say the same on every server.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void theContainerFlagOnAPlainCreateMakesAPersistentNode(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target); RawSession raw = RawSession.open(target)) {
            for (int opCode : new int[] {1, 15}) { // create, create2
                String path = Clients.uniquePath("flag4-op" + opCode);
                RawSession.Reply reply = raw.call(opCode,
                        new RawSession.Frame().str(path).buf(null).openAcl().i32(4).bytes());
                assertEquals(0, reply.err(), "op " + opCode + " with the container flag");
                zk.create(path + "/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.delete(path + "/child", -1);
                Stat stat = zk.exists(path, false);
                assertNotNull(stat, "op " + opCode + ": the node is there");
                assertEquals(0L, stat.getEphemeralOwner(), "op " + opCode + ": a persistent node, not a container");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void ttlNodeGoesWhenUnmodifiedForItsTtl(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            Stat stat = new Stat();
            String shortLived = zk.create(Clients.uniquePath("ttl"), new byte[1], Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_WITH_TTL, stat, SHORT_TTL_MS);
            String sequential = zk.create(Clients.uniquePath("ttl-seq") + "-", null, Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, new Stat(), SHORT_TTL_MS);
            String withChild = zk.create(Clients.uniquePath("ttl-parent"), null, Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_WITH_TTL, new Stat(), SHORT_TTL_MS);
            zk.create(withChild + "/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertEquals(0, stat.getEphemeralOwner());

            Await.until("the TTL node expires", () -> zk.exists(shortLived, false) == null);
            Await.until("the sequential TTL node expires", () -> zk.exists(sequential, false) == null);
            assertNotNull(zk.exists(withChild, false), "a TTL node with children stays");
            zk.delete(withChild + "/child", -1);
            Await.until("the emptied TTL node expires", () -> zk.exists(withChild, false) == null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void ttlMustBePositiveAndOnlyForTtlModes(Target target) throws Exception {
        try (RawZooKeeper zk = Clients.connectRaw(target)) {
            String path = Clients.uniquePath("bad-ttl");
            // The client checks the TTL itself before sending.
            assertThrows(IllegalArgumentException.class, () -> zk.create(path, null, Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_WITH_TTL, new Stat(), 0));
            assertThrows(IllegalArgumentException.class, () -> zk.create(path, null, Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT, new Stat(), 1000));
            assertThrows(KeeperException.NoNodeException.class, () -> zk.create(path + "/x", null,
                    Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 1000));
        }
    }
}
