package io.paddock.core.storage;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ScanResult.Tail;
import io.paddock.core.wire.WireException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads a log file ({@link LogFormat}) and decides where its valid data ends and whether what
 * follows is harmless. The one rule behind every case: <b>a region may be dropped only if a
 * crash can produce it from records that were never fsynced</b>; anything else is CORRUPT, because
 * dropping a committed transaction on one server can lose it for the whole ensemble.
 *
 * <p>The crash model (what {@link LogFormat} asks of the writer): records are appended in order
 * into a zero-preallocated file, and a crash loses unsynced writes in whole sectors ({@link
 * LogFormat#SECTOR_BYTES}): each unsynced sector is either on disk as written or still zero, and
 * a growing file may end anywhere. A crash never changes bytes into other non-zero bytes.
 *
 * <p>Records are read while complete, CRC-valid, decodable and in zxid order (the first equal to
 * the header's baseZxid, each next one larger). At the first record that is not, at offset p:
 * <ol>
 * <li>nothing but zeros from p to EOF (or nothing at all): CLEAN. A zero length field is the end
 *     of data in a preallocated file, as long as only zeros follow it;</li>
 * <li>fewer than 8 bytes left, not all zero: TORN_TAIL (a frame header cut by EOF);</li>
 * <li>length 0 with a non-zero byte after it: CORRUPT (a hole before data; see below);</li>
 * <li>length outside [RECORD_BYTES_MIN, RECORD_BYTES_MAX]: CORRUPT. A lost sector only zeroes
 *     bytes of a real length, which gives 0 or a value we could have written;</li>
 * <li>length running past EOF: TORN_TAIL (the file was cut while growing), unless the length
 *     field itself was changed (see the length check below): CORRUPT;</li>
 * <li>complete record, bad CRC, a non-zero byte anywhere after it: CORRUPT (damage before more
 *     data);</li>
 * <li>complete record, bad CRC, only zeros or EOF after it: CORRUPT if the length field was
 *     changed; else TORN_TAIL if some sector it spans is zero over the whole part the record
 *     covers (a lost sector: the length and first bytes reached the disk, a later sector did
 *     not); else CORRUPT (bytes were changed, not lost: bit rot in what may be the last committed
 *     record). A flipped byte in the last record is therefore CORRUPT, not torn;</li>
 * <li>complete record with a valid CRC that does not decode, or whose zxid does not follow:
 *     CORRUPT, always (we wrote it whole, so it is a bug or a foreign file, never a tear).</li>
 * </ol>
 * The length check: a crash cannot leave a longer length than was written, so if the stored CRC
 * matches a shorter prefix of the bytes after the frame header, the length field was changed by
 * damage (a flipped bit that makes a committed record look cut off or zero-padded): CORRUPT.
 *
 * <p>Rules 3 and 6 also catch a crash that persisted a later unsynced sector but not an earlier
 * one (out-of-order writeback). That is reported as CORRUPT on purpose: we cannot tell it from
 * damage followed by committed records, and an operator can cut the file after checking the
 * peers. Residual risk of rule 7: a bit flip in a last record that also holds a sector-sized run
 * of zeros (or whose final sector holds only zero bytes of it) is taken for a torn write.
 *
 * <p>Header: an empty file, or one that is all zeros, or shorter than the header with only a
 * prefix of the magic, has no header (header null; CLEAN when empty, else TORN_TAIL). A bad
 * magic, version, header CRC or baseZxid is CORRUPT at offset 0.
 */
public final class LogScanner {
    private static final byte[] MAGIC_BYTES = {'P', 'D', 'K', 'L'};
    private static final String LENGTH_DAMAGED =
            "length field damaged: the record's CRC matches a shorter length";

    private LogScanner() {}

    /** Scans a whole file; the result lists every valid record. */
    public static ScanResult scan(byte[] fileBytes, String fileName) {
        List<TxnEnvelope> txns = new ArrayList<>();
        ScanResult result = scan(fileBytes, fileName, txns::add);
        return result.withTxns(txns);
    }

    /**
     * Scans a whole file and hands each valid record to {@code onRecord} as soon as it is read,
     * in order, so a caller can replay a large log without holding it decoded; the result's
     * {@code txns} is then empty (its count and last zxid are set). Records come before the
     * verdict: when the result is CORRUPT, the caller must throw away what it built from them.
     */
    public static ScanResult scan(byte[] fileBytes, String fileName, Consumer<TxnEnvelope> onRecord) {
        ScanResult headerProblem = checkHeader(fileBytes, fileName);
        if (headerProblem != null) {
            return headerProblem;
        }
        LogHeader header = new LogHeader(LogFormat.intAt(fileBytes, 4), LogFormat.longAt(fileBytes, 8));
        return new Scan(fileBytes, fileName, header, onRecord).run();
    }

    /** A result when the header is missing or bad, null when it is fine. */
    private static ScanResult checkHeader(byte[] bytes, String fileName) {
        int n = bytes.length;
        if (n == 0) {
            return noHeader(bytes, fileName, Tail.CLEAN, "");
        }
        if (Checksums.allZero(bytes, 0, n)) {
            return noHeader(bytes, fileName, Tail.TORN_TAIL, "file holds only zeros: header never written");
        }
        if (n < LogFormat.HEADER_BYTES) {
            int prefix = Math.min(n, MAGIC_BYTES.length);
            boolean magicPrefix = Arrays.equals(bytes, 0, prefix, MAGIC_BYTES, 0, prefix);
            return magicPrefix ? noHeader(bytes, fileName, Tail.TORN_TAIL, "header cut at " + n + " bytes")
                    : noHeader(bytes, fileName, Tail.CORRUPT, "not a paddock log: bad magic");
        }
        String problem = headerProblem(bytes);
        return problem == null ? null : noHeader(bytes, fileName, Tail.CORRUPT, problem);
    }

    private static String headerProblem(byte[] bytes) {
        if (Checksums.allZero(bytes, 0, LogFormat.HEADER_BYTES)) {
            return "zero header followed by data";
        }
        if (LogFormat.intAt(bytes, 0) != LogFormat.MAGIC) {
            return "not a paddock log: bad magic 0x" + Integer.toHexString(LogFormat.intAt(bytes, 0));
        }
        if (LogFormat.intAt(bytes, 16) != Checksums.crc32c(bytes, 0, 16)) {
            return "header CRC mismatch";
        }
        int version = LogFormat.intAt(bytes, 4);
        if (version < LogFormat.VERSION_MIN || version > LogFormat.VERSION) {
            return "unsupported log format version " + LogFormat.intAt(bytes, 4);
        }
        if (LogFormat.longAt(bytes, 8) <= 0) {
            return "baseZxid not positive";
        }
        return null;
    }

    private static ScanResult noHeader(byte[] bytes, String fileName, Tail tail, String reason) {
        return new ScanResult(fileName, null, List.of(), 0, 0, 0, tail, bytes.length, reason);
    }

    /** One scan over the records of a file with a good header. */
    private static final class Scan {
        private final byte[] bytes;
        private final String fileName;
        private final LogHeader header;
        private final Consumer<TxnEnvelope> onRecord;
        private int txnCount;
        private long lastZxid;
        private int pos = LogFormat.HEADER_BYTES;

        Scan(byte[] bytes, String fileName, LogHeader header, Consumer<TxnEnvelope> onRecord) {
            this.bytes = bytes;
            this.fileName = fileName;
            this.header = header;
            this.onRecord = onRecord;
        }

        ScanResult run() {
            while (true) {
                ScanResult stop = readRecord();
                if (stop != null) {
                    return stop;
                }
            }
        }

        /** Reads the record at pos and advances, or returns how the scan ends there. */
        private ScanResult readRecord() {
            int left = bytes.length - pos;
            if (Checksums.allZero(bytes, pos, bytes.length)) {
                return end(Tail.CLEAN, "");
            }
            if (left < LogFormat.FRAME_HEADER_BYTES) {
                return end(Tail.TORN_TAIL, "record header cut by end of file");
            }
            int length = LogFormat.intAt(bytes, pos);
            if (length == 0) {
                return end(Tail.CORRUPT, "zero length followed by non-zero data");
            }
            if (length < LogFormat.RECORD_BYTES_MIN || length > LogFormat.RECORD_BYTES_MAX) {
                return end(Tail.CORRUPT, "impossible record length " + length);
            }
            int payloadStart = pos + LogFormat.FRAME_HEADER_BYTES;
            int storedCrc = LogFormat.intAt(bytes, pos + 4);
            if (length > left - LogFormat.FRAME_HEADER_BYTES) {
                if (crcMatchesShorterPrefix(payloadStart, storedCrc, left - LogFormat.FRAME_HEADER_BYTES)) {
                    return end(Tail.CORRUPT, LENGTH_DAMAGED);
                }
                return end(Tail.TORN_TAIL, "record of " + length + " bytes cut by end of file");
            }
            int recordEnd = payloadStart + length;
            if (storedCrc != Checksums.crc32c(bytes, payloadStart, length)) {
                return badCrc(payloadStart, storedCrc, recordEnd);
            }
            return accept(payloadStart, length, recordEnd);
        }

        private ScanResult badCrc(int payloadStart, int storedCrc, int recordEnd) {
            if (!Checksums.allZero(bytes, recordEnd, bytes.length)) {
                return end(Tail.CORRUPT, "CRC mismatch in a record followed by more data");
            }
            if (crcMatchesShorterPrefix(payloadStart, storedCrc, recordEnd - payloadStart - 1)) {
                return end(Tail.CORRUPT, LENGTH_DAMAGED);
            }
            if (spansLostSector(pos, recordEnd)) {
                return end(Tail.TORN_TAIL, "last record has a zero sector: unfinished write");
            }
            return end(Tail.CORRUPT, "CRC mismatch in the last record with no lost sector: changed bytes");
        }

        private ScanResult accept(int payloadStart, int length, int recordEnd) {
            TxnEnvelope envelope;
            try {
                envelope = TxnCodec.decode(bytes, payloadStart, length);
            } catch (WireException e) {
                return end(Tail.CORRUPT, "record with a valid CRC does not decode: " + e.getMessage());
            }
            boolean first = txnCount == 0;
            long expected = first ? header.baseZxid() : lastZxid + 1;
            boolean inOrder = first ? envelope.zxid() == expected : envelope.zxid() >= expected;
            if (!inOrder) {
                return end(Tail.CORRUPT, "zxid 0x" + Long.toHexString(envelope.zxid()) + " out of order (expected "
                        + (first ? "" : "at least ") + "0x" + Long.toHexString(expected) + ")");
            }
            txnCount++;
            lastZxid = envelope.zxid();
            pos = recordEnd;
            onRecord.accept(envelope);
            return null;
        }

        /**
         * True if the CRC of some prefix of the payload bytes, at least a record long and at most
         * {@code lengthMax}, equals the stored CRC: the record was written whole with a shorter
         * length, so its length field changed afterwards. One pass, O(lengthMax).
         */
        private boolean crcMatchesShorterPrefix(int payloadStart, int storedCrc, int lengthMax) {
            int limit = Math.min(lengthMax, LogFormat.RECORD_BYTES_MAX);
            CRC32C crc = new CRC32C();
            for (int i = 0; i < limit; i++) {
                crc.update(bytes[payloadStart + i]);
                if (i + 1 >= LogFormat.RECORD_BYTES_MIN && (int) crc.getValue() == storedCrc) {
                    return true;
                }
            }
            return false;
        }

        /** True if some sector overlapping [from, to) is zero over the whole overlap. */
        private boolean spansLostSector(int from, int to) {
            int sector = LogFormat.SECTOR_BYTES;
            for (int start = from - from % sector; start < to; start += sector) {
                if (Checksums.allZero(bytes, Math.max(from, start), Math.min(to, start + sector))) {
                    return true;
                }
            }
            return false;
        }

        private ScanResult end(Tail tail, String reason) {
            return new ScanResult(fileName, header, List.of(), txnCount, lastZxid, pos, tail, bytes.length, reason);
        }
    }
}
