package io.paddock.core.storage;

import java.util.Arrays;

/**
 * Checks, in O(depth) memory, that paths come in the snapshot's node order: "/" first, then
 * depth-first with each node right under an ancestor already seen, siblings in strictly
 * ascending name order. That order lets a reader rebuild parent-first, and it also proves the
 * paths are unique without remembering them all.
 *
 * <p>It runs once per node when a snapshot is written or read, so it allocates nothing per
 * node: it keeps references to the paths it was given and compares regions of them in place.
 */
final class PreorderCheck {
    private static final String ROOT = "/";
    private static final int DEPTH_INITIAL = 16;

    /** chain[0, depth): the current ancestor chain, root first. */
    private String[] chain = new String[DEPTH_INITIAL];
    /** lastChild[i]: the path of the last child seen under chain[i], or null. */
    private String[] lastChild = new String[DEPTH_INITIAL];
    private int depth;
    private int count;

    /** Accepts the next path, or returns why it is out of order (then the check is spent). */
    String next(String path) {
        count++;
        if (count == 1) {
            if (!ROOT.equals(path)) {
                return "first node is " + path + ", not the root";
            }
            push(ROOT);
            return null;
        }
        int slash = path.lastIndexOf('/');
        if (slash < 0 || slash == path.length() - 1) {
            return "malformed path " + path;
        }
        while (depth > 0 && !isParent(chain[depth - 1], path, slash)) {
            depth--;
        }
        if (depth == 0) {
            return "parent of " + path + " does not come right before it";
        }
        String sibling = lastChild[depth - 1];
        // A sibling has the same parent, so its name also starts right after index slash.
        if (sibling != null && compareFrom(sibling, path, slash + 1) >= 0) {
            return path + " after sibling " + sibling.substring(slash + 1) + ": not ascending";
        }
        lastChild[depth - 1] = path;
        push(path);
        return null;
    }

    int count() {
        return count;
    }

    /** True if {@code parent} is the path before the last slash of {@code path} ("/" when it is 0). */
    private static boolean isParent(String parent, String path, int slash) {
        if (slash == 0) {
            return parent.length() == 1; // only the root path is one char long
        }
        return parent.length() == slash && path.regionMatches(0, parent, 0, slash);
    }

    /** String#compareTo of the suffixes of {@code a} and {@code b} that start at {@code from}. */
    private static int compareFrom(String a, String b, int from) {
        int end = Math.min(a.length(), b.length());
        for (int i = from; i < end; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                return ca - cb;
            }
        }
        return a.length() - b.length();
    }

    private void push(String path) {
        if (depth == chain.length) {
            chain = Arrays.copyOf(chain, depth * 2);
            lastChild = Arrays.copyOf(lastChild, depth * 2);
        }
        chain[depth] = path;
        lastChild[depth] = null;
        depth++;
    }
}
