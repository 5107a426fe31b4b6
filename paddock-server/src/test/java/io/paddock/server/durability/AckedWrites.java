package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/** Creates made one by one, each remembered once the server acknowledged it, and checked later. */
final class AckedWrites {
    private final Map<String, byte[]> nodes = new LinkedHashMap<>();
    private final String parent;

    AckedWrites(String parent) {
        this.parent = parent;
    }

    /** Creates the parent (acknowledged like any other write). */
    void createParent(ZooKeeper zk) throws KeeperException, InterruptedException {
        create(zk, parent, new byte[0]);
    }

    /** Creates the next child with {@code dataBytes} bytes of data; returns its czxid. */
    long createNext(ZooKeeper zk, int dataBytes) throws KeeperException, InterruptedException {
        String path = parent + "/n" + nodes.size();
        byte[] data = new byte[dataBytes];
        byte[] label = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, data, 0, Math.min(label.length, dataBytes));
        return create(zk, path, data);
    }

    void createMany(ZooKeeper zk, int count) throws KeeperException, InterruptedException {
        for (int i = 0; i < count; i++) {
            createNext(zk, 16);
        }
    }

    /** Creates one node; returns its czxid. */
    long create(ZooKeeper zk, String path, byte[] data) throws KeeperException, InterruptedException {
        Stat stat = new Stat();
        zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, stat);
        nodes.put(path, data);
        return stat.getCzxid();
    }

    /** Records a create that was sent asynchronously and acknowledged OK. */
    void acknowledged(String path, byte[] data) {
        nodes.put(path, data);
    }

    int size() {
        return nodes.size();
    }

    String parent() {
        return parent;
    }

    /** Every acknowledged node is there with its data, and the parent's numChildren agrees. */
    void assertAllPresent(ZooKeeper zk) throws KeeperException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : nodes.entrySet()) {
            Stat stat = zk.exists(e.getKey(), false);
            if (stat == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(e.getValue(), zk.getData(e.getKey(), false, null))) {
                missing.add(e.getKey() + " (other data)");
            }
        }
        assertTrue(missing.isEmpty(), missing.size() + " of " + nodes.size() + " acknowledged creates lost: "
                + missing.subList(0, Math.min(20, missing.size())));
        Stat parentStat = new Stat();
        List<String> children = zk.getChildren(parent, false, parentStat);
        assertEquals(children.size(), parentStat.getNumChildren(), parent + ": numChildren vs children");
    }
}
