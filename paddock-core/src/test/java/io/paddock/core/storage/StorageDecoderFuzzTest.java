package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ScanResult.Tail;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.WireException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the decoders of what the server reads from disk, and proves that only the declared
 * failures escape and that what decodes is what we would have written:
 * <ul>
 * <li>{@link #txnRecord}: {@link TxnCodec#decode} fails only with {@link WireException}; what
 *     decodes re-encodes to exactly the input bytes (TxnCodec promises exact round trips, so a
 *     replica recovered from its log holds the same strings) and holds no null path (replay
 *     would fail on it with a NullPointerException instead of a message naming the file);</li>
 * <li>{@link #logFile}: {@link LogScanner#scan} never throws (it reports CLEAN, TORN_TAIL or
 *     CORRUPT); both of its forms agree; the valid prefix is the header and exactly the records
 *     it lists, and scanning just that prefix is CLEAN with the same records;</li>
 * <li>{@link #snapshotFile}: {@link SnapshotDecoder} fails only with {@link
 *     CorruptSnapshotException}; what decodes re-encodes with {@link SnapshotFormat} to a file
 *     that decodes to the same header, sessions and nodes.</li>
 * </ul>
 * Log records and snapshot frames carry CRC32C checksums that random mutation almost never gets
 * right, which would keep the fuzzer in front of the first checksum. The {@code ...WithValidCrcs}
 * targets therefore fix every checksum of the input first (header, record and frame CRCs and the
 * snapshot's whole-file CRC), so the fuzzer reaches the decoding behind them; the plain targets
 * keep covering damaged checksums.
 */
class StorageDecoderFuzzTest {
    private static final String LOG_FILE = "log.fuzz";
    private static final String SNAPSHOT_FILE = "snapshot.fuzz";

    @FuzzTest(maxDuration = "10m")
    void txnRecord(byte[] bytes) {
        TxnEnvelope envelope;
        try {
            envelope = TxnCodec.decode(bytes);
        } catch (WireException declared) {
            return;
        }
        assertNoNullPath(envelope.txn());
        assertArrayEquals(bytes, TxnCodec.encode(envelope), "a decoded txn re-encodes differently");
    }

    @FuzzTest(maxDuration = "10m")
    void logFile(byte[] file) {
        checkLogScan(file);
    }

    @FuzzTest(maxDuration = "10m")
    void logFileWithValidCrcs(byte[] file) {
        checkLogScan(withValidLogCrcs(file));
    }

    @FuzzTest(maxDuration = "10m")
    void snapshotFile(byte[] file) {
        checkSnapshotDecode(file);
    }

    @FuzzTest(maxDuration = "10m")
    void snapshotFileWithValidCrcs(byte[] file) {
        checkSnapshotDecode(withValidSnapshotCrcs(file));
    }

    private static void checkLogScan(byte[] file) {
        ScanResult listed = LogScanner.scan(file, LOG_FILE);
        List<TxnEnvelope> handedOut = new ArrayList<>();
        ScanResult streamed = LogScanner.scan(file, LOG_FILE, handedOut::add);
        assertEquals(listed.tail(), streamed.tail());
        assertEquals(listed.validEndOffset(), streamed.validEndOffset());
        assertEquals(listed.txnCount(), streamed.txnCount());
        assertEquals(listed.lastZxid(), streamed.lastZxid());
        assertEquals(listed.txns(), handedOut, "the streaming scan handed out other records");
        assertEquals(listed.txnCount(), listed.txns().size());
        assertEquals(file.length, listed.fileBytes());
        if (listed.header() == null) {
            assertEquals(0, listed.txnCount(), "records without a header");
            return;
        }
        JuteWriter prefix = new JuteWriter();
        prefix.writeRaw(LogFormat.header(listed.header().version(), listed.header().baseZxid()), 0, LogFormat.HEADER_BYTES);
        for (TxnEnvelope txn : listed.txns()) {
            assertNoNullPath(txn.txn());
            LogFormat.writeRecord(prefix, txn);
        }
        assertArrayEquals(Arrays.copyOf(file, listed.validEndOffset()), prefix.toByteArray(),
                "the valid prefix is not the header and the listed records");
        ScanResult again = LogScanner.scan(prefix.toByteArray(), LOG_FILE);
        assertEquals(Tail.CLEAN, again.tail(), () -> "the valid prefix alone is not clean: " + again.reason());
        assertEquals(listed.txns(), again.txns());
    }

    private static void checkSnapshotDecode(byte[] file) {
        Collected first = new Collected();
        try {
            SnapshotDecoder.decode(ByteSource.of(file), SNAPSHOT_FILE, first);
        } catch (CorruptSnapshotException declared) {
            assertHeaderReadAgrees(file, null);
            return;
        }
        assertHeaderReadAgrees(file, first.header);
        byte[] reencoded = SnapshotFormat.encode(new ListSnapshotSource(first.header.lastZxid(),
                first.header.timeMs(), first.sessions, first.nodes));
        Collected second = new Collected();
        try {
            SnapshotDecoder.decode(ByteSource.of(reencoded), SNAPSHOT_FILE, second);
        } catch (CorruptSnapshotException e) {
            throw new AssertionError("a re-encoded snapshot does not decode", e);
        }
        assertEquals(first.header, second.header);
        assertEquals(first.sessions, second.sessions);
        assertEquals(first.nodes, second.nodes);
    }

    /** readHeader fails only as declared, and agrees with a full decode when that succeeded. */
    private static void assertHeaderReadAgrees(byte[] file, SnapshotHeader decoded) {
        SnapshotHeader header;
        try {
            header = SnapshotDecoder.readHeader(ByteSource.of(file), SNAPSHOT_FILE);
        } catch (CorruptSnapshotException declared) {
            assertNull(decoded, "readHeader refused a snapshot that decodes");
            return;
        }
        if (decoded != null) {
            assertEquals(decoded, header);
        }
    }

    private static void assertNoNullPath(Txn txn) {
        String path = null;
        if (txn instanceof Txn.Create t) {
            path = t.path();
        } else if (txn instanceof Txn.Delete t) {
            path = t.path();
        } else if (txn instanceof Txn.SetData t) {
            path = t.path();
        } else if (txn instanceof Txn.SetAcl t) {
            path = t.path();
        } else if (txn instanceof Txn.Check t) {
            path = t.path();
        } else if (txn instanceof Txn.Multi t) {
            t.txns().forEach(StorageDecoderFuzzTest::assertNoNullPath);
            return;
        } else {
            return;
        }
        assertNotNull(path, () -> "decoded a txn with a null path: " + txn);
    }

    /** What a decode handed to its sink. */
    private static final class Collected implements SnapshotSink {
        SnapshotHeader header;
        final List<SnapshotSession> sessions = new ArrayList<>();
        final List<SnapshotNode> nodes = new ArrayList<>();

        @Override
        public void header(SnapshotHeader h) {
            header = h;
        }

        @Override
        public void session(SnapshotSession session) {
            sessions.add(session);
        }

        @Override
        public void node(SnapshotNode node) {
            nodes.add(node);
        }
    }

    /** A copy of {@code file} with the header CRC and every complete record's CRC made right. */
    static byte[] withValidLogCrcs(byte[] file) {
        byte[] out = file.clone();
        if (out.length < LogFormat.HEADER_BYTES) {
            return out;
        }
        putInt(out, 16, Checksums.crc32c(out, 0, 16));
        int pos = LogFormat.HEADER_BYTES;
        while (pos + LogFormat.FRAME_HEADER_BYTES <= out.length) {
            int length = LogFormat.intAt(out, pos);
            if (length <= 0 || length > out.length - pos - LogFormat.FRAME_HEADER_BYTES) {
                break;
            }
            putInt(out, pos + 4, Checksums.crc32c(out, pos + LogFormat.FRAME_HEADER_BYTES, length));
            pos += LogFormat.FRAME_HEADER_BYTES + length;
        }
        return out;
    }

    /**
     * A copy of {@code file} with every complete frame's CRC made right, and an END frame's
     * whole-file CRC too (set before that frame's own CRC, which covers it).
     */
    static byte[] withValidSnapshotCrcs(byte[] file) {
        byte[] out = file.clone();
        int pos = SnapshotFormat.PREAMBLE_BYTES;
        while (pos + SnapshotFormat.FRAME_HEADER_BYTES <= out.length) {
            int length = LogFormat.intAt(out, pos);
            int payload = pos + SnapshotFormat.FRAME_HEADER_BYTES;
            if (length <= 0 || length > out.length - payload) {
                break;
            }
            if (out[payload] == SnapshotFormat.FRAME_END && length == 13) {
                putInt(out, payload + 9, Checksums.crc32c(out, 0, pos));
            }
            putInt(out, pos + 4, Checksums.crc32c(out, payload, length));
            pos = payload + length;
        }
        return out;
    }

    private static void putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }
}
