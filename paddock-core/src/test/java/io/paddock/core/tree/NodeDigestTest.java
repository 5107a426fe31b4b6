package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.zookeeper.data.StatPersisted;
import org.apache.zookeeper.server.DigestCalculator;
import org.junit.jupiter.api.Test;

/**
 * Proves NodeDigest is ZooKeeper 3.9.5's {@code DigestCalculator.calculateDigest} (called through
 * reflection: it is package-private) for every shape of input: the root, {@code /zookeeper} and
 * what lies under it, ASCII and non-ASCII paths, paths and data past its one-pass buffer, null and
 * empty data, extreme stat values, owners of every node kind; and that updating a digest from a
 * stat change alone gives what hashing the whole node again gives.
 */
class NodeDigestTest {
    private static final Method CALCULATE;

    static {
        try {
            CALCULATE = DigestCalculator.class.getDeclaredMethod("calculateDigest", String.class, byte[].class,
                    StatPersisted.class);
            CALCULATE.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long zooKeepers(String path, byte[] data, StatPersisted stat) throws Exception {
        return (long) CALCULATE.invoke(new DigestCalculator(), path, data, stat);
    }

    @Test
    void digestsAreDigestCalculators() throws Exception {
        Random random = new Random(11);
        List<String> paths = new ArrayList<>(List.of("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config",
                "/zookeeperx", "/a", "/a/b-0000000001", "/é/ünïcødé/日本", "/" + "p".repeat(1100), "/x/" + "é".repeat(600)));
        List<byte[]> datas = List.of(new byte[0], "v".getBytes(StandardCharsets.UTF_8), new byte[900], new byte[1000],
                new byte[5000]);
        if (!java.nio.charset.Charset.defaultCharset().equals(StandardCharsets.UTF_8)) {
            // ZooKeeper hashes path.getBytes() in the platform charset, we in UTF-8 (see NodeDigest)
            paths.removeIf(p -> !StandardCharsets.US_ASCII.newEncoder().canEncode(p));
        }
        NodeDigest ours = new NodeDigest();
        for (String path : paths) {
            for (byte[] data : datas) {
                random.nextBytes(data);
                for (int i = 0; i < 20; i++) {
                    StatPersisted stat = randomStat(random);
                    byte[] d = i == 0 ? null : data;
                    long expected = zooKeepers(path, d, stat);
                    assertEquals(expected, ours.of(path, d, stat.getCzxid(), stat.getMzxid(), stat.getPzxid(),
                            stat.getCtime(), stat.getMtime(), stat.getVersion(), stat.getCversion(), stat.getAversion(),
                            stat.getEphemeralOwner()), path + " with " + (d == null ? "null" : d.length + " bytes"));
                }
            }
        }
        assertEquals(0, ours.of("/zookeeper/quota", null, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    }

    @Test
    void aStatChangeUpdatesTheDigestAsHashingItAll() {
        Random random = new Random(12);
        NodeDigest d = new NodeDigest();
        for (int i = 0; i < 10_000; i++) {
            String path = i % 3 == 0 ? "/" : "/n" + random.nextInt(1000);
            byte[] data = new byte[random.nextInt(40)];
            random.nextBytes(data);
            long czxid = random.nextLong();
            long mzxid = random.nextLong();
            long ctime = random.nextLong();
            long mtime = random.nextLong();
            int version = random.nextInt();
            long owner = random.nextLong();
            long pzxid = random.nextLong();
            int cversion = random.nextInt();
            int aversion = random.nextInt();
            long pzxid2 = random.nextBoolean() ? pzxid : random.nextLong();
            int cversion2 = random.nextBoolean() ? cversion : random.nextInt();
            int aversion2 = random.nextBoolean() ? aversion : random.nextInt();
            long before = d.of(path, data, czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, owner);
            long after = d.of(path, data, czxid, mzxid, pzxid2, ctime, mtime, version, cversion2, aversion2, owner);
            assertEquals(after, d.afterStatChange(path, before, pzxid, pzxid2, cversion, cversion2, aversion, aversion2));
        }
        assertEquals(0, d.afterStatChange("/zookeeper/config", 0, 1, 2, 3, 4, 5, 6));
    }

    private static StatPersisted randomStat(Random random) {
        long[] owners = {0, random.nextLong(), NodeKind.CONTAINER_OWNER, NodeKind.TTL_OWNER_MASK | 1234, Long.MAX_VALUE};
        return new StatPersisted(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong(),
                random.nextInt(), random.nextInt(), random.nextInt(), owners[random.nextInt(owners.length)],
                random.nextBoolean() ? random.nextLong() : -1);
    }
}
