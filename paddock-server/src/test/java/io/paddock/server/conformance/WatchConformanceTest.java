package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.OpCode;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves watches: one-shot data/exist/child watches, persistent and persistent-recursive
 * watches (addWatch), the ordering guarantee (a watch event reaches the client before the reply
 * of a read that sees the change), one-shot watches re-registered after a reconnect firing for
 * changes missed while away (persistent ones are re-registered but do not), and
 * removeWatches/checkWatches.
 */
class WatchConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void dataWatchFiresOnce(Target target) throws Exception {
        EventRecorder events = new EventRecorder();
        try (ZooKeeper watching = Clients.connect(target, events); ZooKeeper writer = Clients.connect(target)) {
            String path = writer.create(Clients.uniquePath("data-watch"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            watching.getData(path, true, null);
            writer.setData(path, new byte[1], -1);
            writer.setData(path, new byte[2], -1);

            WatchedEvent event = events.nextNodeEvent();
            assertEquals("NodeDataChanged " + path, describe(event));
            assertEquals(KeeperState.SyncConnected, event.getState());
            Clients.roundTrip(watching);
            assertEquals(List.of(), events.pendingNodeEvents(), "a one-shot watch fires once");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void existsWatchesSeeCreateAndDelete(Target target) throws Exception {
        EventRecorder events = new EventRecorder();
        try (ZooKeeper watching = Clients.connect(target, events); ZooKeeper writer = Clients.connect(target)) {
            String path = Clients.uniquePath("exists-watch");
            watching.exists(path, true);
            writer.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertEquals("NodeCreated " + path, describe(events.nextNodeEvent()));

            // A data watch and an exist watch of one watcher on one path fire once together.
            watching.exists(path, true);
            watching.getData(path, true, null);
            writer.delete(path, -1);
            assertEquals("NodeDeleted " + path, describe(events.nextNodeEvent()));
            Clients.roundTrip(watching);
            assertEquals(List.of(), events.pendingNodeEvents());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void childWatchSeesChildrenNotData(Target target) throws Exception {
        EventRecorder events = new EventRecorder();
        try (ZooKeeper watching = Clients.connect(target, events); ZooKeeper writer = Clients.connect(target)) {
            String path = writer.create(Clients.uniquePath("child-watch"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create(path + "/a", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            watching.getChildren(path, true);
            writer.setData(path, new byte[1], -1);
            writer.setData(path + "/a", new byte[1], -1);
            writer.create(path + "/b", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertEquals("NodeChildrenChanged " + path, describe(events.nextNodeEvent()));

            watching.getChildren(path, true);
            writer.delete(path + "/a", -1);
            assertEquals("NodeChildrenChanged " + path, describe(events.nextNodeEvent()));

            watching.getChildren(path, true);
            writer.delete(path + "/b", -1);
            events.nextNodeEvent();
            watching.getChildren(path, true);
            writer.delete(path, -1);
            assertEquals("NodeDeleted " + path, describe(events.nextNodeEvent()), "a child watch sees its node go");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void persistentWatchStaysAndSeesItsNodeAndChildren(Target target) throws Exception {
        EventRecorder events = new EventRecorder();
        try (ZooKeeper watching = Clients.connect(target); ZooKeeper writer = Clients.connect(target)) {
            String path = Clients.uniquePath("persistent");
            watching.addWatch(path, events, AddWatchMode.PERSISTENT);
            writer.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.setData(path, new byte[1], -1);
            writer.setData(path, new byte[2], -1);
            writer.create(path + "/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create(path + "/child/grandchild", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.setData(path + "/child", new byte[1], -1);
            writer.delete(path + "/child/grandchild", -1);
            writer.delete(path + "/child", -1);
            writer.delete(path, -1);
            writer.create(path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

            assertEquals(List.of("NodeCreated " + path, "NodeDataChanged " + path, "NodeDataChanged " + path,
                    "NodeChildrenChanged " + path, "NodeChildrenChanged " + path, "NodeDeleted " + path,
                    "NodeCreated " + path), nextEvents(events, 7));
            Clients.roundTrip(watching);
            assertEquals(List.of(), events.pendingNodeEvents());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void recursiveWatchSeesTheSubtreeButNoChildEvents(Target target) throws Exception {
        EventRecorder events = new EventRecorder();
        try (ZooKeeper watching = Clients.connect(target); ZooKeeper writer = Clients.connect(target)) {
            String path = writer.create(Clients.uniquePath("recursive"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            watching.addWatch(path, events, AddWatchMode.PERSISTENT_RECURSIVE);
            writer.create(path + "/a", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create(path + "/a/b", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            writer.setData(path + "/a/b", new byte[1], -1);
            writer.setData(path + "/a/b", new byte[2], -1);
            writer.delete(path + "/a/b", -1);
            writer.setData(path, new byte[1], -1);
            writer.create(path + "-sibling", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

            assertEquals(List.of("NodeCreated " + path + "/a", "NodeCreated " + path + "/a/b",
                    "NodeDataChanged " + path + "/a/b", "NodeDataChanged " + path + "/a/b",
                    "NodeDeleted " + path + "/a/b", "NodeDataChanged " + path), nextEvents(events, 6));
            Clients.roundTrip(watching);
            assertEquals(List.of(), events.pendingNodeEvents(), "a name-prefix sibling is not in the subtree");
        }
    }

    /**
     * ZooKeeper's ordering guarantee: a client sees a watch event before it sees the new data.
     * Reads go async so that the watcher and the read callbacks share the event thread's order.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void watchEventArrivesBeforeTheReplyThatSeesTheChange(Target target) throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (ZooKeeper watching = Clients.connect(target); ZooKeeper writer = Clients.connect(target)) {
            String path = writer.create(Clients.uniquePath("order"), new byte[] {0}, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            watching.getData(path, event -> order.add("event " + event.getType()), null);
            writer.setData(path, new byte[] {1}, -1);
            Await.until("a read sees the new data", () -> {
                watching.getData(path, false, (rc, p, ctx, data, stat) -> order.add("read " + data[0]), null);
                Clients.roundTrip(watching);
                return order.contains("read 1");
            });
            List<String> seen = List.copyOf(order);
            assertTrue(seen.indexOf("event NodeDataChanged") >= 0, "the watch fired: " + seen);
            assertTrue(seen.indexOf("event NodeDataChanged") < seen.indexOf("read 1"), "event first: " + seen);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void watchesSetBeforeADisconnectFireForChangesMadeWhileAway(Target target) throws Exception {
        EventRecorder events = new EventRecorder();
        EventRecorder persistentEvents = new EventRecorder();
        try (CuttableProxy proxy = new CuttableProxy(target.clientPort());
                ZooKeeper away = Clients.connect(proxy.connectString(), TargetSettings.MAX_SESSION_TIMEOUT_MS, events);
                ZooKeeper writer = Clients.connect(target)) {
            String base = writer.create(Clients.uniquePath("missed"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create(base + "/data", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create(base + "/persistent", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            away.getData(base + "/data", true, null);
            away.exists(base + "/created", true);
            away.getChildren(base, true);
            away.addWatch(base + "/persistent", persistentEvents, AddWatchMode.PERSISTENT);

            proxy.cut();
            events.awaitState(KeeperState.Disconnected);
            writer.setData(base + "/data", new byte[1], -1);
            writer.create(base + "/created", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.setData(base + "/persistent", new byte[1], -1);
            proxy.restore();

            assertEquals(Set.of("NodeDataChanged " + base + "/data", "NodeCreated " + base + "/created",
                    "NodeChildrenChanged " + base), Set.copyOf(nextEvents(events, 3)));
            // Surprise: a persistent watch is set again on reconnect but does not report the
            // change missed while away (only one-shot watches compare zxids); it does see the next.
            writer.setData(base + "/persistent", new byte[2], -1);
            assertEquals("NodeDataChanged " + base + "/persistent", describe(persistentEvents.nextNodeEvent()));
            Clients.roundTrip(away);
            assertEquals(List.of(), persistentEvents.pendingNodeEvents(), "one event: the missed change is not told");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void removedWatchesTellTheWatcherAndStopFiring(Target target) throws Exception {
        EventRecorder dataWatcher = new EventRecorder();
        EventRecorder childWatcher = new EventRecorder();
        try (ZooKeeper watching = Clients.connect(target); ZooKeeper writer = Clients.connect(target)) {
            String path = writer.create(Clients.uniquePath("remove"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            watching.getData(path, dataWatcher, null);
            watching.getChildren(path, childWatcher);

            watching.removeWatches(path, dataWatcher, WatcherType.Data, false);
            assertEquals("DataWatchRemoved " + path, describe(dataWatcher.nextNodeEvent()));
            watching.removeAllWatches(path, WatcherType.Any, false);
            assertEquals("ChildWatchRemoved " + path, describe(childWatcher.nextNodeEvent()));

            writer.setData(path, new byte[1], -1);
            writer.create(path + "/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Clients.roundTrip(watching);
            assertEquals(List.of(), dataWatcher.pendingNodeEvents());
            assertEquals(List.of(), childWatcher.pendingNodeEvents());
            assertThrows(KeeperException.NoWatcherException.class,
                    () -> watching.removeWatches(path, dataWatcher, WatcherType.Data, false));
        }
    }

    /** The client refuses to remove a watch it does not hold; the server's own answer is NoWatcher. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void serverAnswersNoWatcherForWatchesItDoesNotHold(Target target) throws Exception {
        try (RawZooKeeper zk = Clients.connectRaw(target)) {
            String path = zk.create(Clients.uniquePath("no-watcher"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (WatcherType type : List.of(WatcherType.Children, WatcherType.Data, WatcherType.Any)) {
                assertEquals(Code.NOWATCHER.intValue(),
                        zk.submit(OpCode.checkWatches, new CheckWatchesRequest(path, type.getIntValue()), null),
                        "checkWatches " + type);
                assertEquals(Code.NOWATCHER.intValue(),
                        zk.submit(OpCode.removeWatches, new RemoveWatchesRequest(path, type.getIntValue()), null),
                        "removeWatches " + type);
            }
            zk.exists(path, true);
            assertEquals(Code.OK.intValue(),
                    zk.submit(OpCode.checkWatches, new CheckWatchesRequest(path, WatcherType.Data.getIntValue()), null),
                    "an exist watch on an existing node is a data watch");
        }
    }

    private static List<String> nextEvents(EventRecorder events, int count) throws InterruptedException {
        List<String> described = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            described.add(describe(events.nextNodeEvent()));
        }
        return described;
    }

    private static String describe(WatchedEvent event) {
        return event.getType() + " " + event.getPath();
    }
}
