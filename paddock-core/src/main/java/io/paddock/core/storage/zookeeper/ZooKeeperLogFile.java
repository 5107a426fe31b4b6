package io.paddock.core.storage.zookeeper;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptLogException;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import java.util.function.Consumer;
import java.util.zip.Adler32;

/**
 * Reads one of ZooKeeper's transaction log files ({@code FileTxnLog}), every byte untrusted.
 *
 * <pre>
 * header:           magic "ZKLG" int | version int (2) | dbid long
 * record, repeated: crc long (Adler32 of the txn bytes) | length int | txn bytes | 0x42 ('B')
 *                   (txn bytes: TxnHeader, the txn record, optionally a TxnDigest; the bytes a
 *                   PROPOSAL carries, read by {@link ZabTxnCodec})
 * then:             zeros up to the end of the file (ZooKeeper preallocates 64 MiB at a time)
 * </pre>
 *
 * Where the data ends follows ZooKeeper's own reader ({@code FileTxnIterator.next}) where that is
 * safe, and {@code storage.LogScanner}'s rule where it is not: <b>a record may be dropped only if
 * a crash can leave it so from a write that was never synced</b> (a crash leaves a record's last
 * bytes zero or cuts the file; it never writes other bytes, nor a longer length than was written).
 * <ul>
 *   <li>a length of 0 with only zeros after it (ZooKeeper's preallocation), or the end of the file
 *       right after a whole record: the clean end;</li>
 *   <li>the file ending inside a record, or a whole record whose end mark is 0 with only zeros
 *       after it: torn, the end (ZooKeeper ends there too);</li>
 *   <li>corrupt ({@link CorruptLogException}), where ZooKeeper would drop the rest silently or
 *       refuses too: a length of 0 with data after it; a length outside [1, {@code
 *       recordBytesMax}] (ZooKeeper: "Unreasonable length"); an end mark that is neither 'B' nor
 *       a zero before only zeros; a checksum that does not match (ZooKeeper: "CRC check
 *       failed"); a record cut short whose checksum matches a shorter prefix followed by 'B' (its
 *       length field was damaged: the record was whole); a transaction Paddock does not carry
 *       (reconfig, one type of ZooKeeper's dynamic reconfiguration) or cannot decode; a zxid not
 *       above the one before it in the file (ZooKeeper only logs that one).</li>
 * </ul>
 * A file shorter than its header, or all zeros, holds nothing (ZooKeeper died creating it);
 * another magic or version is refused.
 */
public final class ZooKeeperLogFile {
    /** ZooKeeper's end-of-record mark ({@code Util.writeTxnBytes}). */
    static final byte END_OF_RECORD = 0x42;
    /** crc long + length int. */
    private static final int RECORD_HEAD_BYTES = 12;
    private static final String LENGTH_DAMAGED = "length field damaged: the record's checksum matches a shorter"
            + " length followed by its end mark";

    /** How the file's data ended. */
    public enum End {
        /** No header: an empty or all-zero file, or one shorter than the header with only zeros. */
        NO_HEADER,
        /** A zero length, or the end of the file, right after a whole record. */
        CLEAN,
        /** A record cut off by the end of the file or followed only by zeros (see the class comment). */
        TORN
    }

    /**
     * What a file held.
     *
     * @param endOffset where the data ended (the torn record's start, for {@link End#TORN})
     * @param tornReason why the last record was not taken, for {@link End#TORN}; else null
     */
    public record Summary(int records, long firstZxid, long lastZxid, End end, long endOffset, String tornReason) {}

    /**
     * ZooKeeper's bound on a record's length ({@code BinaryInputArchive.checkLength}): its
     * jute.maxbuffer plus the extra it allows (at least 1024 bytes); never more than our own log
     * takes ({@link LogFormat#RECORD_BYTES_MAX}), which the import writes it into.
     */
    public static int recordBytesMax(int juteMaxBuffer) {
        return (int) Math.min(LogFormat.RECORD_BYTES_MAX, (long) juteMaxBuffer + Math.max(1024, juteMaxBuffer));
    }

    private ZooKeeperLogFile() {}

