package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.SessionTable;
import io.paddock.core.storage.CorruptFileException;
import io.paddock.core.storage.CorruptLogException;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.storage.TreeSnapshot;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.Id;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The simulated disk keeps what the protocol relies on and loses what a real crash may lose,
 * read back with the real decoders: over many seeds, appends, syncs, failed syncs, TRUNCs,
 * snapshots and crashes, recovery gives a prefix of what was appended that holds every synced
 * txn; a truncation leaves exactly the prefix; the newest complete snapshot is used with the log
 * after it, and a torn one falls back to the older; epochs are old or new, never a mix; and a
 * gap in the log refuses to start, naming the file and offset. Each property also checks that
 * the seeds really produced the case it is about (torn tails, several files, fallbacks).
 */
class SimDiskTest {
    private static final int SEEDS = 500;
    private static final int STEPS = 60;

    /** Txns of several kinds, applied to a real tree and session table as they are made. */
    private static final class History {
        final DataTree tree = new DataTree();
        final SessionTable sessions = new SessionTable(100);
        final Random random;
        final List<String> paths = new ArrayList<>();
        final Map<String, Integer> versions = new HashMap<>();
        long zxid;
        long nextSession = 0x100;

        History(Random random, long zxid) {
            this.random = random;
            this.zxid = zxid;
        }

        /** The next txn: usually zxid + 1, sometimes the first of a new epoch. */
        TxnEnvelope next() {
            zxid = random.nextInt(40) == 0 ? ((zxid >>> 32) + 1) << 32 | 1 : zxid + 1;
            long time = 1_700_000_000_000L + zxid % 100_000;
            Txn txn = switch (paths.isEmpty() ? 1 : random.nextInt(8)) {
                case 0 -> {
                    long id = nextSession++;
                    byte[] passwd = new byte[16];
                    random.nextBytes(passwd);
                    sessions.add(id, 10_000, passwd, time);
                    yield new Txn.CreateSession(id, 10_000, passwd);
                }
                case 1, 2 -> {
                    String path = "/n" + paths.size();
                    byte[] data = new byte[random.nextInt(300)];
                    random.nextBytes(data);
                    List<Acl> acl = random.nextBoolean() ? Acl.OPEN : List.of(new Acl(Acl.READ, new Id("world", "anyone")));
                    tree.create(path, data, acl, NodeKind.PERSISTENT, 0, 0, -1, zxid, time);
                    paths.add(path);
                    versions.put(path, 0);
                    yield new Txn.Create(path, data, acl, NodeKind.PERSISTENT, 0, 0, -1, random.nextBoolean());
                }
                case 3, 4 -> {
                    String path = paths.get(random.nextInt(paths.size()));
                    int version = versions.merge(path, 1, Integer::sum);
                    byte[] data = ("v" + version).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    tree.setData(path, data, version, zxid, time);
                    yield new Txn.SetData(path, data, version);
                }
                case 5 -> new Txn.Multi(List.of(new Txn.Check(paths.get(0), 0), new Txn.Check("/n0", -1)));
                case 6 -> new Txn.MultiError(List.of(0, Code.NO_NODE), List.of(1, 2));
                default -> new Txn.Error(Code.NODE_EXISTS);
            };
            return new TxnEnvelope(zxid, 0x55, (int) zxid, time, txn);
        }

        SnapshotSource capture() {
            return TreeSnapshot.capture(tree, sessions, zxid, 1_700_000_000_000L);
        }
    }

    /** What the test knows was appended and what was synced since the disk's last start. */
    private static final class Model {
        final List<TxnEnvelope> appended = new ArrayList<>();
        int synced;

        void keep(int count) {
            appended.subList(count, appended.size()).clear();
            synced = Math.min(synced, count);
        }
    }

