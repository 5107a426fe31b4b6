package io.paddock.core.storage.zookeeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptLogException;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.TxnCodec;
import io.paddock.core.wire.JuteWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

/**
 * Fuzzes the readers of ZooKeeper's data files that a server taking over a ZooKeeper server's data
 * runs at start-up (server.storage.ZooKeeperImport), and proves that only the declared failures
 * escape and that what they hand over is what the import can write as our own:
 * <ul>
 * <li>{@link #logFile}, {@link #logFileWithValidChecksums}: {@link ZooKeeperLogFile#read} fails
 *     only with {@link CorruptLogException}; the records it hands out are counted in its summary,
 *     in increasing zxid order, and each goes through our log format and back unchanged; reading
 *     the file in pieces of one to seven bytes gives the same. The second target fixes every
 *     record's Adler32 first, so the fuzzer gets past the checksums to the transactions;</li>
 * <li>{@link #snapshotBody}: the input between a snapshot file's header and its seal, given both
 *     (the seal right): {@link ZooKeeperSnapshotFile#read} fails only with {@link
 *     CorruptSnapshotException}, and a snapshot it reads that can be installed is written in our
 *     format and reads back equal.</li>
 * </ul>
 */
class ZooKeeperFileFuzzTest {
    private static final int MAX = ZooKeeperLogFile.recordBytesMax(0xfffff);
    private static final String LOG = "log.fuzz";
    private static final String SNAPSHOT = "snapshot.5";

    @FuzzTest(maxDuration = "10m")
    void logFile(byte[] file) {
        checkLog(file);
    }

    @FuzzTest(maxDuration = "10m")
    void logFileWithValidChecksums(byte[] file) {
        checkLog(withValidChecksums(file));
    }

    @FuzzTest(maxDuration = "10m")
    void snapshotBody(byte[] body) {
        JuteWriter file = new JuteWriter(body.length + 64);
        file.writeInt(ZooKeeperFiles.SNAP_MAGIC).writeInt(ZooKeeperFiles.VERSION).writeLong(-1);
        file.writeRaw(body, 0, body.length);
        Adler32 seal = new Adler32();
        seal.update(file.array(), 0, file.size());
        file.writeLong(seal.getValue()).writeInt(1);
        file.writeRaw(new byte[] {'/'}, 0, 1);
        SnapshotData data;
        try {
            data = ZooKeeperSnapshotFile.read(ByteSource.of(file.toByteArray()), SNAPSHOT, 5, 0, 1 << 24, 1 << 16);
        } catch (CorruptSnapshotException declared) {
            return;
        }
        if (data.installProblem() != null) {
            return; // the import refuses it (and tries an older snapshot)
        }
        SnapshotData again;
        try {
            again = SnapshotData.decode(SnapshotFormat.encode(data.asSource()), "again");
        } catch (CorruptSnapshotException e) {
            throw new AssertionError("a ZooKeeper snapshot written in our format does not read back", e);
        }
        assertEquals(data.header(), again.header());
        assertEquals(data.sessions(), again.sessions());
        assertEquals(data.nodes(), again.nodes());
    }

    private static void checkLog(byte[] file) {
        List<TxnEnvelope> handed = new ArrayList<>();
        Object whole = read(ByteSource.of(file), handed);
        List<TxnEnvelope> inPieces = new ArrayList<>();
        Object pieces = read(piecewise(file), inPieces);
        assertEquals(whole, pieces, "read whole and in pieces");
        assertEquals(encoded(handed), encoded(inPieces));
        if (whole instanceof ZooKeeperLogFile.Summary s) {
            assertEquals(s.records(), handed.size());
            if (!handed.isEmpty()) {
                assertEquals(handed.get(0).zxid(), s.firstZxid());
                assertEquals(handed.get(handed.size() - 1).zxid(), s.lastZxid());
            }
        }
        for (int i = 0; i < handed.size(); i++) {
            TxnEnvelope txn = handed.get(i);
            assertTrue(i == 0 || txn.zxid() > handed.get(i - 1).zxid(), "zxids increase");
            byte[] ours = TxnCodec.encode(txn);
            LogFormat.record(txn);
            assertArrayEquals(ours, TxnCodec.encode(TxnCodec.decode(ours)), "through our log format and back");
        }
    }

    /** The summary, or the declared failure's offset and reason. */
    private static Object read(ByteSource source, List<TxnEnvelope> out) {
        try {
            return ZooKeeperLogFile.read(source, LOG, MAX, out::add);
        } catch (CorruptLogException declared) {
            return declared.offset() + " " + declared.reason();
        }
    }

    private static List<String> encoded(List<TxnEnvelope> txns) {
        List<String> out = new ArrayList<>();
        for (TxnEnvelope t : txns) {
            out.add(java.util.HexFormat.of().formatHex(TxnCodec.encode(t)));
        }
        return out;
    }

    /** The file handed over one to seven bytes at a time. */
    private static ByteSource piecewise(byte[] file) {
        return new ByteSource() {
            private int pos;

            @Override
            public int read(byte[] dst, int offset, int length) {
                if (pos == file.length) {
                    return -1;
                }
                int n = Math.min(Math.min(length, 1 + pos % 7), file.length - pos);
                System.arraycopy(file, pos, dst, offset, n);
                pos += n;
                return n;
            }
        };
    }

    /** The file with every record's checksum made right, as far as its lengths lead. */
    static byte[] withValidChecksums(byte[] file) {
        byte[] out = file.clone();
        int p = ZooKeeperFiles.HEADER_BYTES;
        while (p + 12 <= out.length) {
            int length = ((out[p + 8] & 0xff) << 24) | ((out[p + 9] & 0xff) << 16) | ((out[p + 10] & 0xff) << 8)
                    | (out[p + 11] & 0xff);
            if (length <= 0 || (long) p + 12 + length + 1 > out.length) {
                break;
            }
            Adler32 crc = new Adler32();
            crc.update(out, p + 12, length);
            long v = crc.getValue();
            for (int i = 0; i < 8; i++) {
                out[p + i] = (byte) (v >>> (56 - 8 * i));
            }
            p += 12 + length + 1;
        }
        return out;
    }
}
