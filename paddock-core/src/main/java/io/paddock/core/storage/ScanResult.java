package io.paddock.core.storage;

import io.paddock.core.request.TxnEnvelope;
import java.util.List;

/**
 * What {@link LogScanner} found in one log file: the valid records, the offset where valid data
 * ends, and what follows it.
 *
 * @param header null when the file holds no complete header (then there are no records)
 * @param txns the valid records, or empty when they were handed out while scanning (see
 *        {@link LogScanner#scan(byte[], String, java.util.function.Consumer)})
 * @param txnCount how many valid records the file holds
 * @param lastZxid the zxid of the last valid record, or 0 when there is none
 * @param validEndOffset the end of the last valid record (or of the header); the server may cut
 *        the file here on TORN_TAIL and append here on CLEAN
 * @param fileBytes the file's length
 * @param reason why the scan stopped, for CORRUPT and TORN_TAIL; empty for CLEAN
 */
public record ScanResult(String fileName, LogHeader header, List<TxnEnvelope> txns, int txnCount, long lastZxid,
                         int validEndOffset, Tail tail, int fileBytes, String reason) {

    /** What follows the valid data. */
    public enum Tail {
        /** Nothing, or only zeros (preallocated space). Appending at validEndOffset is safe. */
        CLEAN,
        /** An unfinished write that cannot hold committed data; cut it off at validEndOffset. */
        TORN_TAIL,
        /** Damage that may hide committed data; the server must not start on this file. */
        CORRUPT
    }

    public ScanResult {
        txns = List.copyOf(txns);
        if (!txns.isEmpty() && (txns.size() != txnCount || txns.get(txns.size() - 1).zxid() != lastZxid)) {
            throw new IllegalArgumentException("txns disagree with txnCount " + txnCount + " and lastZxid " + lastZxid);
        }
        if (validEndOffset < 0 || validEndOffset > fileBytes) {
            throw new IllegalArgumentException("validEndOffset " + validEndOffset + " outside file of " + fileBytes);
        }
    }

    /** Bytes after the valid data: the torn tail's size, or the zeros of a CLEAN preallocated file. */
    public int tailBytes() {
        return fileBytes - validEndOffset;
    }

    /** The same result listing {@code records} (what a streaming scan handed out). */
    ScanResult withTxns(List<TxnEnvelope> records) {
        return new ScanResult(fileName, header, records, txnCount, lastZxid, validEndOffset, tail, fileBytes, reason);
    }

    /** Throws when the file is CORRUPT; returns this otherwise, so callers can chain. */
    public ScanResult requireNotCorrupt() throws CorruptLogException {
        if (tail == Tail.CORRUPT) {
            throw new CorruptLogException(fileName, validEndOffset, reason);
        }
        return this;
    }
}
