package io.paddock.server.durability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Checks a restarted server against what the clients were told: every acknowledged create is
 * there with its data, acknowledged deletes stay deleted, counters are at least their
 * acknowledged value and equal to their version (each bump is one setData), multis are whole
 * (both nodes and the counter, or none), numChildren matches the child list, and a new
 * sequential node is numbered above everything handed out before. Problems are collected, not
 * thrown one by one, so a failure shows the whole damage.
 */
final class CrashChecker {
    private final ZooKeeper zk;
    private final List<String> problems = new ArrayList<>();

    CrashChecker(ZooKeeper zk) {
        this.zk = zk;
    }

    List<String> problems() {
        return problems;
    }

    void check(ClientModel m) throws KeeperException, InterruptedException {
        checkCreates(m);
        checkCounter(m);
        checkMultis(m);
        for (String parent : m.parents()) {
            checkNumChildren(parent);
        }
        probeSequence(m);
    }

    void checkNumChildren(String parent) throws KeeperException, InterruptedException {
        Stat stat = new Stat();
        List<String> children = zk.getChildren(parent, false, stat);
        if (stat.getNumChildren() != children.size()) {
            problems.add(parent + ": numChildren " + stat.getNumChildren() + " but " + children.size() + " children");
        }
    }

    private void checkCreates(ClientModel m) throws KeeperException, InterruptedException {
        for (Map.Entry<String, byte[]> e : m.created.entrySet()) {
            try {
                byte[] data = zk.getData(e.getKey(), false, null);
                if (!Arrays.equals(e.getValue(), data)) {
                    problems.add(e.getKey() + ": data " + text(data) + ", acknowledged " + text(e.getValue()));
                }
            } catch (KeeperException.NoNodeException missing) {
                problems.add(e.getKey() + ": acknowledged create is missing");
            }
        }
        for (String path : m.deleted) {
            if (zk.exists(path, false) != null) {
                problems.add(path + ": acknowledged delete came back");
            }
        }
    }

    private void checkCounter(ClientModel m) throws KeeperException, InterruptedException {
        Stat stat = new Stat();
        int value = StormClient.parse(zk.getData(m.counter, false, stat));
        if (value != stat.getVersion()) {
            problems.add(m.counter + ": value " + value + " at version " + stat.getVersion());
        }
        if (value < m.counterAcked || stat.getVersion() < m.counterVersionAcked) {
            problems.add(m.counter + ": value " + value + " version " + stat.getVersion()
                    + " below acknowledged value " + m.counterAcked + " version " + m.counterVersionAcked);
        }
    }

    private void checkMultis(ClientModel m) throws KeeperException, InterruptedException {
        Stat stat = new Stat();
        int value = StormClient.parse(zk.getData(m.multiCounter, false, stat));
        if (value != stat.getVersion()) {
            problems.add(m.multiCounter + ": value " + value + " at version " + stat.getVersion());
        }
        if (value < m.multiAcked) {
            problems.add(m.multiCounter + ": " + value + " below acknowledged multi " + m.multiAcked);
        }
        Set<String> expected = new HashSet<>();
        for (int k = 1; k <= value; k++) {
            expected.add(ClientModel.multiName("a", k));
            expected.add(ClientModel.multiName("b", k));
        }
        Set<String> actual = new HashSet<>(zk.getChildren(m.multiParent, false));
        if (!actual.equals(expected)) {
            Set<String> extra = new HashSet<>(actual);
            extra.removeAll(expected);
            expected.removeAll(actual);
            problems.add(m.multiParent + ": half-applied multi with counter " + value + ": missing " + expected
                    + ", unexpected " + extra);
        }
    }

    /** A new sequential child must be numbered above every existing and every acknowledged one. */
    private void probeSequence(ClientModel m) throws KeeperException, InterruptedException {
        long existingMax = -1;
        for (String child : zk.getChildren(m.seqParent, false)) {
            existingMax = Math.max(existingMax, ClientModel.sequenceOf(child));
        }
        byte[] data = ("probe-after-" + m.seqMax).getBytes(StandardCharsets.UTF_8);
        String probe = zk.create(m.seqParent + "/n-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL);
        long number = ClientModel.sequenceOf(probe);
        if (number <= existingMax || number <= m.seqMax) {
            problems.add(probe + ": sequence went back (existing max " + existingMax + ", acknowledged max "
                    + m.seqMax + ")");
        }
        m.createAcked(probe, data);
    }

    private static String text(byte[] data) {
        return data == null ? "null" : "'" + new String(data, StandardCharsets.UTF_8) + "'";
    }
}
