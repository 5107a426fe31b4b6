package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the session life cycle: negotiated timeouts clamped to [2, 20] ticks, resuming a
 * session by id and password (ephemerals kept), a wrong password refused, expiry of a session
 * that stops pinging (its ephemerals deleted, other clients' watches fired, the client told
 * Expired when it comes back), closeSession, and getEphemerals.
 */
class SessionConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";
    private static final int SHORT_SESSION_TIMEOUT_MS = 1000;

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void negotiatedTimeoutIsClampedToTwoAndTwentyTicks(Target target) throws Exception {
        assertEquals(TargetSettings.MIN_SESSION_TIMEOUT_MS, negotiatedTimeout(target, 250));
        assertEquals(1000, negotiatedTimeout(target, 1000));
        assertEquals(TargetSettings.MAX_SESSION_TIMEOUT_MS, negotiatedTimeout(target, 600_000));
    }

    private static int negotiatedTimeout(Target target, int requestedMs) throws Exception {
        try (ZooKeeper zk = Clients.connect(target.connectString(), requestedMs, new EventRecorder())) {
            return zk.getSessionTimeout();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void resumingASessionKeepsItsEphemerals(Target target) throws Exception {
        // The first client reaches the server through a proxy that is cut before the session is
        // resumed, as when a client moves to another server; otherwise the two clients of one
        // session would keep taking the session from each other.
        try (CuttableProxy proxy = new CuttableProxy(target.clientPort());
                ZooKeeper first = Clients.connect(proxy.connectString(), TargetSettings.MAX_SESSION_TIMEOUT_MS,
                        new EventRecorder());
                ZooKeeper observer = Clients.connect(target)) {
            String path = first.create(Clients.uniquePath("resume"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            proxy.cut();
            EventRecorder resumedEvents = new EventRecorder();
            try (ZooKeeper resumed = new ZooKeeper(target.connectString(), TargetSettings.MAX_SESSION_TIMEOUT_MS,
                    resumedEvents, first.getSessionId(), first.getSessionPasswd())) {
                resumedEvents.awaitState(KeeperState.SyncConnected);
                assertEquals(first.getSessionId(), resumed.getSessionId());
                assertArrayEquals(first.getSessionPasswd(), resumed.getSessionPasswd());
                assertEquals(first.getSessionId(), resumed.exists(path, false).getEphemeralOwner());
                assertEquals(List.of(path), resumed.getEphemerals(path));
            }
            Await.until("the closed session's ephemeral is gone", () -> observer.exists(path, false) == null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void aWrongPasswordIsTreatedAsAnExpiredSession(Target target) throws Exception {
        try (ZooKeeper owner = Clients.connect(target)) {
            String path = owner.create(Clients.uniquePath("password"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            byte[] wrongPassword = owner.getSessionPasswd().clone();
            wrongPassword[0] ^= 1;
            EventRecorder intruderEvents = new EventRecorder();
            try (ZooKeeper intruder = new ZooKeeper(target.connectString(), TargetSettings.MAX_SESSION_TIMEOUT_MS,
                    intruderEvents, owner.getSessionId(), wrongPassword)) {
                intruderEvents.awaitState(KeeperState.Expired);
                assertTrue(!intruderEvents.sawState(KeeperState.SyncConnected));
                assertThrows(KeeperException.SessionExpiredException.class, () -> intruder.exists("/", false));
            }
            // Surprise: ZooKeeper closes the session's current connection before it checks the
            // password, so the owner is kicked off and reconnects (its session and ephemerals
            // survive). Paddock may keep the owner connected; both pass.
            Await.until("the owner still holds its session and ephemeral",
                    () -> ownsNode(owner, path));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void aSessionThatStopsPingingExpires(Target target) throws Exception {
        EventRecorder watcherEvents = new EventRecorder();
        EventRecorder cutEvents = new EventRecorder();
        try (CuttableProxy proxy = new CuttableProxy(target.clientPort());
                ZooKeeper watcher = Clients.connect(target, watcherEvents);
                ZooKeeper cutOff = Clients.connect(proxy.connectString(), SHORT_SESSION_TIMEOUT_MS, cutEvents)) {
            String base = Clients.uniquePath("expiry");
            watcher.create(base, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            String ephemeral = cutOff.create(base + "/e", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            watcher.exists(ephemeral, true);
            watcher.getChildren(base, true);

            proxy.cut();
            cutEvents.awaitState(KeeperState.Disconnected);
            Set<String> seen = Set.of(describe(watcherEvents.nextNodeEvent()), describe(watcherEvents.nextNodeEvent()));
            assertEquals(Set.of("NodeDeleted " + ephemeral, "NodeChildrenChanged " + base), seen);
            assertNull(watcher.exists(ephemeral, false));

            proxy.restore();
            cutEvents.awaitState(KeeperState.Expired);
            assertThrows(KeeperException.SessionExpiredException.class, () -> cutOff.exists("/", false));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void closingASessionDeletesItsEphemeralsAtOnce(Target target) throws Exception {
        EventRecorder watcherEvents = new EventRecorder();
        try (ZooKeeper watcher = Clients.connect(target, watcherEvents)) {
            ZooKeeper owner = Clients.connect(target);
            String path = owner.create(Clients.uniquePath("close"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            watcher.exists(path, true);
            owner.close();
            assertEquals("NodeDeleted " + path, describe(watcherEvents.nextNodeEvent()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void getEphemeralsListsThisSessionsNodesByPathPrefix(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target); ZooKeeper other = Clients.connect(target)) {
            String base = Clients.uniquePath("ephemerals");
            zk.create(base, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(base + "/x", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(base + "/x/e1", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            String sequential = zk.create(base + "/xy-", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
            zk.create(base + "/z", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            other.create(base + "/x/theirs", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

            assertEquals(Set.of(base + "/x/e1", sequential, base + "/z"), Set.copyOf(zk.getEphemerals()));
            assertEquals(Set.of(base + "/x/e1", sequential, base + "/z"), Set.copyOf(zk.getEphemerals("/")));
            // The prefix is a string prefix of the path, not a subtree: "/x" also matches "/xy-…".
            assertEquals(Set.of(base + "/x/e1", sequential), Set.copyOf(zk.getEphemerals(base + "/x")));
            assertEquals(List.of(base + "/x/e1"), zk.getEphemerals(base + "/x/e"));
            assertThrows(IllegalArgumentException.class, () -> zk.getEphemerals(base + "/x/"),
                    "the client checks the prefix as a path");
            assertEquals(List.of(), zk.getEphemerals(base + "/none"));
            assertEquals(List.of(base + "/x/theirs"), other.getEphemerals());
        }
    }

    private static boolean ownsNode(ZooKeeper owner, String path) throws Exception {
        try {
            return owner.exists(path, false).getEphemeralOwner() == owner.getSessionId();
        } catch (KeeperException.ConnectionLossException e) {
            return false; // reconnecting: ask again
        }
    }

    private static String describe(WatchedEvent event) {
        return event.getType() + " " + event.getPath();
    }
}
