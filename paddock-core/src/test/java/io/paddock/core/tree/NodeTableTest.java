package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.paddock.core.wire.Acl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves the tree's path index (open addressing with backward-shift removal) answers exactly
 * as a HashMap would through random puts, replacements and removals, growth and shrinking,
 * including paths whose String hashes collide ("Aa" and "BB" hash alike), so that a removal
 * never makes a later entry of the same run unreachable.
 */
class NodeTableTest {
    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            NodeTable table = new NodeTable();
            Map<String, Znode> expected = new HashMap<>();
            List<String> universe = paths(random, 3_000);
            for (int step = 0; step < 40_000; step++) {
                String path = universe.get(random.nextInt(universe.size()));
                int op = random.nextInt(10);
                if (op < 5) {
                    Znode node = node(path);
                    assertSame(expected.put(path, node), table.put(node), "put " + path + ", seed " + seed);
                } else if (op < 8) {
                    assertSame(expected.remove(path), table.remove(path), "remove " + path + ", seed " + seed);
                } else {
                    assertSame(expected.get(path), table.get(path), "get " + path + ", seed " + seed);
                }
                assertEquals(expected.size(), table.size());
                if (step % 5_000 == 0 || (expected.size() < 20 && step % 50 == 0)) {
                    checkSame(expected, table);
                }
            }
            checkSame(expected, table);
            for (String path : new ArrayList<>(expected.keySet())) {
                assertSame(expected.remove(path), table.remove(path));
            }
            checkSame(expected, table);
        }
    }

    private static void checkSame(Map<String, Znode> expected, NodeTable table) {
        Set<Znode> seen = new HashSet<>();
        table.forEach(node -> {
            assertSame(expected.get(node.path), node);
            seen.add(node);
        });
        assertEquals(expected.size(), seen.size());
        for (Map.Entry<String, Znode> e : expected.entrySet()) {
            assertSame(e.getValue(), table.get(e.getKey()));
        }
    }

    /** Paths built from "Aa" and "BB" blocks (equal String hashes) plus ordinary ones. */
    private static List<String> paths(Random random, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            StringBuilder colliding = new StringBuilder("/");
            for (int bit = 0; bit < 6; bit++) {
                colliding.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            out.add(colliding.toString());
        }
        while (out.size() < count) {
            out.add("/bench/b-" + random.nextInt(50) + "/n-" + random.nextInt(1_000_000));
        }
        return out;
    }

    private static Znode node(String path) {
        return new Znode(path, new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 0);
    }
}
