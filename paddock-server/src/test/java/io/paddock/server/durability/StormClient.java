package io.paddock.server.durability;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * One client of the write storm: sequential creates, version-checked counter bumps, multis
 * that create two nodes and bump a second counter together, and deletes, all under its own
 * parent, each recorded in its {@link ClientModel} once acknowledged. It runs until told to stop
 * or until the connection goes (the server was killed); any other error is a finding.
 */
final class StormClient implements Runnable {
    private final ZooKeeper zk;
    private final ClientModel model;
    private final Random random;
    private final AtomicInteger acks;
    private final String tag;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private int counterValue;
    private int counterVersion;
    private int multiValue;
    private int ops;

    StormClient(ZooKeeper zk, ClientModel model, long seed, AtomicInteger acks, int round) {
        this.zk = zk;
        this.model = model;
        this.random = new Random(seed);
        this.acks = acks;
        this.tag = "c" + model.index + "-r" + round + "-";
    }

    void stop() {
        stopping = true;
    }

    /** An error other than losing the server, or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            readCounters();
            while (!stopping) {
                step(random.nextInt(100));
            }
        } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException e) {
            // the server was killed under us: the last write's outcome is unknown, as intended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KeeperException | RuntimeException | AssertionError e) {
            failure = e;
        }
    }

    private void readCounters() throws KeeperException, InterruptedException {
        Stat stat = new Stat();
        counterValue = parse(zk.getData(model.counter, false, stat));
        counterVersion = stat.getVersion();
        multiValue = parse(zk.getData(model.multiCounter, false, stat));
        if (multiValue != stat.getVersion()) {
            throw new AssertionError(model.multiCounter + " holds " + multiValue + " at version " + stat.getVersion());
        }
    }

    private void step(int dice) throws KeeperException, InterruptedException {
        ops++;
        if (dice < 40) {
            createSequential();
        } else if (dice < 65) {
            bumpCounter();
        } else if (dice < 85) {
            multi();
        } else {
            deleteOne();
        }
    }

    private void createSequential() throws KeeperException, InterruptedException {
        byte[] data = (tag + ops).getBytes(StandardCharsets.UTF_8);
        String path = zk.create(model.seqParent + "/n-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL);
        model.createAcked(path, data);
        acks.incrementAndGet();
    }

    private void bumpCounter() throws KeeperException, InterruptedException {
        Stat stat = zk.setData(model.counter, bytes(counterValue + 1), counterVersion);
        counterValue++;
        counterVersion = stat.getVersion();
        model.counterAcked = counterValue;
        model.counterVersionAcked = counterVersion;
        acks.incrementAndGet();
    }

    private void multi() throws KeeperException, InterruptedException {
        int next = multiValue + 1;
        zk.multi(List.of(
                Op.create(model.multiParent + "/" + ClientModel.multiName("a", next), bytes(next),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create(model.multiParent + "/" + ClientModel.multiName("b", next), bytes(next),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData(model.multiCounter, bytes(next), multiValue)));
        multiValue = next;
        model.multiAcked = next;
        acks.incrementAndGet();
    }

    private void deleteOne() throws KeeperException, InterruptedException {
        List<String> candidates = model.deletable();
        if (candidates.isEmpty()) {
            createSequential();
            return;
        }
        String path = candidates.get(random.nextInt(candidates.size()));
        model.deleteSent(path);
        zk.delete(path, 0);
        model.deleteAcked(path);
        acks.incrementAndGet();
    }

    static byte[] bytes(int value) {
        return Integer.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    static int parse(byte[] data) {
        return Integer.parseInt(new String(data, StandardCharsets.UTF_8));
    }
}
