package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.Test;

/**
 * Proves our path rules accept and reject exactly what ZooKeeper's PathUtils.validatePath does:
 * a table of named cases, then many random strings over the characters that matter compared
 * with ZooKeeper's own code (plain and sequential), plus parentOf/lastComponent.
 */
class PathValidationTest {
    private static final List<String> VALID = List.of(
            "/", "/a", "/a/b", "/zookeeper/quota", "/a.b", "/...", "/.a", "/a.", "/..a", "/a..",
            "/a/.../b", "/é", "/中文", "/a b", "/a\u00a0b", "/\uf900", "/\uffef", "/a:b@c-d_e");
    private static final List<String> INVALID = List.of(
            "", "a", "a/b", "//", "/a/", "/a//b", "/.", "/..", "/a/.", "/a/..", "/./a", "/../a",
            "/a/./b", "/a/../b", "/a\u0000b", "/\u0001", "/\u001f", "/\u007f", "/\u009f",
            "/\ud800", "/\udfff", "/\ue000", "/\uf8ff", "/\ufff0", "/\uffff", "/\ud83d\ude00");

    @Test
    void acceptsTheValidTable() {
        for (String path : VALID) {
            PathValidation.validate(path);
            assertZooKeeperAgrees(path, true);
        }
    }

    @Test
    void rejectsTheInvalidTableWithAReason() {
        for (String path : INVALID) {
            InvalidPathException e = assertThrows(InvalidPathException.class, () -> PathValidation.validate(path), path);
            assertTrue(e.getMessage().length() > 10, e.getMessage());
            assertZooKeeperAgrees(path, false);
        }
        assertThrows(InvalidPathException.class, () -> PathValidation.validate(null));
    }

    @Test
    void sequentialPathsMayEndWithASlash() {
        PathValidation.validateSequential("/a/");
        PathValidation.validateSequential("/a/lock-");
        PathValidation.validateSequential("/");
        assertThrows(InvalidPathException.class, () -> PathValidation.validateSequential("/a//"));
        assertThrows(InvalidPathException.class, () -> PathValidation.validateSequential("a"));
    }

    @Test
    void randomStringsAgreeWithZooKeeper() {
        char[] alphabet = {'/', '/', '/', '.', '.', 'a', 'b', '\u0000', '\u0001', '\u001f', ' ', '\u007e',
            '\u007f', '\u009f', '\u00a0', '\ud800', '\udbff', '\uf8ff', '\uf900', '\uffef', '\ufff0', '\uffff'};
        Random rnd = new Random(42);
        int valid = 0;
        for (int i = 0; i < 60_000; i++) {
            StringBuilder sb = new StringBuilder();
            if (rnd.nextInt(10) > 0) {
                sb.append('/');
            }
            for (int n = rnd.nextInt(7); n > 0; n--) {
                sb.append(alphabet[rnd.nextInt(alphabet.length)]);
            }
            String path = sb.toString();
            boolean ours = accepts(path, false);
            assertZooKeeperAgrees(path, ours);
            assertEquals(zooKeeperAccepts(path, true), accepts(path, true), "sequential " + escape(path));
            valid += ours ? 1 : 0;
        }
        assertTrue(valid > 3_000, "too few valid samples: " + valid);
    }

    @Test
    void splitsPaths() {
        assertEquals("/", PathValidation.parentOf("/a"));
        assertEquals("/a", PathValidation.parentOf("/a/b"));
        assertEquals("b", PathValidation.lastComponent("/a/b"));
        assertEquals("a", PathValidation.lastComponent("/a"));
        assertEquals("", PathValidation.lastComponent("/"));
        assertThrows(IllegalArgumentException.class, () -> PathValidation.parentOf("/"));
    }

    private static boolean accepts(String path, boolean sequential) {
        try {
            if (sequential) {
                PathValidation.validateSequential(path);
            } else {
                PathValidation.validate(path);
            }
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static void assertZooKeeperAgrees(String path, boolean ours) {
        assertEquals(zooKeeperAccepts(path, false), ours, escape(path));
    }

    private static boolean zooKeeperAccepts(String path, boolean sequential) {
        try {
            PathUtils.validatePath(path, sequential);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String escape(String path) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : path.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return sb.append('"').toString();
    }
}
