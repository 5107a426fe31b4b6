package io.paddock.core.tree;

/** How a watch on one path behaves; a (path, watcher) pair can hold several modes at once. */
enum WatchMode {
    /** One-shot: removed when it fires. */
    STANDARD(1),
    /** Fires for every event on its exact path and stays. */
    PERSISTENT(2),
    /** Fires for events on its path and every descendant, and stays. */
    PERSISTENT_RECURSIVE(4);

    final int bit;

    WatchMode(int bit) {
        this.bit = bit;
    }
}
