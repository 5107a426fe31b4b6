package io.paddock.core.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * Which znodes ZooKeeper's container manager would delete now: containers that are empty but
 * once had a child (a container that never had one stays), and TTL nodes that are empty and
 * were not modified for longer than their TTL. Judged on the committed tree; the caller checks
 * again against pending changes before deleting.
 */
public final class ContainerSweep {
    private ContainerSweep() {}

    /** Up to {@code countMax} paths that are due, containers first, each group in path order. */
    public static List<String> due(DataTree tree, long nowMs, int countMax) {
        List<String> out = new ArrayList<>();
        addDue(tree, tree.containers(), nowMs, countMax, out);
        addDue(tree, tree.ttlNodes(), nowMs, countMax, out);
        return out;
    }

    private static void addDue(DataTree tree, Iterable<String> paths, long nowMs, int countMax, List<String> out) {
        for (String path : paths) {
            if (out.size() >= countMax) {
                return;
            }
            Znode node = tree.get(path);
            if (node != null && node.numChildren() == 0 && isDue(node, nowMs)) {
                out.add(path);
            }
        }
    }

    private static boolean isDue(Znode node, long nowMs) {
        return switch (node.kind()) {
            case CONTAINER -> node.childCreations() > 0;
            case TTL -> nowMs - node.mtime() > node.ttlMs();
            default -> false;
        };
    }
}