    private static void forSeeds(String property, java.util.function.LongConsumer body) {
        Seeds.run("SimDiskTest#" + property, SEEDS, seed -> {
            try {
                body.accept(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(property + " fails with seed " + seed + " (-Dpaddock.sim.seed=" + seed + "): "
                        + e.getMessage(), e);
            }
        });
    }

    private static SimDisk.Recovered recover(SimDisk disk) {
        try {
            SimDisk.Recovered r = disk.recover();
            disk.checkInvariants();
            return r;
        } catch (CorruptFileException e) {
            throw new AssertionError("recovery refused: " + e.getMessage(), e);
        }
    }

    private static long sync(SimDisk disk) {
        try {
            return disk.sync();
        } catch (SimDiskFullException e) {
            throw new AssertionError(e);
        }
    }

    /** Recovered txns are a prefix of those appended (after the snapshot) holding every synced one. */
    private static void assertPrefixHoldingSynced(Model model, long snapZxid, SimDisk.Recovered r) {
        List<TxnEnvelope> expected = new ArrayList<>();
        int syncedAfterSnap = 0;
        for (int i = 0; i < model.appended.size(); i++) {
            if (model.appended.get(i).zxid() > snapZxid) {
                expected.add(model.appended.get(i));
                syncedAfterSnap += i < model.synced ? 1 : 0;
            }
        }
        int n = r.txns().size();
        assertTrue(n >= syncedAfterSnap, "lost synced txns: recovered " + n + " of " + syncedAfterSnap + " synced");
        assertTrue(n <= expected.size(), "recovered " + n + " txns, only " + expected.size() + " appended");
        assertTxns(expected.subList(0, n), r.txns());
        long last = n > 0 ? r.txns().get(n - 1).zxid() : snapZxid;
        assertEquals(last, r.lastZxid());
    }

    /** Compares zxids first, so a failure names zxids rather than printing every envelope. */
    private static void assertTxns(List<TxnEnvelope> expected, List<TxnEnvelope> actual) {
        assertEquals(expected.stream().map(t -> Long.toHexString(t.zxid())).toList(),
                actual.stream().map(t -> Long.toHexString(t.zxid())).toList(), "recovered zxids");
        assertEquals(expected, actual, "recovered txns");
    }

    @Test
    void crashesNeverLoseSyncedTxnsNorInventOthers() {
        int[] seen = new int[3]; // torn tails cut, runs with 3+ log files, failed syncs
        forSeeds("crashesNeverLoseSyncedTxnsNorInventOthers", seed -> {
            Random random = new Random(seed);
            SimDisk disk = new SimDisk("s1");
            assertEquals(0, recover(disk).lastZxid());
            History history = new History(random, 0);
            Model model = new Model();
            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    for (int i = random.nextInt(6); i >= 0; i--) {
                        TxnEnvelope txn = history.next();
                        disk.append(txn);
                        model.appended.add(txn);
                    }
                } else if (op < 8) {
                    if (random.nextInt(8) == 0) {
                        disk.failNextSync("No space left on device");
                    }
                    try {
                        assertEquals(model.appended.isEmpty() ? 0 : model.appended.get(model.appended.size() - 1).zxid(),
                                disk.sync());
                        model.synced = model.appended.size();
                    } catch (SimDiskFullException e) {
                        seen[2]++;
                        assertEquals(model.appended.get(model.synced).zxid(), e.fromZxid());
                        model.keep(model.synced);
                        history.zxid = disk.lastAppendedZxid(); // the core hands the zxids out again
                    }
                } else {
                    disk.crash(random);
                    SimDisk.Recovered r = recover(disk);
                    assertNull(r.snapshot());
                    assertPrefixHoldingSynced(model, 0, r);
                    seen[0] += r.repairs().isEmpty() ? 0 : 1;
                    model.keep(r.txns().size());
                    model.synced = model.appended.size();
                    history.zxid = r.lastZxid();
                }
                disk.checkInvariants();
            }
            seen[1] += disk.logFileNames().size() >= 3 ? 1 : 0;
        });
        assertTrue(seen[0] > 20, "torn tails seen: " + seen[0]);
        assertTrue(seen[1] > 20, "runs with 3+ log files: " + seen[1]);
        assertTrue(seen[2] > 20, "failed syncs: " + seen[2]);
    }

    @Test
    void truncateAfterLeavesExactlyThePrefix() {
        forSeeds("truncateAfterLeavesExactlyThePrefix", seed -> {
            Random random = new Random(seed);
            SimDisk disk = new SimDisk("s2");
            recover(disk);
            History history = new History(random, 0);
            List<TxnEnvelope> appended = new ArrayList<>();
            int count = 1 + random.nextInt(80);
            for (int i = 0; i < count; i++) {
                appended.add(history.next());
                disk.append(appended.get(i));
                if (random.nextInt(4) == 0) {
                    sync(disk);
                }
            }
            if (random.nextBoolean()) {
                disk.writeSnapshot(history.capture()); // in flight, above the cut: TRUNC drops it
            }
            int keep = random.nextInt(count + 1);
            long cut = keep == 0 ? 0 : appended.get(keep - 1).zxid();
            disk.truncateAfter(cut);
            disk.checkInvariants();
            assertEquals(cut, disk.lastDurableZxid());
            disk.crash(random);
            SimDisk.Recovered r = recover(disk);
            // a snapshot in flight at or below the cut may have survived the crash; the log after it is the rest
            assertTxns(appended.subList(0, keep).stream().filter(t -> t.zxid() > r.snapshotZxid()).toList(), r.txns());
            assertEquals(cut, r.lastZxid());
            assertTrue(r.repairs().stream().noneMatch(l -> l.contains(" torn: ")), "a truncation is durable: " + r.repairs());
            // appending after the cut goes on from there
            TxnEnvelope after = new TxnEnvelope(cut + 1, 1, 1, 1, new Txn.Delete("/x"));
            disk.append(after);
            sync(disk);
            disk.crash(random);
            List<TxnEnvelope> expected = new ArrayList<>(appended.subList(0, keep));
            expected.add(after);
            assertTxns(expected.stream().filter(t -> t.zxid() > r.snapshotZxid()).toList(), recover(disk).txns());
        });
    }

    @Test
    void recoveryUsesTheNewestCompleteSnapshotAndTheLogAfterIt() {
        int[] seen = new int[3]; // fell back from a torn snapshot, an in-flight one survived whole, one vanished
        forSeeds("recoveryUsesTheNewestCompleteSnapshotAndTheLogAfterIt", seed -> {
            Random random = new Random(seed);
            SimDisk disk = new SimDisk("s3");
            recover(disk);
            History history = new History(random, 0);
            Model model = new Model();
            TreeMap<Long, SnapshotData> complete = new TreeMap<>(); // what each durable snapshot must decode to
            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    for (int i = random.nextInt(8); i >= 0; i--) {
                        TxnEnvelope txn = history.next();
                        disk.append(txn);
                        model.appended.add(txn);
                    }
                } else if (op < 7) {
                    sync(disk);
                    model.synced = model.appended.size();
                } else if (op < 8 && !disk.snapshotPending() && model.synced == model.appended.size()
                        && history.zxid > Math.abs(complete.isEmpty() ? 0 : complete.lastKey())) {
                    // the server snapshots applied state; here the log holds it durably already
                    disk.writeSnapshot(history.tree, history.sessions, history.zxid, 1_700_000_000_000L);
                    SnapshotData expected = new SnapshotData("expected", null, listOf(history.capture().sessions()),
                            listOf(history.capture().nodes()));
                    if (random.nextBoolean()) {
                        complete.put(disk.completeSnapshot(), expected);
                    } else {
                        complete.put(-history.zxid, expected); // in flight: outcome decided by a crash
                    }
                } else if (op >= 8) {
                    Long inFlight = disk.snapshotPending() ? -complete.firstKey() : null;
                    disk.crash(random);
                    SimDisk.Recovered r = recover(disk);
                    long newestComplete = complete.isEmpty() ? 0 : complete.lastKey();
                    if (inFlight != null) {
                        SnapshotData data = complete.remove(-inFlight);
                        if (r.snapshotZxid() == inFlight) {
                            seen[1]++;
                            complete.put(inFlight, data);
                        } else if (r.repairs().stream().anyMatch(l -> l.startsWith("skipped"))) {
                            seen[0]++;
                            assertEquals(complete.isEmpty() ? 0 : complete.lastKey(), r.snapshotZxid());
                        } else {
                            seen[2]++;
                        }
                        newestComplete = complete.isEmpty() ? 0 : complete.lastKey();
                    }
                    assertEquals(newestComplete, r.snapshotZxid(), "not the newest complete snapshot: " + r.repairs()
                            + " files " + disk.snapshotFileNames() + " complete " + complete.keySet());
                    if (r.snapshot() != null) {
                        SnapshotData expected = complete.get(newestComplete);
                        assertEquals(expected.sessions(), r.snapshot().sessions());
                        assertEquals(expected.nodes(), r.snapshot().nodes());
                    }
                    assertPrefixHoldingSynced(model, r.snapshotZxid(), r);
                    int kept = 0;
                    while (kept < model.appended.size() && model.appended.get(kept).zxid() <= r.lastZxid()) {
                        kept++;
                    }
                    model.keep(kept);
                    model.synced = kept;
                    if (history.zxid != r.lastZxid()) {
                        history = rebuild(random, r); // the tree went back to what the disk holds
                    }
                }
                disk.checkInvariants();
            }
        });
        assertTrue(seen[0] > 10, "fallbacks from a torn snapshot: " + seen[0]);
        assertTrue(seen[1] > 10, "in-flight snapshots that survived whole: " + seen[1]);
        assertTrue(seen[2] > 10, "in-flight snapshots that vanished: " + seen[2]);
    }

    /** A fresh history over the recovered state: the snapshot's tree with the replayed creates and sets. */
    private static History rebuild(Random random, SimDisk.Recovered r) {
        History h = new History(random, r.lastZxid());
        if (r.snapshot() != null) {
            r.snapshot().sessions().forEach(s -> h.sessions.add(s.id(), s.timeoutMs(), s.passwd(), 0));
            r.snapshot().nodes().forEach(n -> h.tree.restoreNode(n.path(), n.data(), n.acl(), n.kind(),
                    n.ephemeralOwner(), n.ttlMs(), n.czxid(), n.mzxid(), n.ctime(), n.mtime(), n.version(),
                    n.cversion(), n.aversion(), n.pzxid()));
            r.snapshot().sessions().forEach(s -> h.nextSession = Math.max(h.nextSession, s.id() + 1));
        }
        for (TxnEnvelope t : r.txns()) {
            if (t.txn() instanceof Txn.CreateSession c) {
                h.sessions.add(c.sessionId(), c.timeoutMs(), c.passwd(), 0);
                h.nextSession = Math.max(h.nextSession, c.sessionId() + 1);
            } else if (t.txn() instanceof Txn.Create c) {
                h.tree.create(c.path(), c.data(), c.acl(), c.kind(), 0, 0, -1, t.zxid(), t.timeMs());
            } else if (t.txn() instanceof Txn.SetData s) {
                h.tree.setData(s.path(), s.data(), s.version(), t.zxid(), t.timeMs());
            }
        }
        h.tree.forEach((path, node) -> {
            if (path.startsWith("/n")) {
                h.paths.add(path);
                h.versions.put(path, node.version());
            }
        });
        h.paths.sort(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.substring(2))));
        return h;
    }

    private static <T> List<T> listOf(java.util.Iterator<T> items) {
        List<T> out = new ArrayList<>();
        items.forEachRemaining(out::add);
        return out;
    }

    @Test
    void epochsAreOldOrNewNeverAMix() {
        forSeeds("epochsAreOldOrNewNeverAMix", seed -> {
            Random random = new Random(seed);
            SimDisk disk = new SimDisk("s4");
            SimDisk.Recovered fresh = recover(disk);
            assertEquals(new SimDisk.Epochs(0, 0), fresh.epochs(), "missing epoch files read as the epoch of zxid 0");
            assertNull(disk.readEpochs());
            SimDisk.Epochs written = null;
            long accepted = 0;
            for (int step = 0; step < 20; step++) {
                if (random.nextBoolean()) {
                    accepted += random.nextInt(2);
                    written = new SimDisk.Epochs(accepted, accepted - random.nextInt((int) accepted + 1));
                    disk.writeEpochs(written.acceptedEpoch(), written.currentEpoch());
                } else {
                    disk.crash(random);
                    assertEquals(written, disk.readEpochs());
                    SimDisk.Epochs read = recover(disk).epochs();
                    assertEquals(written == null ? new SimDisk.Epochs(0, 0) : written, read);
                }
            }
        });
    }

    @Test
    void aGapInTheLogRefusesToStartNamingFileAndOffset() throws Exception {
        SimDisk disk = new SimDisk("s5");
        disk.recover();
        int offset = LogFormat.HEADER_BYTES;
        for (long zxid = 1; zxid <= 3; zxid++) {
            TxnEnvelope txn = new TxnEnvelope(zxid, 1, 1, 1, new Txn.CloseSession(zxid));
            disk.append(txn);
            offset += LogFormat.record(txn).length;
        }
        disk.append(new TxnEnvelope(5, 1, 1, 1, new Txn.CloseSession(5))); // the scanner accepts it; recovery must not
        disk.sync();
        disk.crash(new Random(1));
        CorruptLogException e = assertThrows(CorruptLogException.class, disk::recover);
        assertEquals("s5/log.1", e.fileName());
        assertEquals(offset, e.offset());
        assertTrue(e.getMessage().contains("missing zxids after 0x3"), e.getMessage());
    }

    @Test
    void aTornNewestSnapshotThatTheLogDoesNotReachRefusesToStart() throws Exception {
        // A snapshot names a zxid only once everything up to it was applied; if it is torn and
        // the log stops short of it, starting from the older state would lose committed txns.
        int refused = 0;
        for (long seed = 1; seed <= 40; seed++) {
            SimDisk disk = new SimDisk("s7");
            disk.recover();
            History history = new History(new Random(seed), 0);
            for (int i = 0; i < 5; i++) {
                disk.append(history.next());
            }
            disk.sync();
            for (int i = 0; i < 5; i++) {
                history.next(); // applied (say, from a leader's SNAP) but never logged here
            }
            disk.writeSnapshot(history.tree, history.sessions, history.zxid, 1);
            if (!disk.crash(new Random(seed)).contains("torn")) {
                continue;
            }
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, disk::recover);
            assertTrue(e.getMessage().contains("s7/snapshot.") && e.getMessage().contains("refusing to start"),
                    e.getMessage());
            refused++;
        }
        assertTrue(refused > 3, "torn snapshots seen: " + refused);
    }

    @Test
    void aNewEpochFollowsTheLastTxnOfTheOldOne() throws Exception {
        SimDisk disk = new SimDisk("s6");
        disk.recover();
        TxnEnvelope a = new TxnEnvelope(1L << 32 | 1, 1, 1, 1, new Txn.CloseSession(1));
        TxnEnvelope b = new TxnEnvelope(3L << 32 | 1, 1, 1, 1, new Txn.CloseSession(2));
        disk.append(a);
        disk.append(b);
        disk.sync();
        disk.crash(new Random(2));
        SimDisk.Recovered r = disk.recover();
        assertEquals(List.of(a, b), r.txns());
        assertEquals(new SimDisk.Epochs(3, 3), r.epochs(), "missing epoch files read as the last zxid's epoch");
        assertNotNull(r.repairs());
    }
}
