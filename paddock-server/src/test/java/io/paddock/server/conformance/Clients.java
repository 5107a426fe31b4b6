package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

/** Opening official clients against a target, and small helpers shared by the tests. */
final class Clients {
    private static final AtomicInteger PATH_COUNTER = new AtomicInteger();

    private Clients() {
    }

    /** A connected client with the longest session the targets allow. */
    static ZooKeeper connect(Target target) throws IOException, InterruptedException {
        return connect(target.connectString(), TargetSettings.MAX_SESSION_TIMEOUT_MS, new EventRecorder());
    }

    static ZooKeeper connect(Target target, EventRecorder events) throws IOException, InterruptedException {
        return connect(target.connectString(), TargetSettings.MAX_SESSION_TIMEOUT_MS, events);
    }

    /** Opens a client and waits (bounded) for SyncConnected. */
    static ZooKeeper connect(String connectString, int sessionTimeoutMs, EventRecorder events)
            throws IOException, InterruptedException {
        ZooKeeper zk = new ZooKeeper(connectString, sessionTimeoutMs, events);
        events.awaitState(KeeperState.SyncConnected);
        return zk;
    }

    static RawZooKeeper connectRaw(Target target) throws IOException, InterruptedException {
        EventRecorder events = new EventRecorder();
        RawZooKeeper zk = new RawZooKeeper(target.connectString(), TargetSettings.MAX_SESSION_TIMEOUT_MS, events);
        events.awaitState(KeeperState.SyncConnected);
        return zk;
    }

    /** A fresh top-level path, so tests sharing one server never meet. */
    static String uniquePath(String hint) {
        return "/" + hint + "-" + PATH_COUNTER.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * An async round trip: its callback runs on the client's event thread after every watch
     * event that arrived before its reply, so once it returns those events have been delivered.
     */
    static void roundTrip(ZooKeeper zk) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger rc = new AtomicInteger(Integer.MIN_VALUE);
        zk.sync("/", (code, path, ctx) -> {
            rc.set(code);
            done.countDown();
        }, null);
        assertTrue(done.await(Await.DEFAULT_BOUND.toMillis(), TimeUnit.MILLISECONDS), "sync reply");
        assertEquals(Code.OK.intValue(), rc.get(), "sync rc");
    }
}
