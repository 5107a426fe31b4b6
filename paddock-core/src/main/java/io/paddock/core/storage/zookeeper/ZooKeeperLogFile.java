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
 * Where the data ends, as ZooKeeper's own reader ({@code FileTxnIterator.next}) decides, with one
 * difference where ZooKeeper would drop data silently:
 * <ul>
 *   <li>a length of 0 (the preallocated zeros): the end. Non-zero bytes after it are reported
 *       ({@link Summary#ignoredAfterEnd()}: ZooKeeper ignores them too, and so do we, saying
 *       so);</li>
 *   <li>the file ending inside a record (a write cut by a crash): the end, reported as torn;</li>
 *   <li>a record without its end mark, or with a length outside [1, {@link
 *       LogFormat#RECORD_BYTES_MAX}]: torn, the end, when nothing but zeros follows it (a write
 *       cut by a crash); else {@link CorruptLogException} (ZooKeeper stops at a missing end mark
 *       and drops what follows; we will not drop records that may be committed);</li>
 *   <li>a checksum that does not match: {@link CorruptLogException}, as ZooKeeper refuses to
 *       start ("CRC check failed");</li>
 *   <li>a transaction Paddock does not carry (reconfig, one type of ZooKeeper's dynamic
 *       reconfiguration) or cannot decode, or a zxid not above the one before it in the file:
 *       {@link CorruptLogException} naming it.</li>
 * </ul>
 * A file shorter than its header, or all zeros, holds nothing (ZooKeeper died creating it);
 * another magic or version is refused.
 */
public final class ZooKeeperLogFile {
    /** ZooKeeper's end-of-record mark ({@code Util.writeTxnBytes}). */
    static final byte END_OF_RECORD = 0x42;
    /** crc long + length int. */
    private static final int RECORD_HEAD_BYTES = 12;

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
     * @param ignoredAfterEnd whether non-zero bytes came after a zero length (ignored, as ZooKeeper does)
     */
    public record Summary(int records, long firstZxid, long lastZxid, End end, long endOffset, String tornReason,
                          boolean ignoredAfterEnd) {}

    private ZooKeeperLogFile() {}

    /**
     * Reads every record of the file, handing each transaction to {@code out} in file order (so a
     * caller streams them on; a damaged file may have handed out records before the damage).
     *
     * @throws CorruptLogException when the file is not a ZooKeeper log or holds damage (see the
     *     class comment), naming {@code fileName} and the offset
     */
    public static Summary read(ByteSource source, String fileName, Consumer<TxnEnvelope> out)
            throws CorruptLogException {
        SourceReader in = new SourceReader(source, false);
        if (!in.ensure(ZooKeeperFiles.HEADER_BYTES)) {
            if (in.restIsZero()) {
                return new Summary(0, 0, 0, End.NO_HEADER, 0, null, false);
            }
            throw new CorruptLogException(fileName, 0, "shorter than a ZooKeeper log's " + ZooKeeperFiles.HEADER_BYTES
                    + "-byte header");
        }
        int magic = in.intAt(0);
        int version = in.intAt(4);
        if (magic == 0 && version == 0 && in.longAt(8) == 0 && in.restIsZero()) {
            return new Summary(0, 0, 0, End.NO_HEADER, 0, null, false);
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
                        zeros ? null : "the file ends inside a record's checksum and length", false);
            }
            long crc = in.takeLong();
            int length = in.takeInt();
            if (length == 0) {
                boolean ignored = !in.restIsZero();
                return new Summary(records, first, last, End.CLEAN, at, null, ignored);
            }
            if (length < 0 || length > LogFormat.RECORD_BYTES_MAX) {
                String reason = "record length " + length + " outside [1, " + LogFormat.RECORD_BYTES_MAX + "]";
                if (in.restIsZero()) {
                    return new Summary(records, first, last, End.TORN, at, reason, false);
                }
                throw new CorruptLogException(fileName, at, reason + ", with data after it");
            }
            if (!in.ensure(length + 1)) {
                return new Summary(records, first, last, End.TORN, at, "the file ends inside a record of "
                        + length + " bytes", false);
            }
            byte[] bytes = new byte[length];
            System.arraycopy(in.array(), in.position(), bytes, 0, length);
            byte mark = in.array()[in.position() + length];
            in.consume(length + 1);
            if (mark != END_OF_RECORD) {
                String reason = "a record without its end mark (0x" + Integer.toHexString(mark & 0xff) + ", not 0x42)";
                if (in.restIsZero()) {
                    return new Summary(records, first, last, End.TORN, at, reason, false);
                }
                throw new CorruptLogException(fileName, at, reason + ", with data after it");
            }
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
