package io.paddock.core.storage;

import java.util.ArrayDeque;

/**
 * Checks, in O(depth) memory, that paths come in the snapshot's node order: "/" first, then
 * depth-first with each node right under an ancestor already seen, siblings in strictly
 * ascending name order. That order lets a reader rebuild parent-first, and it also proves the
 * paths are unique without remembering them all.
 */
final class PreorderCheck {
    private static final String ROOT = "/";

    /** The current ancestor chain; each level remembers the last child name seen under it. */
    private final ArrayDeque<Level> chain = new ArrayDeque<>();
    private int count;

    private static final class Level {
        final String path;
        String lastChild;

        Level(String path) {
            this.path = path;
        }
    }

    /** Accepts the next path, or returns why it is out of order (then the check is spent). */
    String next(String path) {
        count++;
        if (count == 1) {
            if (!ROOT.equals(path)) {
                return "first node is " + path + ", not the root";
            }
            chain.push(new Level(ROOT));
            return null;
        }
        int slash = path.lastIndexOf('/');
        if (slash < 0 || slash == path.length() - 1) {
            return "malformed path " + path;
        }
        String parent = slash == 0 ? ROOT : path.substring(0, slash);
        String name = path.substring(slash + 1);
        while (!chain.isEmpty() && !chain.peek().path.equals(parent)) {
            chain.pop();
        }
        if (chain.isEmpty()) {
            return "parent of " + path + " does not come right before it";
        }
        Level parentLevel = chain.peek();
        if (parentLevel.lastChild != null && parentLevel.lastChild.compareTo(name) >= 0) {
            return path + " after sibling " + parentLevel.lastChild + ": not ascending";
        }
        parentLevel.lastChild = name;
        chain.push(new Level(path));
        return null;
    }

    int count() {
        return count;
    }
}
