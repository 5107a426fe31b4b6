package io.paddock.sim;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.SessionTable;
import io.paddock.core.storage.CorruptFileException;
import io.paddock.core.storage.DataFileNames;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.storage.TreeCapture;
import io.paddock.core.tree.DataTree;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The disk of one simulated server, kept across its crashes: the transaction log, snapshots and
 * the two epochs, as in-memory files holding the server's very bytes ({@link LogFormat} records
 * framed as {@code FileTxnLog} writes them, {@link SnapshotFormat} files as {@code Snapshots}
 * writes them), read back at {@link #recover()} with the real decoders ({@code LogScanner},
 * {@code SnapshotDecoder}) under the rules of the server's {@code Recovery}.
 *
 * <p>What it assumes of its caller, and guarantees:
 * <ul>
 * <li>Log: {@link #append} is not durable; {@link #sync} makes every append durable (or, once
 *     armed by {@link #failNextSync}, drops them as a full disk does). Files are named by their
 *     first zxid and roll over at {@link #LOG_ROLL_BYTES}, and only at a sync boundary, as the
 *     server's group commit does, so only the last file ever holds unsynced bytes.</li>
 * <li>{@link #crash} loses what was not synced, and tears the last file the way {@code
 *     LogScanner}'s crash model allows (see {@link SimLogFile#crash}); nothing synced is ever
 *     lost or changed. A snapshot write in flight ends absent, complete or torn.</li>
 * <li>{@link #truncateAfter} removes every logged txn above a zxid, durably (ZooKeeper's TRUNC).</li>
 * <li>Epochs are written atomically and durably at once: the shell models their latency by
 *     calling {@link #writeEpochs} when the write completes.</li>
 * <li>After a crash (and when new) the disk is down: only {@link #recover} may be called, which
 *     repairs torn tails as the server does and returns plain data (no Replica).</li>
 * </ul>
 * Every random choice comes from the Random handed to {@link #crash}; no clocks, threads or files.
 */
public final class SimDisk {
    /** A log file rolls once its data passes this size (small, so tests see several files). */
    public static final int LOG_ROLL_BYTES = 4 * LogFormat.SECTOR_BYTES;
    /** Nodes the snapshot writer reads out of a {@link TreeCapture} at a time (the server uses thousands). */
    static final int SNAPSHOT_PIECE_NODES = 16;

    /** The two epochs, as the server's epoch files hold them. */
    public record Epochs(long acceptedEpoch, long currentEpoch) {
        public Epochs {
            if (currentEpoch > acceptedEpoch || currentEpoch < 0) {
                throw new IllegalArgumentException("current epoch " + currentEpoch + " not in [0, accepted "
                        + acceptedEpoch + "]");
            }
        }
    }

    /**
     * What {@link #recover} read back.
     *
     * @param snapshot the newest snapshot that decodes whole, or null when none does
     * @param txns the logged transactions after the snapshot, in zxid order without a gap
     * @param lastZxid the last zxid recovered: the last of txns, else the snapshot's, else 0
     * @param epochs the epoch files, or (as the server reads missing ones) both the epoch of lastZxid
     * @param repairs what recovery skipped or cut, one line each (damaged snapshots, torn tails)
     */
    public record Recovered(SnapshotData snapshot, List<TxnEnvelope> txns, long lastZxid, Epochs epochs,
                            List<String> repairs) {
        public Recovered {
            txns = List.copyOf(txns);
            repairs = List.copyOf(repairs);
        }

        /** The zxid the snapshot covers, 0 without one. */
        public long snapshotZxid() {
            return snapshot == null ? 0 : snapshot.header().lastZxid();
        }
    }

    private enum State { DOWN, UP }

    /** A snapshot file written but not yet synced and renamed into place. */
    private record PendingSnapshot(long zxid, byte[] bytes) {}

    private final String name;
    private final TreeMap<Long, SimLogFile> logs = new TreeMap<>();
    private final TreeMap<Long, byte[]> snapshots = new TreeMap<>();
    private State state = State.DOWN;
    /** The file appends go to; null until the next append opens one (after a start, TRUNC or failure). */
    private SimLogFile current;
    private boolean rollRequested;
    private long lastAppendedZxid;
    private long lastDurableZxid;
    /** The first zxid appended since the last sync, 0 when all is synced. */
    private long firstUnsyncedZxid;
    private PendingSnapshot pendingSnapshot;
    private Epochs epochs;
    private String syncFailure;

    /** @param name names the disk's files in messages and exceptions, e.g. "s1" */
    public SimDisk(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Adds a txn to the log, not yet durable; its zxid must be above every one appended before. */
    public void append(TxnEnvelope txn) {
        requireUp("append");
        if (txn.zxid() <= lastAppendedZxid) {
            throw new IllegalArgumentException(name + ": append of zxid 0x" + Long.toHexString(txn.zxid())
                    + " after 0x" + Long.toHexString(lastAppendedZxid));
        }
        boolean rollDue = current != null && (rollRequested || current.dataBytes() >= LOG_ROLL_BYTES);
        if (current == null || (rollDue && !current.hasUnsynced())) {
            current = new SimLogFile(txn.zxid());
            logs.put(txn.zxid(), current); // a leftover empty file of the same name is overwritten, as the server does
            rollRequested = false;
        }
        current.append(txn);
        lastAppendedZxid = txn.zxid();
        if (firstUnsyncedZxid == 0) {
            firstUnsyncedZxid = txn.zxid();
        }
    }

    /**
     * Makes every append durable and returns the last zxid appended, now durable. With a failure
     * armed and something to write, drops every append since the last sync instead (the file
     * goes back to its durable end) and throws; the next append tries the disk again.
     */
    public long sync() throws SimDiskFullException {
        requireUp("sync");
        if (firstUnsyncedZxid == 0) {
            return lastDurableZxid;
        }
        if (syncFailure != null) {
            String reason = syncFailure;
            syncFailure = null;
            long from = firstUnsyncedZxid;
            dropUnsynced();
            throw new SimDiskFullException(name, from, lastDurableZxid, reason);
        }
        current.sync();
        lastDurableZxid = lastAppendedZxid;
        firstUnsyncedZxid = 0;
        return lastDurableZxid;
    }

    private void dropUnsynced() {
        current.dropUnsynced();
        if (current.neverSynced()) {
            logs.remove(current.baseZxid()); // the server deletes a file it could not start
            current = null;
        }
        lastAppendedZxid = lastDurableZxid;
        firstUnsyncedZxid = 0;
    }

    /** Arms a fault: the next sync that has something to write fails with {@code reason} (e.g. a full disk). */
    public void failNextSync(String reason) {
        syncFailure = reason;
    }

    /** Starts a new log file with the next append made after a sync (the server rolls when it snapshots). */
    public void roll() {
        rollRequested = true;
    }

    /**
     * Removes every logged txn with a zxid above {@code zxid}, durably: later files go, the file
     * holding zxid is cut after it, and what is kept is synced. Snapshots above zxid go too (they
     * hold the history being undone). The next append opens a new file.
     */
    public void truncateAfter(long zxid) {
        requireUp("truncateAfter");
        if (zxid < 0) {
            throw new IllegalArgumentException("zxid must not be negative: " + zxid);
        }
        logs.tailMap(zxid, false).clear();
        Map.Entry<Long, SimLogFile> last = logs.lastEntry();
        if (last != null) {
            last.getValue().cutAfter(zxid);
        }
        snapshots.tailMap(zxid, false).clear();
        if (pendingSnapshot != null && pendingSnapshot.zxid() > zxid) {
            pendingSnapshot = null;
        }
        current = null;
        lastAppendedZxid = Math.min(lastAppendedZxid, zxid);
        lastDurableZxid = lastAppendedZxid;
        firstUnsyncedZxid = 0;
    }

    /**
     * Starts writing a snapshot of the tree and sessions after {@code zxid}, as the server does:
     * a {@link TreeCapture} read out in pieces, encoded by the real encoder; here all at once,
     * between events. The log rolls, as the server's does. The file is durable only once {@link
     * #completeSnapshot} is called; a crash before that leaves it absent, torn or complete.
     */
    public void writeSnapshot(DataTree tree, SessionTable sessions, long zxid, long timeMs) {
        TreeCapture capture = TreeCapture.begin(tree, sessions, zxid, timeMs);
        try {
            writeSnapshot(capture.source(() -> capture.next(SNAPSHOT_PIECE_NODES)));
        } finally {
            capture.end();
        }
    }

    /** As {@link #writeSnapshot(DataTree, SessionTable, long, long)}, from any source (one write at a time). */
    public void writeSnapshot(SnapshotSource source) {
        requireUp("writeSnapshot");
        if (pendingSnapshot != null) {
            throw new IllegalStateException(name + ": snapshot at 0x" + Long.toHexString(pendingSnapshot.zxid())
                    + " still being written");
        }
        pendingSnapshot = new PendingSnapshot(source.lastZxid(), SnapshotFormat.encode(source));
        roll();
    }

    public boolean snapshotPending() {
        return pendingSnapshot != null;
    }

    /** The zxid of the snapshot being written, or -1 when none is. */
    public long pendingSnapshotZxid() {
        return pendingSnapshot == null ? -1 : pendingSnapshot.zxid();
    }

    /** The pending snapshot is synced and renamed into place (durable); returns its zxid. */
    public long completeSnapshot() {
        requireUp("completeSnapshot");
        if (pendingSnapshot == null) {
            throw new IllegalStateException(name + ": no snapshot being written");
        }
        snapshots.put(pendingSnapshot.zxid(), pendingSnapshot.bytes());
        long zxid = pendingSnapshot.zxid();
        pendingSnapshot = null;
        return zxid;
    }

    /** Writes both epochs atomically and durably (old or new after any crash, never a mix). */
    public void writeEpochs(long acceptedEpoch, long currentEpoch) {
        requireUp("writeEpochs");
        epochs = new Epochs(acceptedEpoch, currentEpoch);
    }

    /** The durable epochs, or null when they were never written. */
    public Epochs readEpochs() {
        return epochs;
    }

    /**
     * The server dies: unsynced appends are lost and the last log file torn as the crash model
     * allows; a snapshot in flight ends absent, complete or torn. Returns what happened, for the
     * trace. The disk is down until {@link #recover}.
     */
    public String crash(Random random) {
        requireUp("crash");
        List<String> what = new ArrayList<>();
        if (current != null && current.hasUnsynced()) {
            if (current.neverSynced() && random.nextInt(4) == 0) {
                logs.remove(current.baseZxid()); // its directory entry never reached the disk
                what.add(current.name() + " vanished");
            } else {
                what.add(current.crash(random));
            }
        }
        if (pendingSnapshot != null) {
            what.add(crashSnapshot(pendingSnapshot, random));
            pendingSnapshot = null;
        }
        state = State.DOWN;
        current = null;
        rollRequested = false;
        firstUnsyncedZxid = 0;
        return what.isEmpty() ? "nothing unsynced" : String.join("; ", what);
    }

    /**
     * A crash while a snapshot was written: the rename did not reach the disk (absent; the
     * server's temporary file is ignored at start), or everything did (complete), or the rename
     * did but not all data (torn: cut, or trailing sectors zero), which recovery must skip.
     */
    private String crashSnapshot(PendingSnapshot snap, Random random) {
        String file = DataFileNames.snapshotName(snap.zxid());
        switch (random.nextInt(3)) {
            case 0 -> {
                return file + " absent";
            }
            case 1 -> {
                snapshots.put(snap.zxid(), snap.bytes());
                return file + " complete";
            }
            default -> {
                byte[] torn = tear(snap.bytes(), random);
                snapshots.put(snap.zxid(), torn);
                return file + " torn at " + torn.length + " of " + snap.bytes().length + " bytes";
            }
        }
    }

    /** Bytes that differ from {@code bytes}: cut anywhere, or zero from some sector on. */
    private static byte[] tear(byte[] bytes, Random random) {
        if (random.nextBoolean()) {
            int sector = LogFormat.SECTOR_BYTES;
            int from = random.nextInt((bytes.length + sector - 1) / sector) * sector;
            byte[] zeroed = bytes.clone();
            Arrays.fill(zeroed, from, zeroed.length, (byte) 0);
            if (!Arrays.equals(zeroed, bytes)) {
                return zeroed;
            }
        }
        return Arrays.copyOf(bytes, random.nextInt(bytes.length));
    }

    /**
     * Starts the server from its disk: the newest snapshot that decodes, then the log after it,
     * with the server's rules (torn tails cut, damaged snapshots skipped). Throws, naming file and
     * offset, where the server refuses to start: a corrupt log, a gap, or a newest snapshot that
     * nothing readable reaches. The disk is up afterwards, and the next append opens a new file.
     */
    public Recovered recover() throws CorruptFileException {
        if (state == State.UP) {
            throw new IllegalStateException(name + ": recover while running; crash it first");
        }
        Recovered recovered = SimDiskRecovery.run(name, logs, snapshots, epochs);
        state = State.UP;
        lastAppendedZxid = recovered.lastZxid();
        lastDurableZxid = recovered.lastZxid();
        return recovered;
    }

    public boolean isUp() {
        return state == State.UP;
    }

    /** The zxid of the last append (0 when none since the start). */
    public long lastAppendedZxid() {
        return lastAppendedZxid;
    }

    /** The zxid up to which the log is durable (what the last sync returned). */
    public long lastDurableZxid() {
        return lastDurableZxid;
    }

    /** The log files by name, oldest first. */
    public List<String> logFileNames() {
        List<String> names = new ArrayList<>();
        logs.values().forEach(f -> names.add(f.name()));
        return names;
    }

    /** The snapshot files by name (durable ones, damaged ones too), oldest first. */
    public List<String> snapshotFileNames() {
        List<String> names = new ArrayList<>();
        snapshots.keySet().forEach(z -> names.add(DataFileNames.snapshotName(z)));
        return names;
    }

    /** Cheap checks after every step: only the last log file holds unsynced bytes; files are well formed. */
    public void checkInvariants() {
        for (SimLogFile file : logs.values()) {
            file.checkInvariants();
            if (file != current && file.hasUnsynced()) {
                throw new IllegalStateException(name + ": " + file.name() + " has unsynced bytes but is not the current file");
            }
        }
        if (current != null && logs.get(current.baseZxid()) != current) {
            throw new IllegalStateException(name + ": the current file " + current.name() + " is not in the log");
        }
        if (lastDurableZxid > lastAppendedZxid || (firstUnsyncedZxid != 0 && firstUnsyncedZxid > lastAppendedZxid)) {
            throw new IllegalStateException(name + ": durable 0x" + Long.toHexString(lastDurableZxid) + ", appended 0x"
                    + Long.toHexString(lastAppendedZxid) + ", first unsynced 0x" + Long.toHexString(firstUnsyncedZxid));
        }
    }

    private void requireUp(String operation) {
        if (state != State.UP) {
            throw new IllegalStateException(name + ": " + operation + " while the disk is down; recover first");
        }
    }
}
