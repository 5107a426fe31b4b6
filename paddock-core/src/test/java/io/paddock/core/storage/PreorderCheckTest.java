package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Proves that PreorderCheck, which compares regions of the paths in place instead of cutting
 * them into parent and name, gives the verdict of the obvious substring-based check on every
 * sequence: random trees in snapshot order are accepted, and the same sequences with nodes
 * swapped, dropped, repeated or renamed fail exactly where the reference fails, with its message.
 * Names include prefixes of each other, non-ASCII chars and surrogates, whose order is String's.
 */
class PreorderCheckTest {
    private static final String[] NAME_PARTS = {"a", "b", "ab", "a0", "z", "é", "日", "\ud83d\ude00", "\uffff", "-"};

    @Test
    void acceptsRandomTreesInSnapshotOrder() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<String> paths = preorder(randomTree(random, 1 + random.nextInt(60)));
            PreorderCheck check = new PreorderCheck();
            for (String path : paths) {
                assertNull(check.next(path), () -> paths.toString());
            }
            assertEquals(paths.size(), check.count());
        }
    }

    @Test
    void failsWhereTheReferenceFailsWithTheSameReason() {
        Random random = new Random(11);
        int refused = 0;
        for (int round = 0; round < 2000; round++) {
            List<String> paths = new ArrayList<>(preorder(randomTree(random, 2 + random.nextInt(30))));
            damage(paths, random);
            String expected = firstProblem(new Reference()::next, paths);
            assertEquals(expected, firstProblem(new PreorderCheck()::next, paths), paths::toString);
            refused += expected == null ? 0 : 1;
        }
        assertTrue(refused > 1000, "most damaged sequences must be refused: " + refused);
    }

    @Test
    void namedCases() {
        assertEquals("first node is /a, not the root", firstProblem(new PreorderCheck()::next, List.of("/a")));
        assertNull(firstProblem(new PreorderCheck()::next, List.of("/", "/a", "/a/b", "/ab")));
        assertEquals("/a after sibling ab: not ascending",
                firstProblem(new PreorderCheck()::next, List.of("/", "/ab", "/a")));
        assertEquals("parent of /a/b/c does not come right before it",
                firstProblem(new PreorderCheck()::next, List.of("/", "/a", "/a/b", "/b", "/a/b/c")));
        assertEquals("malformed path /a/", firstProblem(new PreorderCheck()::next, List.of("/", "/a/")));
    }

    private interface Check {
        String next(String path);
    }

    private static String firstProblem(Check check, List<String> paths) {
        for (String path : paths) {
            String problem = check.next(path);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** Random paths closed under parents (the root is implied). */
    private static TreeSet<String> randomTree(Random random, int nodes) {
        List<String> all = new ArrayList<>(List.of("/"));
        TreeSet<String> out = new TreeSet<>();
        while (out.size() < nodes) {
            String parent = all.get(random.nextInt(all.size()));
            String name = NAME_PARTS[random.nextInt(NAME_PARTS.length)]
                    + (random.nextBoolean() ? NAME_PARTS[random.nextInt(NAME_PARTS.length)] : "");
            String path = (parent.equals("/") ? "" : parent) + "/" + name;
            if (out.add(path)) {
                all.add(path);
            }
        }
        return out;
    }

    /** The root, then each node before its children, siblings in String order. */
    private static List<String> preorder(TreeSet<String> paths) {
        List<String> out = new ArrayList<>();
        out.add("/");
        visit("/", paths, out);
        return out;
    }

    private static void visit(String parent, TreeSet<String> paths, List<String> out) {
        List<String> children = new ArrayList<>();
        for (String p : paths) {
            int slash = p.lastIndexOf('/');
            String parentOf = slash == 0 ? "/" : p.substring(0, slash);
            if (parentOf.equals(parent)) {
                children.add(p);
            }
        }
        children.sort((x, y) -> x.substring(x.lastIndexOf('/') + 1).compareTo(y.substring(y.lastIndexOf('/') + 1)));
        for (String child : children) {
            out.add(child);
            visit(child, paths, out);
        }
    }

    private static void damage(List<String> paths, Random random) {
        int i = random.nextInt(paths.size());
        int j = random.nextInt(paths.size());
        switch (random.nextInt(5)) {
            case 0 -> Collections.swap(paths, i, j);
            case 1 -> paths.remove(i);
            case 2 -> paths.add(i, paths.get(j));
            case 3 -> paths.set(i, paths.get(i) + "/");
            default -> paths.set(i, paths.get(i).equals("/") ? "/" : paths.get(i) + NAME_PARTS[random.nextInt(NAME_PARTS.length)]);
        }
    }

    /** The obvious check: cut each path into parent and name, keep a stack of levels. */
    private static final class Reference {
        private final ArrayDeque<String[]> chain = new ArrayDeque<>(); // {path, lastChildName}
        private int count;

        String next(String path) {
            count++;
            if (count == 1) {
                if (!path.equals("/")) {
                    return "first node is " + path + ", not the root";
                }
                chain.push(new String[] {"/", null});
                return null;
            }
            int slash = path.lastIndexOf('/');
            if (slash < 0 || slash == path.length() - 1) {
                return "malformed path " + path;
            }
            String parent = slash == 0 ? "/" : path.substring(0, slash);
            String name = path.substring(slash + 1);
            while (!chain.isEmpty() && !chain.peek()[0].equals(parent)) {
                chain.pop();
            }
            if (chain.isEmpty()) {
                return "parent of " + path + " does not come right before it";
            }
            String[] level = chain.peek();
            if (level[1] != null && level[1].compareTo(name) >= 0) {
                return path + " after sibling " + level[1] + ": not ascending";
            }
            level[1] = name;
            chain.push(new String[] {path, null});
            return null;
        }
    }
}
