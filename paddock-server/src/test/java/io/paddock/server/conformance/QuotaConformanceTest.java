package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.StatsTrack;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.cli.DelQuotaCommand;
import org.apache.zookeeper.cli.ListQuotaCommand;
import org.apache.zookeeper.cli.SetQuotaCommand;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quotas as users set them, with zkCli's own code ({@code setquota}, {@code listquota},
 * {@code delquota}: SetQuotaCommand and friends write the nodes under /zookeeper/quota): the
 * server keeps each quota's {@code zookeeper_stats} counting the nodes and bytes under it on every
 * write, and with {@code enforceQuota} (set on every target: zoo.cfg for Paddock's, the JVM flag
 * for ZooKeeper's) a create or setData past a hard limit fails with QuotaExceeded. On the ensemble
 * target the client is on a follower: its stats are the ones it applied, the limit the leader's.
 */
class QuotaConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";

    private static StatsTrack limits(String text) {
        return new StatsTrack(text);
    }

    private static String stats(ZooKeeper zk, String path) throws Exception {
        List<StatsTrack> listed = ListQuotaCommand.listQuota(zk, path);
        return listed.get(1).toString();
    }

    private static byte[] bytes(int n) {
        return new byte[n];
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void statsCountEveryNodeAndByteUnderTheQuota(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target); ZooKeeper other = Clients.connect(target)) {
            String path = zk.create(Clients.uniquePath("quota-stats"), bytes(3), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(path + "/before", bytes(4), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertTrue(SetQuotaCommand.createQuota(zk, path, limits("count=100,bytes=-1")));
            assertEquals("count=2,bytes=7", stats(zk, path), "setquota counts what is there already");
            assertEquals("count=100,bytes=-1", ListQuotaCommand.listQuota(zk, path).get(0).toString());

            zk.create(path + "/a", bytes(5), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(path + "/a/b", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(path + "/s-", bytes(2), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
            zk.setData(path, bytes(1), -1);
            assertEquals("count=5,bytes=12", stats(zk, path));
            zk.delete(path + "/a/b", -1);
            zk.multi(List.of(Op.create(path + "/m", bytes(6), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.setData(path + "/a", bytes(1), -1), Op.delete(path + "/before", -1)));
            assertEquals("count=4,bytes=10", stats(zk, path));

            // Another session's ephemerals count until the session closes.
            other.create(path + "/e", bytes(9), Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            zk.sync(path, (rc, p, ctx) -> { }, null); // zk's server has the ephemeral before zk reads
            assertEquals("count=5,bytes=19", stats(zk, path));
            other.close();
            Await.until("the closed session's ephemeral deleted and uncounted",
                    () -> stats(zk, path).equals("count=4,bytes=10"));

            // The stats node changes in place: no new version, no watch.
            Stat stat = zk.exists("/zookeeper/quota" + path + "/zookeeper_stats", false);
            assertEquals(0, stat.getVersion());
            assertEquals("count=4,bytes=10".length(), stat.getDataLength());

            assertTrue(DelQuotaCommand.delQuota(zk, path, null));
            assertNull(zk.exists("/zookeeper/quota" + path, false));
            zk.create(path + "/after", bytes(1), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void writesPastAHardLimitFailWithQuotaExceeded(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = zk.create(Clients.uniquePath("quota-hard"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            StatsTrack hard = new StatsTrack();
            hard.setCountHardLimit(3);
            hard.setByteHardLimit(10);
            assertTrue(SetQuotaCommand.createQuota(zk, path, hard));
            assertEquals("count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3",
                    ListQuotaCommand.listQuota(zk, path).get(0).toString());

            zk.create(path + "/a", bytes(4), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(path + "/b", bytes(6), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); // count 3, bytes 10: at the limits
            KeeperException e = assertThrows(KeeperException.QuotaExceededException.class,
                    () -> zk.create(path + "/c", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertEquals(KeeperException.Code.QUOTAEXCEEDED, e.code());
            assertThrows(KeeperException.QuotaExceededException.class,
                    () -> zk.create(path + "/a/deeper-", null, Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL));
            assertThrows(KeeperException.QuotaExceededException.class, () -> zk.setData(path + "/a", bytes(5), -1));
            // The quota is checked before the version: a wrong version past the limit is QuotaExceeded too.
            assertThrows(KeeperException.QuotaExceededException.class, () -> zk.setData(path + "/a", bytes(5), 7));
            zk.setData(path + "/a", bytes(3), -1); // smaller: fine
            zk.setData(path + "/b", bytes(7), -1); // back to 10 bytes
            assertEquals("count=3,bytes=10", stats(zk, path));

            // In a multi the operation past the limit fails it, and nothing of it is done.
            KeeperException multi = assertThrows(KeeperException.class, () -> zk.multi(List.of(
                    Op.delete(path + "/a", -1),
                    Op.create(path + "/x", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.create(path + "/y", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))));
            List<OpResult> results = multi.getResults();
            assertEquals(KeeperException.Code.OK.intValue(), ((OpResult.ErrorResult) results.get(0)).getErr());
            assertEquals(KeeperException.Code.QUOTAEXCEEDED.intValue(), ((OpResult.ErrorResult) results.get(1)).getErr(),
                    "checked against the committed stats, as ZooKeeper: the delete before it in the multi does not count");
            assertEquals("count=3,bytes=10", stats(zk, path));

            // A soft limit only warns; with the hard limits gone, writes go through.
            StatsTrack drop = new StatsTrack();
            drop.setCountHardLimit(1);
            drop.setByteHardLimit(1);
            assertTrue(DelQuotaCommand.delQuota(zk, path, drop));
            assertEquals("count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=-1",
                    ListQuotaCommand.listQuota(zk, path).get(0).toString());
            zk.setData("/zookeeper/quota" + path + "/zookeeper_limits",
                    "count=1,bytes=1".getBytes(StandardCharsets.UTF_8), -1);
            zk.create(path + "/c", bytes(20), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertEquals("count=4,bytes=30", stats(zk, path));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void limitsTextZooKeeperCannotReadFailsWritesWithMarshallingError(Target target) throws Exception {
        try (ZooKeeper zk = Clients.connect(target)) {
            String path = zk.create(Clients.uniquePath("quota-bad"), null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create("/zookeeper/quota" + path, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            // Written by hand with no data (zkCli's create without data): ZooKeeper's parser fails on it.
            zk.create("/zookeeper/quota" + path + "/zookeeper_limits", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThrows(KeeperException.MarshallingErrorException.class,
                    () -> zk.create(path + "/x", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            zk.setData("/zookeeper/quota" + path + "/zookeeper_limits", "count=x".getBytes(StandardCharsets.UTF_8), -1);
            assertThrows(KeeperException.MarshallingErrorException.class, () -> zk.setData(path, bytes(1), -1));
            zk.delete("/zookeeper/quota" + path + "/zookeeper_limits", -1);
            zk.create(path + "/x", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); // no quota, no check
        }
    }
}
