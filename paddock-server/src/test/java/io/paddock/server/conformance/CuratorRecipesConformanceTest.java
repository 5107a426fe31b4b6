package io.paddock.server.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that Curator's recipes work unchanged: a mutex excludes, a leader latch elects exactly
 * one leader and hands over, a cache sees create/change/delete, an atomic long adds up under
 * contention, and a persistent node comes back after deletion and after losing its session.
 */
class CuratorRecipesConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";
    private static final int ROUNDS_PER_CLIENT = 10;
    private static final long BOUND_MS = Await.DEFAULT_BOUND.toMillis();

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void mutexLetsOneHolderInAtATime(Target target) throws Exception {
        String lockPath = Clients.uniquePath("mutex");
        String counterPath = Clients.uniquePath("mutex-counter");
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CuratorFramework first = Curators.connect(target.connectString());
                CuratorFramework second = Curators.connect(target.connectString())) {
            first.create().forPath(counterPath, "0".getBytes(UTF_8));
            List<Future<?>> workers = new ArrayList<>();
            for (CuratorFramework client : List.of(first, second)) {
                InterProcessMutex mutex = new InterProcessMutex(client, lockPath);
                workers.add(pool.submit(() -> {
                    for (int round = 0; round < ROUNDS_PER_CLIENT; round++) {
                        assertTrue(mutex.acquire(BOUND_MS, TimeUnit.MILLISECONDS), "lock acquired");
                        try {
                            if (holders.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            incrementUnsafely(client, counterPath); // loses updates unless excluded
                            holders.decrementAndGet();
                        } finally {
                            mutex.release();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(BOUND_MS * 2, TimeUnit.MILLISECONDS);
            }
            assertEquals(0, overlaps.get(), "two holders at once");
            assertEquals(Integer.toString(2 * ROUNDS_PER_CLIENT), new String(first.getData().forPath(counterPath), UTF_8));
            assertEquals(List.of(), lockNodes(first, lockPath), "lock nodes cleaned up");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The lock's children. The lock's parent is a container: once the last lock node is gone the
     * server may delete it at any moment (both servers check every 100 ms here), and a parent
     * that is gone holds no lock nodes either.
     */
    private static List<String> lockNodes(CuratorFramework client, String lockPath) throws Exception {
        try {
            return client.getChildren().forPath(lockPath);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private static void incrementUnsafely(CuratorFramework client, String path) throws Exception {
        int value = Integer.parseInt(new String(client.getData().forPath(path), UTF_8));
        client.setData().forPath(path, Integer.toString(value + 1).getBytes(UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void leaderLatchElectsOneAndHandsOver(Target target) throws Exception {
        String path = Clients.uniquePath("leader");
        try (CuratorFramework first = Curators.connect(target.connectString());
                CuratorFramework second = Curators.connect(target.connectString())) {
            LeaderLatch latchA = new LeaderLatch(first, path, "a");
            LeaderLatch latchB = new LeaderLatch(second, path, "b");
            try {
                latchA.start();
                latchB.start();
                Await.until("a leader is elected", () -> latchA.hasLeadership() || latchB.hasLeadership());
                assertTrue(latchA.hasLeadership() != latchB.hasLeadership(), "exactly one leader");
                assertEquals(latchA.getLeader(), latchB.getLeader(), "both agree on the leader");

                LeaderLatch leader = latchA.hasLeadership() ? latchA : latchB;
                LeaderLatch follower = leader == latchA ? latchB : latchA;
                leader.close();
                assertTrue(follower.await(BOUND_MS, TimeUnit.MILLISECONDS), "leadership moves on close");
                assertEquals(follower.getId(), follower.getLeader().getId());
            } finally {
                closeIfStarted(latchA);
                closeIfStarted(latchB);
            }
        }
    }

    private static void closeIfStarted(LeaderLatch latch) throws java.io.IOException {
        if (latch.getState() == LeaderLatch.State.STARTED) {
            latch.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void curatorCacheSeesCreateChangeAndDelete(Target target) throws Exception {
        String path = Clients.uniquePath("cache");
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (CuratorFramework reader = Curators.connect(target.connectString());
                CuratorFramework writer = Curators.connect(target.connectString());
                CuratorCache cache = CuratorCache.build(reader, path)) {
            cache.listenable().addListener(CuratorCacheListener.builder()
                    .forCreates(node -> events.add("create " + node.getPath() + " " + new String(node.getData(), UTF_8)))
                    .forChanges((before, after) -> events.add("change " + after.getPath() + " " + new String(after.getData(), UTF_8)))
                    .forDeletes(node -> events.add("delete " + node.getPath()))
                    .forInitialized(() -> events.add("initialized"))
                    .build());
            cache.start();
            assertEquals("initialized", events.poll(BOUND_MS, TimeUnit.MILLISECONDS));

            writer.create().forPath(path, "one".getBytes(UTF_8));
            assertEquals("create " + path + " one", events.poll(BOUND_MS, TimeUnit.MILLISECONDS));
            writer.create().forPath(path + "/child", "c".getBytes(UTF_8));
            assertEquals("create " + path + "/child c", events.poll(BOUND_MS, TimeUnit.MILLISECONDS));
            writer.setData().forPath(path, "two".getBytes(UTF_8));
            assertEquals("change " + path + " two", events.poll(BOUND_MS, TimeUnit.MILLISECONDS));
            writer.delete().deletingChildrenIfNeeded().forPath(path);
            assertEquals("delete " + path + "/child", events.poll(BOUND_MS, TimeUnit.MILLISECONDS));
            assertEquals("delete " + path, events.poll(BOUND_MS, TimeUnit.MILLISECONDS));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void distributedAtomicLongAddsUpUnderContention(Target target) throws Exception {
        String path = Clients.uniquePath("counter");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CuratorFramework first = Curators.connect(target.connectString());
                CuratorFramework second = Curators.connect(target.connectString())) {
            List<Future<?>> workers = new ArrayList<>();
            for (CuratorFramework client : List.of(first, second)) {
                DistributedAtomicLong counter = new DistributedAtomicLong(client, path, new RetryNTimes(1000, 1));
                workers.add(pool.submit(() -> {
                    for (int round = 0; round < ROUNDS_PER_CLIENT; round++) {
                        AtomicValue<Long> result = counter.increment();
                        assertTrue(result.succeeded(), "increment gave up");
                        assertEquals(result.preValue() + 1, (long) result.postValue());
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(BOUND_MS * 2, TimeUnit.MILLISECONDS);
            }
            AtomicValue<Long> total = new DistributedAtomicLong(first, path, new RetryNTimes(3, 1)).get();
            assertTrue(total.succeeded());
            assertEquals(2L * ROUNDS_PER_CLIENT, (long) total.postValue());
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void persistentNodeComesBackAfterDeletion(Target target) throws Exception {
        String path = Clients.uniquePath("persistent-node");
        try (CuratorFramework owner = Curators.connect(target.connectString());
                CuratorFramework other = Curators.connect(target.connectString());
                PersistentNode node = new PersistentNode(owner, CreateMode.PERSISTENT, false, path, "v".getBytes(UTF_8))) {
            node.start();
            assertTrue(node.waitForInitialCreate(BOUND_MS, TimeUnit.MILLISECONDS));
            Stat first = other.checkExists().forPath(path);
            other.delete().forPath(path);
            Await.until("the node is created again", () -> {
                Stat again = other.checkExists().forPath(path);
                return again != null && again.getCzxid() != first.getCzxid();
            });
            assertEquals("v", new String(other.getData().forPath(path), UTF_8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void ephemeralPersistentNodeSurvivesSessionLoss(Target target) throws Exception {
        String path = Clients.uniquePath("persistent-ephemeral");
        try (CuttableProxy proxy = new CuttableProxy(target.clientPort());
                CuratorFramework owner = Curators.connect(proxy.connectString(), Curators.SHORT_SESSION_TIMEOUT_MS);
                CuratorFramework observer = Curators.connect(target.connectString());
                PersistentNode node = new PersistentNode(owner, CreateMode.EPHEMERAL, false, path, "e".getBytes(UTF_8))) {
            node.start();
            assertTrue(node.waitForInitialCreate(BOUND_MS, TimeUnit.MILLISECONDS));
            long firstOwner = observer.checkExists().forPath(path).getEphemeralOwner();

            proxy.cut();
            Await.until("the cut-off session expires on the server",
                    () -> observer.checkExists().forPath(path) == null);
            proxy.restore();
            Await.until("the node is back under a new session", () -> {
                Stat stat = observer.checkExists().forPath(path);
                return stat != null && stat.getEphemeralOwner() != firstOwner;
            });
            assertNotEquals(0, observer.checkExists().forPath(path).getEphemeralOwner());
        }
    }
}
