package io.paddock.core.tree;

/**
 * ZooKeeper's znode path rules (PathUtils.validatePath): an absolute path of '/'-separated
 * names, no trailing '/' except the root, no empty name, no "." or ".." name, and none of the
 * characters ZooKeeper forbids (controls, the surrogate and private-use range, U+FFF0..U+FFFF).
 */
public final class PathValidation {
    private PathValidation() {}

    /** Throws {@link InvalidPathException} unless {@code path} is a valid znode path. */
    public static void validate(String path) {
        if (path == null) {
            throw new InvalidPathException("Path cannot be null");
        }
        if (path.isEmpty()) {
            throw new InvalidPathException("Path length must be > 0");
        }
        if (path.charAt(0) != '/') {
            throw new InvalidPathException("Path must start with / character: \"" + path + "\"");
        }
        if (path.length() == 1) {
            return;
        }
        if (path.charAt(path.length() - 1) == '/') {
            throw new InvalidPathException("Path must not end with / character: \"" + path + "\"");
        }
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            checkName(path, start, end);
            start = end + 1;
        }
    }

    /**
     * Validates the path a sequential create asks for: the server appends a 10-digit counter,
     * so a trailing '/' is allowed here (ZooKeeper checks {@code path + "1"}).
     */
    public static void validateSequential(String path) {
        validate(path == null ? null : path + "1");
    }

    /** The parent of a non-root path: "/a/b" gives "/a", "/a" gives "/". */
    public static String parentOf(String path) {
        int lastSlash = path.lastIndexOf('/');
        if (lastSlash < 0 || path.length() == 1) {
            throw new IllegalArgumentException("no parent for path \"" + path + "\"");
        }
        return lastSlash == 0 ? "/" : path.substring(0, lastSlash);
    }

    /** The last name of a path: "/a/b" gives "b", "/" gives "". */
    public static String lastComponent(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void checkName(String path, int start, int end) {
        if (start == end) {
            throw invalid(path, "empty node name specified @" + start);
        }
        int length = end - start;
        if (path.charAt(start) == '.' && (length == 1 || (length == 2 && path.charAt(start + 1) == '.'))) {
            throw invalid(path, "relative paths not allowed @" + (end - 1));
        }
        for (int i = start; i < end; i++) {
            char c = path.charAt(i);
            if (c == '\u0000') {
                throw invalid(path, "null character not allowed @" + i);
            }
            if (isForbidden(c)) {
                throw invalid(path, "invalid character @" + i);
            }
        }
    }

    private static boolean isForbidden(char c) {
        return (c > '\u0000' && c <= '\u001f')
                || (c >= '\u007f' && c <= '\u009f')
                || (c >= '\ud800' && c <= '\uf8ff')
                || (c >= '\ufff0');
    }

    private static InvalidPathException invalid(String path, String reason) {
        return new InvalidPathException("Invalid path string \"" + path + "\" caused by " + reason);
    }
}
