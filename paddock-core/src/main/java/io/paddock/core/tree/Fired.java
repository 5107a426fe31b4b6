package io.paddock.core.tree;

import io.paddock.core.wire.Acl;
import java.util.List;

/**
 * A watch notification to send: the watcher (connection) id, a {@link NodeEvent} type and the
 * znode path. {@code zxid} goes in the notification's reply header (-1 when the event comes
 * from setWatches catch-up, as ZooKeeper's NO_ZXID). ZooKeeper delivers a notification only if
 * the connection has READ on {@code acl} (the node's ACL, or the parent's for
 * NodeChildrenChanged); an empty {@code acl} means deliver without a check.
 */
public record Fired(long watcherId, int eventType, String path, long zxid, List<Acl> acl) {
    /** The zxid of notifications that no transaction caused (setWatches catch-up). */
    public static final long NO_ZXID = -1L;

    public Fired {
        acl = List.copyOf(acl);
    }
}
