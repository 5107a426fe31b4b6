package io.paddock.sim;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.CorruptFileException;
import io.paddock.core.storage.CorruptLogException;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.DataFileNames;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import io.paddock.core.storage.SnapshotData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a {@link SimDisk} back as the server's {@code Recovery} reads its directories: the
 * newest snapshot that {@link SnapshotData#decode decodes} (older ones when it is damaged), then
 * every log file that may hold later txns, each through {@link LogScanner}. A torn tail is cut
 * off (a file without a header is deleted); corruption, a gap, or a newest snapshot that nothing
 * readable reaches is refused with the file and offset. One difference from the server's rule: a
 * txn may also follow the last one by opening a later epoch (counter 1), since a ZAB history
 * jumps from (e, n) to (e', 1); the server's Recovery still requires last + 1.
 */
final class SimDiskRecovery {
    private final String diskName;
    private final TreeMap<Long, SimLogFile> logs;
    private final List<String> repairs = new ArrayList<>();
    private final List<TxnEnvelope> txns = new ArrayList<>();
    private long snapZxid;
    private long last;

    private SimDiskRecovery(String diskName, TreeMap<Long, SimLogFile> logs) {
        this.diskName = diskName;
        this.logs = logs;
    }

    static SimDisk.Recovered run(String diskName, TreeMap<Long, SimLogFile> logs, TreeMap<Long, byte[]> snapshots,
                                 SimDisk.Epochs epochs) throws CorruptFileException {
        return new SimDiskRecovery(diskName, logs).recover(snapshots, epochs);
    }

    private SimDisk.Recovered recover(TreeMap<Long, byte[]> snapshots, SimDisk.Epochs epochs)
            throws CorruptFileException {
        CorruptSnapshotException newestDamage = null;
        SnapshotData snapshot = null;
        for (Map.Entry<Long, byte[]> e : snapshots.descendingMap().entrySet()) {
            try {
                snapshot = SnapshotData.decode(e.getValue(), fileName(DataFileNames.snapshotName(e.getKey())));
                break;
            } catch (CorruptSnapshotException damage) {
                repairs.add("skipped " + damage.getMessage());
                newestDamage = newestDamage == null ? damage : newestDamage;
            }
        }
        snapZxid = snapshot == null ? 0 : snapshot.header().lastZxid();
        last = snapZxid;
        for (SimLogFile file : needed(snapZxid)) {
            replay(file);
        }
        long newestSnapZxid = snapshots.isEmpty() ? 0 : snapshots.lastKey();
        if (last < newestSnapZxid) {
            // A snapshot names a zxid only once everything up to it was applied: recovering less loses it.
            throw new CorruptSnapshotException(newestDamage.fileName(), newestDamage.offset(), newestDamage.reason()
                    + "; the older snapshots and the log only reach zxid 0x" + Long.toHexString(last)
                    + " of its 0x" + Long.toHexString(newestSnapZxid) + ": refusing to start");
        }
        SimDisk.Epochs read = epochs != null ? epochs : new SimDisk.Epochs(last >>> 32, last >>> 32);
        return new SimDisk.Recovered(snapshot, txns, last, read, repairs);
    }

    /** The log files that may hold txns after snapZxid: a file is skipped only when the next one starts at or before snapZxid + 1. */
    private List<SimLogFile> needed(long snapZxid) {
        List<SimLogFile> files = new ArrayList<>(logs.values());
        List<SimLogFile> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (i + 1 == files.size() || files.get(i + 1).baseZxid() > snapZxid + 1) {
                out.add(files.get(i));
            }
        }
        return out;
    }

    /** Scans one file with the real scanner, repairs a torn tail, and takes its txns after the snapshot. */
    private void replay(SimLogFile file) throws CorruptLogException {
        String name = fileName(file.name());
        ScanResult scan = LogScanner.scan(file.contents(), name).requireNotCorrupt();
        if (scan.tail() == ScanResult.Tail.TORN_TAIL) {
            repairs.add(name + " torn: cut " + scan.tailBytes() + " bytes at offset " + scan.validEndOffset()
                    + " (" + scan.reason() + ")");
        }
        if (scan.header() == null) {
            logs.remove(file.baseZxid()); // created but never (wholly) written: nothing to keep
            return;
        }
        file.keepScanned(scan.txnCount(), scan.validEndOffset(), scan.tail() == ScanResult.Tail.TORN_TAIL);
        int offset = LogFormat.HEADER_BYTES;
        for (TxnEnvelope txn : scan.txns()) {
            take(txn, name, offset);
            offset += LogFormat.record(txn).length;
        }
    }

    private void take(TxnEnvelope txn, String file, int offset) throws CorruptLogException {
        long zxid = txn.zxid();
        if (zxid <= snapZxid) {
            return;
        }
        if (zxid <= last) {
            throw new CorruptLogException(file, offset, "repeats zxid 0x" + Long.toHexString(zxid)
                    + " already read from an earlier log file; refusing to start");
        }
        if (!follows(last, zxid)) {
            throw new CorruptLogException(file, offset, "the log is missing zxids after 0x" + Long.toHexString(last)
                    + " (next found: 0x" + Long.toHexString(zxid) + "); the snapshot at 0x"
                    + Long.toHexString(snapZxid) + " needs them; refusing to start");
        }
        txns.add(txn);
        last = zxid;
    }

    /** Whether {@code next} comes right after {@code last}: the next counter, or the first txn of a later epoch. */
    static boolean follows(long last, long next) {
        return next == last + 1 || ((next >>> 32) > (last >>> 32) && (next & 0xffffffffL) == 1);
    }

    private String fileName(String file) {
        return diskName + "/" + file;
    }
}
