package io.paddock.core.storage;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.JuteWriter;

/**
 * The transaction log file format (ours, not ZooKeeper's). All integers are big-endian.
 *
 * <pre>
 * header (20 bytes):  magic "PDKL" | version int | baseZxid long | headerCrc int
 *                     (headerCrc = CRC32C of the 16 bytes before it; baseZxid = zxid of the first record)
 * record, repeated:   length int | crc int | payload (length bytes)
 *                     (payload = {@link TxnCodec} bytes of one envelope; crc = CRC32C of the payload)
 * then:               zeros up to the end of the file (the server preallocates with zeros) or EOF
 * </pre>
 *
 * There is no epoch field: it is the high 32 bits of every zxid. A zero length marks the end of
 * data because no record has an empty payload. Zxids strictly increase within a file. How a
 * reader tells a torn tail from corruption is the job of {@link LogScanner}.
 *
 * <p>The server appends {@link #record} bytes (or several, batched with {@link #writeRecord})
 * in order and fsyncs; a record is committed once an fsync covering it returned. It must write
 * the header and fsync it with the first record, and preallocate only with zeros.
 */
public final class LogFormat {
    /** "PDKL" as a big-endian int. */
    public static final int MAGIC = 0x50444B4C;
    /**
     * The version new log files are written in. 2: a closeSession keeps the paths its leader
     * deleted ({@code TxnCodec}, tag 11). Files of version 1 are read as they are (their
     * closeSessions without paths); a server older than version 2 refuses a version-2 file.
     */
    public static final int VERSION = 2;
    /** The oldest version read. */
    public static final int VERSION_MIN = 1;
    public static final int HEADER_BYTES = 20;
    /** length + crc before every payload. */
    public static final int FRAME_HEADER_BYTES = 8;
    /** The smallest payload: zxid, sessionId, cxid, timeMs and a type tag. */
    public static final int RECORD_BYTES_MIN = 8 + 8 + 4 + 8 + 1;
    /** The largest payload accepted (a multi of many large creates stays far below). */
    public static final int RECORD_BYTES_MAX = 64 * 1024 * 1024;
    /**
     * The unit in which a crash loses unsynced writes: a disk persists a sector whole or not at
     * all. {@link LogScanner} relies on it; the simulated disk must tear at this granularity
     * (or cut the file anywhere when it was growing).
     */
    public static final int SECTOR_BYTES = 512;

    private LogFormat() {}

    public static byte[] header(long baseZxid) {
        return header(VERSION, baseZxid);
    }

    /** The header of a file of {@code version} (tests check files of older versions). */
    static byte[] header(int version, long baseZxid) {
        if (baseZxid <= 0) {
            throw new IllegalArgumentException("baseZxid must be positive: " + baseZxid);
        }
        JuteWriter out = new JuteWriter(HEADER_BYTES);
        out.writeInt(MAGIC).writeInt(version).writeLong(baseZxid);
        out.writeInt(Checksums.crc32c(out.array(), 0, out.size()));
        return out.toByteArray();
    }

    /** One framed record, ready to append. */
    public static byte[] record(TxnEnvelope envelope) {
        JuteWriter out = new JuteWriter(128);
        writeRecord(out, envelope);
        return out.toByteArray();
    }

    /** Appends one framed record to {@code out} (a group-commit batch). */
    public static void writeRecord(JuteWriter out, TxnEnvelope envelope) {
        int start = out.size();
        out.writeInt(0).writeInt(0);
        TxnCodec.write(out, envelope);
        int length = out.size() - start - FRAME_HEADER_BYTES;
        if (length > RECORD_BYTES_MAX) {
            throw new IllegalArgumentException("txn 0x" + Long.toHexString(envelope.zxid()) + " encodes to "
                    + length + " bytes, more than " + RECORD_BYTES_MAX);
        }
        out.putInt(start, length);
        out.putInt(start + 4, Checksums.crc32c(out.array(), start + FRAME_HEADER_BYTES, length));
    }

    /** Reads an int at {@code offset}, big-endian; the caller checks the bounds. */
    static int intAt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff);
    }

    static long longAt(byte[] bytes, int offset) {
        return ((long) intAt(bytes, offset) << 32) | (intAt(bytes, offset + 4) & 0xffffffffL);
    }
}
