package io.paddock.core.tree;

/** Watch event types, numbered as ZooKeeper's Watcher.Event.EventType (WatcherEvent.type). */
public final class NodeEvent {
    private NodeEvent() {}

    public static final int NODE_CREATED = 1;
    public static final int NODE_DELETED = 2;
    public static final int NODE_DATA_CHANGED = 3;
    public static final int NODE_CHILDREN_CHANGED = 4;
}
