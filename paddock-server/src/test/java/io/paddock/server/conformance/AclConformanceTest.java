package io.paddock.server.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves access control: world, digest (with addAuthInfo), auth (the creator's ids), ip, the
 * NoAuth answers (exists included, ZOOKEEPER-2590), getACL/setACL with aversion, the hiding of
 * digests from readers without ADMIN, the super user, and whoAmI.
 */
class AclConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";
    private static final String ALICE = "alice";
    private static final String ALICE_PASSWORD = "alice-pw";
    private static final Id ALICE_ID = new Id("digest", TargetSettings.digestId(ALICE, ALICE_PASSWORD));

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void worldReadOnlyRefusesWrites(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("read-only");
            zk.create(path, "x".getBytes(UTF_8), Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertArrayEquals("x".getBytes(UTF_8), zk.getData(path, false, null));
            assertThrows(KeeperException.NoAuthException.class, () -> zk.setData(path, new byte[0], -1));
            assertThrows(KeeperException.NoAuthException.class,
                    () -> zk.create(path + "/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertThrows(KeeperException.NoAuthException.class, () -> zk.setACL(path, Ids.OPEN_ACL_UNSAFE, -1));
            zk.delete(path, -1); // deleting needs DELETE on the parent, not on the node
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void digestAclNeedsTheMatchingAuth(Target target) throws Exception {
        try (ZooKeeper alice = Clients.connect(target); ZooKeeper stranger = Clients.connect(target)) {
            alice.addAuthInfo("digest", (ALICE + ":" + ALICE_PASSWORD).getBytes(UTF_8));
            String path = Clients.uniquePath("digest");
            alice.create(path, "secret".getBytes(UTF_8), acl(new ACL(Perms.ALL, ALICE_ID)), CreateMode.PERSISTENT);

            assertArrayEquals("secret".getBytes(UTF_8), alice.getData(path, false, null));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.getData(path, false, null));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.getChildren(path, false));
            // ZOOKEEPER-2590: exists of an existing node needs READ; of an absent one, nothing.
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.exists(path, false));
            assertNull(stranger.exists(path + "/absent", false));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.getACL(path, new Stat()));

            stranger.addAuthInfo("digest", (ALICE + ":wrong").getBytes(UTF_8));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.getData(path, false, null));
            stranger.addAuthInfo("digest", (ALICE + ":" + ALICE_PASSWORD).getBytes(UTF_8));
            assertArrayEquals("secret".getBytes(UTF_8), stranger.getData(path, false, null),
                    "ids accumulate: a wrong password before does not spoil the right one");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void authSchemeStandsForTheCreatorsIds(Target target) throws Exception {
        try (ZooKeeper alice = Clients.connect(target); ZooKeeper anonymous = Clients.connect(target)) {
            String path = Clients.uniquePath("auth");
            assertThrows(KeeperException.InvalidACLException.class,
                    () -> anonymous.create(path, null, Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT),
                    "auth without any authenticated id is invalid");

            alice.addAuthInfo("digest", (ALICE + ":" + ALICE_PASSWORD).getBytes(UTF_8));
            alice.create(path, null, Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            Stat stat = new Stat();
            assertEquals(acl(new ACL(Perms.ALL, ALICE_ID)), alice.getACL(path, stat));
            assertEquals(0, stat.getAversion());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void ipAclMatchesTheClientAddress(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String local = Clients.uniquePath("ip-local");
            zk.create(local, "l".getBytes(UTF_8), acl(new ACL(Perms.READ, new Id("ip", "127.0.0.1"))), CreateMode.PERSISTENT);
            assertArrayEquals("l".getBytes(UTF_8), zk.getData(local, false, null));
            assertThrows(KeeperException.NoAuthException.class, () -> zk.setData(local, new byte[0], -1));

            String subnet = Clients.uniquePath("ip-subnet");
            zk.create(subnet, null, acl(new ACL(Perms.READ, new Id("ip", "127.0.0.0/8"))), CreateMode.PERSISTENT);
            zk.getData(subnet, false, null);

            String elsewhere = Clients.uniquePath("ip-elsewhere");
            zk.create(elsewhere, null, acl(new ACL(Perms.READ, new Id("ip", "10.1.2.3"))), CreateMode.PERSISTENT);
            assertThrows(KeeperException.NoAuthException.class, () -> zk.getData(elsewhere, false, null));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void setAclChecksAndBumpsTheAversion(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = Clients.uniquePath("set-acl");
            Stat created = new Stat();
            zk.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created);

            Stat changed = zk.setACL(path, Ids.READ_ACL_UNSAFE, 0);
            assertEquals(1, changed.getAversion());
            assertEquals(created.getVersion(), changed.getVersion());
            assertEquals(created.getMzxid(), changed.getMzxid(), "an ACL change is not a data change");
            assertEquals(changed, zk.exists(path, false));
            Stat read = new Stat();
            assertEquals(Ids.READ_ACL_UNSAFE, zk.getACL(path, read));
            assertEquals(changed, read);

            // READ is not ADMIN: the node's own ACL now refuses the next setACL.
            assertThrows(KeeperException.NoAuthException.class, () -> zk.setACL(path, Ids.OPEN_ACL_UNSAFE, 1));
            String other = zk.create(Clients.uniquePath("set-acl"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThrows(KeeperException.BadVersionException.class, () -> zk.setACL(other, Ids.OPEN_ACL_UNSAFE, 3));
            assertThrows(KeeperException.NoNodeException.class, () -> zk.setACL(other + "/x", Ids.OPEN_ACL_UNSAFE, -1));
            assertThrows(KeeperException.InvalidACLException.class, () -> zk.setACL(other, List.of(), -1));
            assertThrows(KeeperException.NoNodeException.class, () -> zk.getACL(other + "/x", new Stat()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void getAclHidesDigestsFromReadersWithoutAdmin(Target target) throws Exception {
        try (ZooKeeper alice = Clients.connect(target); ZooKeeper reader = Clients.connect(target)) {
            alice.addAuthInfo("digest", (ALICE + ":" + ALICE_PASSWORD).getBytes(UTF_8));
            String path = Clients.uniquePath("hidden");
            List<ACL> acl = acl(new ACL(Perms.READ, Ids.ANYONE_ID_UNSAFE), new ACL(Perms.ALL, ALICE_ID));
            alice.create(path, null, acl, CreateMode.PERSISTENT);

            assertEquals(acl, alice.getACL(path, new Stat()), "ADMIN sees the digest");
            List<ACL> seenByReader = reader.getACL(path, new Stat());
            assertEquals(acl(new ACL(Perms.READ, Ids.ANYONE_ID_UNSAFE),
                    new ACL(Perms.ALL, new Id("digest", ALICE + ":x"))), seenByReader);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void superUserPassesEveryCheck(Target target) throws Exception {
        try (ZooKeeper alice = Clients.connect(target); ZooKeeper root = Clients.connect(target)) {
            alice.addAuthInfo("digest", (ALICE + ":" + ALICE_PASSWORD).getBytes(UTF_8));
            String path = Clients.uniquePath("super");
            alice.create(path, "s".getBytes(UTF_8), acl(new ACL(Perms.ALL, ALICE_ID)), CreateMode.PERSISTENT);

            root.addAuthInfo("digest", (TargetSettings.SUPER_USER + ":" + TargetSettings.SUPER_PASSWORD).getBytes(UTF_8));
            assertArrayEquals("s".getBytes(UTF_8), root.getData(path, false, null));
            root.setData(path, new byte[0], -1);
            assertEquals(acl(new ACL(Perms.ALL, ALICE_ID)), root.getACL(path, new Stat()), "super has ADMIN");
            root.delete(path, -1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void whoAmIListsTheConnectionsIds(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            assertEquals(Set.of("ip:127.0.0.1"), ids(zk), "every connection has its ip id");
            zk.addAuthInfo("digest", (ALICE + ":" + ALICE_PASSWORD).getBytes(UTF_8));
            assertEquals(Set.of("ip:127.0.0.1", "digest:" + ALICE), ids(zk), "digest shows the user name only");
            assertTrue(zk.whoAmI().stream().allMatch(info -> info.getAuthScheme() != null));
        }
    }

    /**
     * A mutable ACL list: the client calls {@code acl.contains(null)} when it checks an ACL, and
     * an immutable {@code List.of(...)} answers that with a NullPointerException.
     */
    private static List<ACL> acl(ACL... entries) {
        return new ArrayList<>(Arrays.asList(entries));
    }

    private static Set<String> ids(ZooKeeper zk) throws InterruptedException {
        return zk.whoAmI().stream()
                .map(info -> info.getAuthScheme() + ":" + info.getUser())
                .collect(Collectors.toSet());
    }
}
