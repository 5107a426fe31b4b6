package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertTrue(s.isDue(1_000), "recovered at 0, far behind");
            s.installed(1_000);
            assertFalse(s.isDue(1_000), "not again at the installed zxid");
            assertFalse(s.isDue(1_005));
            assertTrue(s.isDue(1_006));
            s.installed(900); // below: the state is the snapshot's, counted from there
            assertFalse(s.isDue(905));
            assertTrue(s.isDue(906));
        }
    }

    /**
     * Transactions are counted, not zxids subtracted: a new epoch's first transaction is 2^32 zxids
     * past the last one, and was taken for a snapshot's worth on every server at every failover.
     */
    @Test
    void aNewEpochCountsItsTransactionsNotTheZxidGap() {
        long epoch1 = 1L << 32;
        long epoch2 = 2L << 32;
        try (Snapshots s = new Snapshots(Path.of("unused"), 10, epoch1 | 3, bound -> 0)) {
            assertFalse(s.isDue(epoch1 | 5), "2 transactions");
            assertFalse(s.isDue(epoch2 | 1), "3");
            assertFalse(s.isDue(epoch2 | 3), "5");
            assertTrue(s.isDue(epoch2 | 4), "6, past snapCount/2");
        }
        assertEquals(0, Snapshots.transactionsBetween(epoch2 | 4, epoch2 | 4));
        assertEquals(0, Snapshots.transactionsBetween(epoch2 | 4, epoch1 | 9), "a snapshot installed below");
        assertEquals(7, Snapshots.transactionsBetween(epoch1 | 0xffffff00L, (3L << 32) | 7));
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
