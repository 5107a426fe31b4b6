package io.paddock.core.wire;

/** The {@code type} of remove/check watches requests (ZooKeeper's Watcher.WatcherType). */
public final class WatcherType {
    private WatcherType() {}

    public static final int CHILDREN = 1;
    public static final int DATA = 2;
    public static final int ANY = 3;
    public static final int PERSISTENT = 4;
    public static final int PERSISTENT_RECURSIVE = 5;

    public static boolean isValid(int type) {
        return type >= CHILDREN && type <= PERSISTENT_RECURSIVE;
    }
}
