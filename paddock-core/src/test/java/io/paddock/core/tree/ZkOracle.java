package io.paddock.core.tree;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.Stat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.DataTree;

/** Test helper: Apache ZooKeeper's own DataTree driven in step with ours, plus type conversions. */
final class ZkOracle {
    /** One notification a ZooKeeper watcher received, in our terms. */
    record Seen(int eventType, String path) {}

    /**
     * ZooKeeper's DataTree records metrics through Dropwizard (a "provided" dependency of the
     * zookeeper jar); without io.dropwizard.metrics:metrics-core on the test classpath the
     * oracle cannot run, so oracle tests are skipped with this reason instead of erroring.
     */
    static void assumeUsable() {
        boolean present;
        try {
            Class.forName("com.codahale.metrics.Reservoir");
            present = true;
        } catch (ClassNotFoundException e) {
            present = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present,
                "io.dropwizard.metrics:metrics-core missing from the test classpath: ZooKeeper's DataTree needs it");
    }

    final DataTree tree = new DataTree();
    private final Map<Long, Watcher> watchers = new HashMap<>();
    final Map<Long, List<Seen>> seen = new HashMap<>();

    Watcher watcher(long watcherId) {
        return watchers.computeIfAbsent(watcherId, id -> event -> seen
                .computeIfAbsent(id, k -> new ArrayList<>())
                .add(new Seen(event.getType().getIntValue(), event.getPath())));
    }

    void create(String path, byte[] data, List<Acl> acl, long encodedOwner, int parentCVersion, long zxid, long time) {
        try {
            tree.createNode(path, data, toZk(acl), encodedOwner, parentCVersion, zxid, time);
        } catch (KeeperException e) {
            throw new AssertionError("oracle refused create " + path, e);
        }
    }

    void delete(String path, long zxid) {
        try {
            tree.deleteNode(path, zxid);
        } catch (KeeperException e) {
            throw new AssertionError("oracle refused delete " + path, e);
        }
    }

    Stat setData(String path, byte[] data, int version, long zxid, long time) {
        try {
            return fromZk(tree.setData(path, data, version, zxid, time));
        } catch (KeeperException e) {
            throw new AssertionError("oracle refused setData " + path, e);
        }
    }

    Stat setAcl(String path, List<Acl> acl, int aversion) {
        try {
            return fromZk(tree.setACL(path, toZk(acl), aversion));
        } catch (KeeperException e) {
            throw new AssertionError("oracle refused setACL " + path, e);
        }
    }

    /** The client-visible Stat of a node, or null if absent. */
    Stat stat(String path) {
        DataNode node = tree.getNode(path);
        if (node == null) {
            return null;
        }
        org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
        node.copyStat(stat);
        return fromZk(stat);
    }

    List<Acl> acl(String path) {
        try {
            return fromZkAcl(tree.getACL(path, null));
        } catch (KeeperException e) {
            throw new AssertionError("oracle has no " + path, e);
        }
    }

    static Stat fromZk(org.apache.zookeeper.data.Stat s) {
        return new Stat(s.getCzxid(), s.getMzxid(), s.getCtime(), s.getMtime(), s.getVersion(),
                s.getCversion(), s.getAversion(), s.getEphemeralOwner(), s.getDataLength(),
                s.getNumChildren(), s.getPzxid());
    }

    static List<ACL> toZk(List<Acl> acl) {
        List<ACL> out = new ArrayList<>();
        for (Acl a : acl) {
            out.add(new ACL(a.perms(), toZk(a.id())));
        }
        return out;
    }

    static org.apache.zookeeper.data.Id toZk(Id id) {
        return new org.apache.zookeeper.data.Id(id.scheme(), id.id());
    }

    static List<org.apache.zookeeper.data.Id> toZkIds(List<Id> ids) {
        return ids.stream().map(ZkOracle::toZk).toList();
    }

    static List<Acl> fromZkAcl(List<ACL> acl) {
        List<Acl> out = new ArrayList<>();
        for (ACL a : acl) {
            out.add(new Acl(a.getPerms(), new Id(a.getId().getScheme(), a.getId().getId())));
        }
        return out;
    }
}
