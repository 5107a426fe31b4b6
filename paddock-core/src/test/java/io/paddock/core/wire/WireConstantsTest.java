package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.junit.jupiter.api.Test;

/**
 * Proves every constant in EventType, KeeperState, CreateFlags, AddWatchMode and WatcherType has
 * ZooKeeper 3.9.5's number, that every ZooKeeper value has a constant, and that the CreateFlags
 * helpers agree with CreateMode for every flag.
 */
class WireConstantsTest {
    @Test
    void eventTypesMatchZooKeeper() {
        Map<Watcher.Event.EventType, Integer> ours = Map.of(
                Watcher.Event.EventType.None, EventType.NONE,
                Watcher.Event.EventType.NodeCreated, EventType.NODE_CREATED,
                Watcher.Event.EventType.NodeDeleted, EventType.NODE_DELETED,
                Watcher.Event.EventType.NodeDataChanged, EventType.NODE_DATA_CHANGED,
                Watcher.Event.EventType.NodeChildrenChanged, EventType.NODE_CHILDREN_CHANGED,
                Watcher.Event.EventType.DataWatchRemoved, EventType.DATA_WATCH_REMOVED,
                Watcher.Event.EventType.ChildWatchRemoved, EventType.CHILD_WATCH_REMOVED,
                Watcher.Event.EventType.PersistentWatchRemoved, EventType.PERSISTENT_WATCH_REMOVED);
        assertEquals(Watcher.Event.EventType.values().length, ours.size());
        ours.forEach((zk, value) -> assertEquals(zk.getIntValue(), value, zk.name()));
    }

    @Test
    @SuppressWarnings("deprecation")
    void keeperStatesMatchZooKeeper() {
        Map<Watcher.Event.KeeperState, Integer> ours = Map.of(
                Watcher.Event.KeeperState.Unknown, KeeperState.UNKNOWN,
                Watcher.Event.KeeperState.Disconnected, KeeperState.DISCONNECTED,
                Watcher.Event.KeeperState.NoSyncConnected, KeeperState.NO_SYNC_CONNECTED,
                Watcher.Event.KeeperState.SyncConnected, KeeperState.SYNC_CONNECTED,
                Watcher.Event.KeeperState.AuthFailed, KeeperState.AUTH_FAILED,
                Watcher.Event.KeeperState.ConnectedReadOnly, KeeperState.CONNECTED_READ_ONLY,
                Watcher.Event.KeeperState.SaslAuthenticated, KeeperState.SASL_AUTHENTICATED,
                Watcher.Event.KeeperState.Expired, KeeperState.EXPIRED,
                Watcher.Event.KeeperState.Closed, KeeperState.CLOSED);
        assertEquals(Watcher.Event.KeeperState.values().length, ours.size());
        ours.forEach((zk, value) -> assertEquals(zk.getIntValue(), value, zk.name()));
    }

    @Test
    void createFlagsMatchCreateMode() {
        Map<CreateMode, Integer> ours = Map.of(
                CreateMode.PERSISTENT, CreateFlags.PERSISTENT,
                CreateMode.EPHEMERAL, CreateFlags.EPHEMERAL,
                CreateMode.PERSISTENT_SEQUENTIAL, CreateFlags.PERSISTENT_SEQUENTIAL,
                CreateMode.EPHEMERAL_SEQUENTIAL, CreateFlags.EPHEMERAL_SEQUENTIAL,
                CreateMode.CONTAINER, CreateFlags.CONTAINER,
                CreateMode.PERSISTENT_WITH_TTL, CreateFlags.PERSISTENT_WITH_TTL,
                CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, CreateFlags.PERSISTENT_SEQUENTIAL_WITH_TTL);
        assertEquals(CreateMode.values().length, ours.size());
        ours.forEach((zk, value) -> assertEquals(zk.toFlag(), value, zk.name()));
        for (int flags = -10; flags <= 20; flags++) {
            CreateMode mode = createModeOrNull(flags);
            assertEquals(mode != null, CreateFlags.isValid(flags), "flags " + flags);
            if (mode != null) {
                assertEquals(mode.isEphemeral(), CreateFlags.isEphemeral(flags), mode.name());
                assertEquals(mode.isSequential(), CreateFlags.isSequential(flags), mode.name());
                assertEquals(mode.isContainer(), CreateFlags.isContainer(flags), mode.name());
                assertEquals(mode.isTTL(), CreateFlags.isTtl(flags), mode.name());
            }
        }
    }

    @Test
    void addWatchModesMatchZooKeeper() {
        assertEquals(2, AddWatchMode.values().length);
        assertEquals(AddWatchMode.PERSISTENT.getMode(), io.paddock.core.wire.AddWatchMode.PERSISTENT);
        assertEquals(AddWatchMode.PERSISTENT_RECURSIVE.getMode(), io.paddock.core.wire.AddWatchMode.PERSISTENT_RECURSIVE);
        for (int mode = -3; mode <= 5; mode++) {
            boolean zkKnows = mode == AddWatchMode.PERSISTENT.getMode() || mode == AddWatchMode.PERSISTENT_RECURSIVE.getMode();
            assertEquals(zkKnows, io.paddock.core.wire.AddWatchMode.isValid(mode), "mode " + mode);
        }
    }

    @Test
    void watcherTypesMatchZooKeeper() {
        Map<Watcher.WatcherType, Integer> ours = Map.of(
                Watcher.WatcherType.Children, WatcherType.CHILDREN,
                Watcher.WatcherType.Data, WatcherType.DATA,
                Watcher.WatcherType.Any, WatcherType.ANY,
                Watcher.WatcherType.Persistent, WatcherType.PERSISTENT,
                Watcher.WatcherType.PersistentRecursive, WatcherType.PERSISTENT_RECURSIVE);
        assertEquals(Watcher.WatcherType.values().length, ours.size());
        ours.forEach((zk, value) -> assertEquals(zk.getIntValue(), value, zk.name()));
        for (int type = -3; type <= 10; type++) {
            assertEquals(watcherTypeKnown(type), WatcherType.isValid(type), "type " + type);
        }
    }

    private static CreateMode createModeOrNull(int flags) {
        try {
            return CreateMode.fromFlag(flags);
        } catch (KeeperException e) {
            return null;
        }
    }

    private static boolean watcherTypeKnown(int type) {
        try {
            Watcher.WatcherType.fromInt(type);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
