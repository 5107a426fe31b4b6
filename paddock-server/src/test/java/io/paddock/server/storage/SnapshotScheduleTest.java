package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Replica;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Proves the snapshot schedule is ZooKeeper's: a snapshot is due once more than snapCount/2 + r
 * transactions were applied since the last one, r in [0, snapCount/2) (here fixed by the test),
 * and a snapCount of 1 snapshots after every transaction.
 */
class SnapshotScheduleTest {
    @Test
    void dueAfterHalfTheCountPlusTheRoll() {
        try (Snapshots s = new Snapshots(Path.of("unused"), 100_000, 7_000, bound -> {
            if (bound != 50_000) {
                throw new AssertionError("rolled in [0, " + bound + "), expected [0, 50000)");
            }
            return 1_234;
        })) {
            assertFalse(s.isDue(7_000 + 51_234));
            assertTrue(s.isDue(7_000 + 51_235));
        }
    }

    @Test
    void extremesOfTheRoll() {
        try (Snapshots low = new Snapshots(Path.of("unused"), 10, 0, bound -> 0);
             Snapshots high = new Snapshots(Path.of("unused"), 10, 0, bound -> bound - 1)) {
            assertFalse(low.isDue(5));
            assertTrue(low.isDue(6));
            assertFalse(high.isDue(9));
            assertTrue(high.isDue(10));
        }
    }

    @Test
    void anInstalledLeaderSnapshotCountsAsTheLastOne() {
        try (Snapshots s = new Snapshots(Path.of("unused"), 10, 0, bound -> 0)) {
            assertTrue(s.isDue(1_000), "1,000 transactions since the start");
            s.installed(1L << 32);
            assertFalse(s.isDue(1_000), "none since the leader's snapshot");
            assertFalse(s.isDue(1_005));
            assertTrue(s.isDue(1_006));
        }
    }

    /**
     * The schedule counts applied transactions, not zxids: a new epoch's first zxid is 2^32 past the
     * last one (every server snapshotted its whole tree at every failover), and a learner's sync
     * applies transactions of several epochs in one step (counting the last epoch's alone missed the
     * rest). The replica counts each transaction it applies, whatever its zxid.
     */
    @Test
    void appliedTransactionsAreCountedAcrossEpochs() {
        Replica replica = LogFixture.NEW_REPLICA.get();
        long[] zxids = {1L << 32 | 1, 1L << 32 | 2, 3L << 32 | 1, 7L << 32 | 1, 7L << 32 | 2};
        for (long zxid : zxids) {
            replica.replay(LogFixture.create("n", zxid));
        }
        replica.recovered(zxids[zxids.length - 1]);
        assertEquals(zxids.length, replica.appliedTransactions());
        try (Snapshots s = new Snapshots(Path.of("unused"), 10, 0, bound -> 0)) {
            assertFalse(s.isDue(replica.appliedTransactions()), "5 transactions: not past snapCount/2");
            assertTrue(s.isDue(replica.appliedTransactions() + 1));
        }
    }

    @Test
    void aCountOfOneSnapshotsAfterEveryTransaction() {
        try (Snapshots s = new Snapshots(Path.of("unused"), 1, 41, bound -> {
            throw new AssertionError("no roll for snapCount 1");
        })) {
            assertFalse(s.isDue(41));
            assertTrue(s.isDue(42));
        }
    }
}
