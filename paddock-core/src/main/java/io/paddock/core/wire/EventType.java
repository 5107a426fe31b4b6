package io.paddock.core.wire;

/** The {@code type} of a {@link WatcherEvent} (ZooKeeper's Watcher.Event.EventType). */
public final class EventType {
    private EventType() {}

    /** A change of connection state, not of a node; the event's path is null. */
    public static final int NONE = -1;
    public static final int NODE_CREATED = 1;
    public static final int NODE_DELETED = 2;
    public static final int NODE_DATA_CHANGED = 3;
    public static final int NODE_CHILDREN_CHANGED = 4;
    public static final int DATA_WATCH_REMOVED = 5;
    public static final int CHILD_WATCH_REMOVED = 6;
    public static final int PERSISTENT_WATCH_REMOVED = 7;
}
