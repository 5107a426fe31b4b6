package io.paddock.core.wire;

/** The {@code mode} of an {@link AddWatchRequest} (ZooKeeper's AddWatchMode). */
public final class AddWatchMode {
    private AddWatchMode() {}

    /** Fires for data and child changes of the node itself, and is not removed when it fires. */
    public static final int PERSISTENT = 0;
    /** Fires for changes of the node and all its descendants (not child-list changes). */
    public static final int PERSISTENT_RECURSIVE = 1;

    public static boolean isValid(int mode) {
        return mode == PERSISTENT || mode == PERSISTENT_RECURSIVE;
    }
}