    /**
     * Whether a prefix of the {@code held} bytes at {@code from}, shorter than them, has the
     * checksum {@code crc} and is followed by the end mark: a whole record under a length field
     * that damage made longer (a crash never does).
     */
    static boolean wholeUnderADamagedLength(byte[] buf, int from, int held, long crc) {
        Adler32 adler = new Adler32();
        for (int n = 1; n < held; n++) {
            adler.update(buf[from + n - 1]);
            if (buf[from + n] == END_OF_RECORD && adler.getValue() == crc) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads every record of the file, handing each transaction to {@code out} in file order (so a
     * caller streams them on; a damaged file may have handed out records before the damage).
     *
     * @throws CorruptLogException when the file is not a ZooKeeper log or holds damage (see the
     *     class comment), naming {@code fileName} and the offset
     */
    public static Summary read(ByteSource source, String fileName, int recordBytesMax, Consumer<TxnEnvelope> out)
            throws CorruptLogException {
        SourceReader in = new SourceReader(source, false);
        if (!in.ensure(ZooKeeperFiles.HEADER_BYTES)) {
            if (in.restIsZero()) {
                return new Summary(0, 0, 0, End.NO_HEADER, 0, null);
            }
            throw new CorruptLogException(fileName, 0, "shorter than a ZooKeeper log's " + ZooKeeperFiles.HEADER_BYTES
                    + "-byte header");
        }
        int magic = in.intAt(0);
        int version = in.intAt(4);
        if (magic == 0 && version == 0 && in.longAt(8) == 0 && in.restIsZero()) {
            return new Summary(0, 0, 0, End.NO_HEADER, 0, null);
        }
        if (magic != ZooKeeperFiles.LOG_MAGIC) {
            throw new CorruptLogException(fileName, 0, "not a ZooKeeper transaction log: magic 0x"
                    + Integer.toHexString(magic) + ", not 0x" + Integer.toHexString(ZooKeeperFiles.LOG_MAGIC) + " (ZKLG)");
        }
        if (version != ZooKeeperFiles.VERSION) {
            throw new CorruptLogException(fileName, 4, "ZooKeeper log version " + version + "; only "
                    + ZooKeeperFiles.VERSION + " is read");
        }
        in.consume(ZooKeeperFiles.HEADER_BYTES);
        int records = 0;
        long first = 0;
        long last = 0;
        // Each pass consumes at least one record's head and end mark, so the file's length bounds the loop.
        while (true) {
            long at = in.offset();
            if (!in.ensure(RECORD_HEAD_BYTES)) {
                boolean zeros = in.restIsZero();
                return new Summary(records, first, last, zeros ? End.CLEAN : End.TORN, at,
                        zeros ? null : "the file ends inside a record's checksum and length");
            }
            long crc = in.takeLong();
            int length = in.takeInt();
            if (length == 0) {
                if (!in.restIsZero()) {
                    throw new CorruptLogException(fileName, at, "a record of length 0 with data after it (ZooKeeper"
                            + " would drop the rest of the file silently)");
                }
                return new Summary(records, first, last, End.CLEAN, at, null);
            }
            if (length < 0 || length > recordBytesMax) {
                throw new CorruptLogException(fileName, at, "record length " + length + " outside [1, " + recordBytesMax
                        + "] (ZooKeeper refuses it too: Unreasonable length; a larger jute.maxbuffer raises the bound)");
            }
            if (!in.ensure(length + 1)) {
                int held = in.available();
                if (wholeUnderADamagedLength(in.array(), in.position(), held, crc)) {
                    throw new CorruptLogException(fileName, at, LENGTH_DAMAGED);
                }
                return new Summary(records, first, last, End.TORN, at, "the file ends inside a record of "
                        + length + " bytes");
            }
            byte[] bytes = new byte[length];
            System.arraycopy(in.array(), in.position(), bytes, 0, length);
            byte mark = in.array()[in.position() + length];
            if (mark != END_OF_RECORD) {
                if (mark == 0 && wholeUnderADamagedLength(bytes, 0, length, crc)) {
                    throw new CorruptLogException(fileName, at, LENGTH_DAMAGED);
                }
                in.consume(length + 1);
                if (mark == 0 && in.restIsZero()) {
                    return new Summary(records, first, last, End.TORN, at, "a record whose last byte, its end mark,"
                            + " is still zero");
                }
                throw new CorruptLogException(fileName, at, "a record without its end mark (0x"
                        + Integer.toHexString(mark & 0xff) + ", not 0x42)" + (mark == 0 ? ", with data after it" : ""));
            }
            in.consume(length + 1);
            Adler32 adler = new Adler32();
            adler.update(bytes, 0, length);
            if (adler.getValue() != crc) {
                throw new CorruptLogException(fileName, at, "checksum 0x" + Long.toHexString(crc)
                        + " does not match the record's 0x" + Long.toHexString(adler.getValue())
                        + " (ZooKeeper refuses this file too: CRC check failed)");
            }
            TxnEnvelope txn;
            try {
                txn = ZabTxnCodec.decode(bytes).envelope();
            } catch (PeerProtocolException e) {
                throw new CorruptLogException(fileName, at, "a transaction Paddock cannot read: " + e.getMessage());
            }
            if (records > 0 && txn.zxid() <= last) {
                throw new CorruptLogException(fileName, at, "zxid 0x" + Long.toHexString(txn.zxid())
                        + " after 0x" + Long.toHexString(last) + " in the same file");
            }
            if (records == 0) {
                first = txn.zxid();
            }
            last = txn.zxid();
            records++;
            out.accept(txn);
        }
    }
}
