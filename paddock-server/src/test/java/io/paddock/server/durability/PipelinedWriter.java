package io.paddock.server.durability;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Keeps up to {@code window} asynchronous creates in flight on one client and sorts the answers:
 * acknowledged (must survive), refused with SYSTEMERROR (must never appear), anything else
 * (a finding). Every send waits a bounded time for room in the window, so a hang fails.
 */
final class PipelinedWriter {
    static final long ANSWER_BOUND_MS = 15_000;

    private final ZooKeeper zk;
    private final String parent;
    private final int window;
    private final int dataBytes;
    private final Semaphore room;
    final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    final Set<String> refused = ConcurrentHashMap.newKeySet();
    final Map<String, KeeperException.Code> unexpected = new ConcurrentHashMap<>();
    private int sent;

    PipelinedWriter(ZooKeeper zk, String parent, int window, int dataBytes) {
        this.zk = zk;
        this.parent = parent;
        this.window = window;
        this.dataBytes = dataBytes;
        this.room = new Semaphore(window);
    }

    /** Sends one more create, waiting (bounded) for room in the window. */
    void sendOne() throws InterruptedException {
        if (!room.tryAcquire(ANSWER_BOUND_MS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError(parent + ": " + window + " creates unanswered for " + ANSWER_BOUND_MS + " ms");
        }
        String path = parent + "/n" + sent++;
        byte[] data = new byte[dataBytes];
        byte[] label = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, data, 0, Math.min(label.length, dataBytes));
        zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, ctx, name) -> {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK) {
                acknowledged.put(path, data);
            } else if (code == KeeperException.Code.SYSTEMERROR) {
                refused.add(path);
            } else {
                unexpected.put(path, code);
            }
            room.release();
        }, null);
    }

    /** Waits (bounded) until every create sent has been answered. */
    void drain() throws InterruptedException {
        if (!room.tryAcquire(window, ANSWER_BOUND_MS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError(parent + ": creates unanswered for " + ANSWER_BOUND_MS + " ms");
        }
        room.release(window);
    }

    int sent() {
        return sent;
    }
}
