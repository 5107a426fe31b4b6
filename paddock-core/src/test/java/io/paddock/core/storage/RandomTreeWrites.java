package io.paddock.core.storage;

import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Random writes to a tree between the pieces of a snapshot being read out (tests of captures and streams). */
public final class RandomTreeWrites {
    private RandomTreeWrites() {}

    /**
     * One create, delete (of a leaf outside /zookeeper), setData or setACL at a random node of
     * {@code paths} (kept up to date), at the next zxid of {@code zxid}; ACL lists from {@code acl}.
     */
    public static void randomWrite(Random random, DataTree tree, List<String> paths, long[] zxid,
                                   Function<Random, List<Acl>> acl) {
        String path = paths.get(random.nextInt(paths.size()));
        int op = random.nextInt(4);
        if (op == 0 || paths.size() < 3) {
            String child = (path.equals("/") ? "" : path) + "/n" + random.nextInt(1000);
            if (tree.get(child) == null && tree.get(path).kind() != NodeKind.EPHEMERAL) {
                tree.create(child, new byte[] {(byte) random.nextInt()}, acl.apply(random), NodeKind.PERSISTENT, 0, 0, -1,
                        zxid[0]++, zxid[0]);
                paths.add(child);
            }
        } else if (op == 1 && !path.equals("/") && !path.startsWith("/zookeeper") && tree.get(path).numChildren() == 0) {
            tree.delete(path, zxid[0]++);
            paths.remove(path);
        } else if (op == 2) {
            tree.setData(path, new byte[] {(byte) random.nextInt(), 1}, tree.get(path).version() + 1, zxid[0]++, zxid[0]);
        } else {
            tree.setAcl(path, acl.apply(random), tree.get(path).aversion() + 1);
        }
    }
}
