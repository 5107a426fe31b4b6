package io.paddock.sim;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.DataFileNames;
import io.paddock.core.storage.LogFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One simulated log file: the bytes a process sees (header, framed records, preallocated zeros)
 * and what of them is durable. Records are only ever appended at the end of the data, so the
 * durable image is the written bytes up to {@code durableDataEnd} followed by zeros up to
 * {@code durableLength} (preallocated zeros that a sync made durable); a lost sector therefore
 * reads back as that image, never as other bytes. The file also remembers where each record it
 * was given ends, to cut after a zxid; recovery checks those offsets against what the real
 * scanner found.
 */
final class SimLogFile {
    /** Zeros are preallocated in steps of two sectors, so the scanner meets zero-padded files too. */
    static final int PREALLOC_BYTES = 2 * LogFormat.SECTOR_BYTES;

    private final long baseZxid;
    private byte[] bytes = new byte[PREALLOC_BYTES];
    private int dataEnd;
    private int length;
    private int durableDataEnd;
    private int durableLength;
    private final List<Long> zxids = new ArrayList<>();
    private final List<Integer> recordEnds = new ArrayList<>();

    /** A new file holding the header, nothing durable yet. */
    SimLogFile(long baseZxid) {
        this.baseZxid = baseZxid;
        write(LogFormat.header(baseZxid));
    }

    long baseZxid() {
        return baseZxid;
    }

    String name() {
        return DataFileNames.logName(baseZxid);
    }

    int dataBytes() {
        return dataEnd;
    }

    boolean hasUnsynced() {
        return dataEnd != durableDataEnd || length != durableLength;
    }

    boolean neverSynced() {
        return durableLength == 0;
    }

    /** Zxid of the last record given, 0 if none. */
    long lastZxid() {
        return zxids.isEmpty() ? 0 : zxids.get(zxids.size() - 1);
    }

    /** Zxid of the last record made durable, 0 if none. */
    long lastDurableZxid() {
        for (int i = zxids.size() - 1; i >= 0; i--) {
            if (recordEnds.get(i) <= durableDataEnd) {
                return zxids.get(i);
            }
        }
        return 0;
    }

    void append(TxnEnvelope txn) {
        write(LogFormat.record(txn));
        zxids.add(txn.zxid());
        recordEnds.add(dataEnd);
    }

    private void write(byte[] record) {
        int end = dataEnd + record.length;
        if (end > length) {
            length = end + PREALLOC_BYTES - end % PREALLOC_BYTES;
            if (length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length, 2 * bytes.length));
            }
        }
        System.arraycopy(record, 0, bytes, dataEnd, record.length);
        dataEnd = end;
    }

    void sync() {
        durableDataEnd = dataEnd;
        durableLength = length;
    }

    /** A failed write: the file goes back to its durable state (the server cuts it back so). */
    void dropUnsynced() {
        restore(durableDataEnd, durableLength);
    }

    /**
     * Cuts the file right after its last record with a zxid at most {@code zxid} (the header
     * alone stays when there is none), durably: what a TRUNC does to the file holding zxid.
     */
    void cutAfter(long zxid) {
        int end = LogFormat.HEADER_BYTES;
        for (int i = 0; i < zxids.size() && zxids.get(i) <= zxid; i++) {
            end = recordEnds.get(i);
        }
        cutAt(end);
    }

    /** Cuts the file to {@code end} (no preallocated zeros after it), durably: how recovery cuts a torn tail. */
    void cutAt(int end) {
        restore(end, end);
        sync();
    }

    private void restore(int end, int newLength) {
        Arrays.fill(bytes, end, bytes.length, (byte) 0);
        dataEnd = end;
        length = newLength;
        while (!recordEnds.isEmpty() && recordEnds.get(recordEnds.size() - 1) > end) {
            zxids.remove(zxids.size() - 1);
            recordEnds.remove(recordEnds.size() - 1);
        }
    }

    /**
     * A crash: what was not synced is lost in {@link io.paddock.core.storage.LogScanner}'s
     * model. The file ends somewhere between its durable and its written length (a growing file
     * may end anywhere), and from some sector on, every sector reads back as its durable image
     * (unsynced writes lost in whole sectors, only ever a suffix of them: out-of-order writeback
     * is what the scanner calls corruption). Bytes below the durable data end never change.
     * Returns what happened, for the trace; the data end then means "bytes kept" until recovery
     * scans the file.
     */
    String crash(Random random) {
        if (!hasUnsynced()) {
            return name() + " intact";
        }
        int sector = LogFormat.SECTOR_BYTES;
        int firstLosable = durableDataEnd / sector;
        int keptLength;
        int firstLost;
        switch (random.nextInt(4)) {
            case 0 -> { // the OS wrote everything back in time
                keptLength = length;
                firstLost = ceilDiv(length, sector);
            }
            case 1 -> { // nothing unsynced reached the disk
                keptLength = durableLength;
                firstLost = firstLosable;
            }
            case 2 -> { // the size grew to anywhere, and a suffix of the sectors under it may be lost
                keptLength = durableLength + random.nextInt(length - durableLength + 1);
                firstLost = firstLosable + random.nextInt(ceilDiv(keptLength, sector) - firstLosable + 1);
            }
            default -> { // the size reached the disk, some trailing sectors did not
                keptLength = length;
                firstLost = firstLosable + random.nextInt(ceilDiv(length, sector) - firstLosable + 1);
            }
        }
        int lostFrom = Math.max(durableDataEnd, Math.min(keptLength, firstLost * sector));
        int keptData = Math.min(dataEnd, lostFrom);
        String what = name() + " kept " + keptData + " of " + dataEnd + " data bytes (" + durableDataEnd
                + " durable), length " + keptLength + " of " + length;
        Arrays.fill(bytes, keptData, bytes.length, (byte) 0);
        dataEnd = keptData;
        length = keptLength;
        sync();
        return what;
    }

    /** The file's bytes, as a reader of the file would get them. */
    byte[] contents() {
        return Arrays.copyOf(bytes, length);
    }

    /**
     * After recovery's scan: keeps the first {@code txnCount} records, which must end at
     * {@code validEnd}; only zeros follow there (a CLEAN scan), or the torn rest is cut off if
     * {@code cut}. A disagreement about the records is a bug of this simulated disk (it framed
     * the bytes itself), not a disk fault.
     */
    void keepScanned(int txnCount, int validEnd, boolean cut) {
        boolean agrees = txnCount <= zxids.size()
                && (txnCount == 0 ? validEnd == LogFormat.HEADER_BYTES : recordEnds.get(txnCount - 1) == validEnd);
        if (!agrees) {
            throw new IllegalStateException(name() + ": the scanner kept " + txnCount + " records ending at "
                    + validEnd + ", the disk wrote " + zxids.size() + " ending at " + recordEnds);
        }
        restore(validEnd, cut ? validEnd : length);
        sync();
    }

    void checkInvariants() {
        if (!(durableDataEnd <= dataEnd && dataEnd <= length && durableDataEnd <= durableLength
                && length <= bytes.length)) {
            throw new IllegalStateException(name() + ": bad extents durable " + durableDataEnd + "/" + durableLength
                    + ", written " + dataEnd + "/" + length);
        }
        for (int i = dataEnd; i < length; i++) {
            if (bytes[i] != 0) {
                throw new IllegalStateException(name() + ": non-zero byte at " + i + " after the data end " + dataEnd);
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
