package io.paddock.core.election;

/** The role a server announces in its election notifications, as in ZooKeeper. */
public enum ServerState {
    LOOKING,
    FOLLOWING,
    LEADING,
    OBSERVING
}
