package io.paddock.core.wire;

/** The {@code state} of a {@link WatcherEvent} (ZooKeeper's Watcher.Event.KeeperState). */
public final class KeeperState {
    private KeeperState() {}

    /** Deprecated in ZooKeeper; never sent. */
    public static final int UNKNOWN = -1;
    public static final int DISCONNECTED = 0;
    /** Deprecated in ZooKeeper; never sent. */
    public static final int NO_SYNC_CONNECTED = 1;
    /** The state every server-sent notification carries. */
    public static final int SYNC_CONNECTED = 3;
    public static final int AUTH_FAILED = 4;
    public static final int CONNECTED_READ_ONLY = 5;
    public static final int SASL_AUTHENTICATED = 6;
    public static final int CLOSED = 7;
    public static final int EXPIRED = -112;
}
