package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.ScanResult.Tail;
import io.paddock.core.wire.JuteWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the scanner's rules (see LogScanner): clean files and preallocated zeros are CLEAN; a
 * last record cut at any byte, or missing whole sectors, is a TORN_TAIL with the exact byte count
 * and every earlier record kept; a changed byte anywhere in a middle or last record, a damaged
 * length, a zero length before data, a valid record out of zxid order or a bad header is CORRUPT
 * at the right offset, so no committed record is ever dropped silently. Every case is scanned
 * twice, listing the records and handing them out one by one as read, with the same verdict.
 */
class LogScannerTest {
    private static final long BASE = 0x500000001L;
    private static final String FILE = "log.500000001";

    /** A log file being built: its bytes and where each record starts. */
    private static final class Log {
        final List<TxnEnvelope> txns = new ArrayList<>();
        final List<Integer> starts = new ArrayList<>();
        final JuteWriter out = new JuteWriter();

        Log(long baseZxid, int records) {
            out.writeRaw(LogFormat.header(baseZxid), 0, LogFormat.HEADER_BYTES);
            for (int i = 0; i < records; i++) {
                // Non-zero data and version: no run of zeros a test could mistake for a lost sector.
                byte[] data = new byte[300 + 150 * i];
                Arrays.fill(data, (byte) 'x');
                add(new TxnEnvelope(baseZxid + i, 0x77, i, 1_700_000_000_000L, new Txn.SetData("/n" + i, data, 0x01020304)));
            }
        }

        void add(TxnEnvelope envelope) {
            starts.add(out.size());
            txns.add(envelope);
            LogFormat.writeRecord(out, envelope);
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        int start(int record) {
            return starts.get(record);
        }

        int end(int record) {
            return record + 1 < starts.size() ? starts.get(record + 1) : out.size();
        }
    }

    /** Scans both ways: listing the records, and handing them out as read; both must agree. */
    private static ScanResult scan(byte[] bytes) {
        ScanResult listed = LogScanner.scan(bytes, FILE);
        List<TxnEnvelope> handedOut = new ArrayList<>();
        ScanResult streamed = LogScanner.scan(bytes, FILE, handedOut::add);
        assertEquals(listed.txns(), handedOut, "records handed out while scanning");
        assertEquals(List.of(), streamed.txns(), "a streaming scan keeps no records");
        assertEquals(listed.withTxns(List.of()), streamed.withTxns(List.of()), "same verdict either way");
        assertEquals(listed.txns().size(), listed.txnCount());
        return listed;
    }

    private static byte[] withZeros(byte[] bytes, int zeros) {
        return Arrays.copyOf(bytes, bytes.length + zeros);
    }

    private static void assertStops(ScanResult result, Tail tail, int validEnd, List<TxnEnvelope> kept) {
        assertEquals(tail, result.tail(), result::reason);
        assertEquals(validEnd, result.validEndOffset(), result::reason);
        assertEquals(kept, result.txns());
    }

    @Test
    void cleanFileKeepsEveryRecord() {
        Log log = new Log(BASE, 4);
        ScanResult result = scan(log.bytes());
        assertStops(result, Tail.CLEAN, log.bytes().length, log.txns);
        assertEquals(new LogHeader(LogFormat.VERSION, BASE), result.header());
        assertEquals(0, result.tailBytes());
        assertEquals(BASE + 3, result.lastZxid());
    }

    /**
     * A file written before the log kept a closeSession's paths (version 1) is read as it is, its
     * closeSession without paths; new files are version 2 and keep them.
     */
    @Test
    void aVersionOneFileIsReadAndANewFileKeepsCloseSessionPaths() {
        Log log = new Log(BASE, 2);
        log.add(new TxnEnvelope(BASE + 2, 0x77, 9, 1_700_000_000_000L, new Txn.CloseSession(0x77)));
        byte[] v1 = log.bytes();
        System.arraycopy(LogFormat.header(1, BASE), 0, v1, 0, LogFormat.HEADER_BYTES);
        ScanResult old = scan(v1);
        assertStops(old, Tail.CLEAN, v1.length, log.txns);
        assertEquals(new LogHeader(1, BASE), old.header());

        Log fresh = new Log(BASE, 1);
        fresh.add(new TxnEnvelope(BASE + 1, 0x77, 9, 1_700_000_000_000L,
                new Txn.CloseSession(0x77, List.of("/app/lock-0000000001", "/e"))));
        ScanResult now = scan(fresh.bytes());
        assertStops(now, Tail.CLEAN, fresh.bytes().length, fresh.txns);
        assertEquals(2, LogFormat.VERSION);
        assertEquals(List.of("/app/lock-0000000001", "/e"), ((Txn.CloseSession) now.txns().get(1).txn()).paths());
    }

    @Test
    void preallocatedZerosAfterDataAreClean() {
        Log log = new Log(BASE, 3);
        for (int zeros : new int[] {1, 7, 8, 9, 4096}) {
            ScanResult result = scan(withZeros(log.bytes(), zeros));
            assertStops(result, Tail.CLEAN, log.bytes().length, log.txns);
            assertEquals(zeros, result.tailBytes());
        }
        Log empty = new Log(BASE, 0);
        assertStops(scan(withZeros(empty.bytes(), 4096)), Tail.CLEAN, LogFormat.HEADER_BYTES, List.of());
        assertStops(scan(empty.bytes()), Tail.CLEAN, LogFormat.HEADER_BYTES, List.of());
    }

    @Test
    void everyCutOfTheLastRecordIsATornTail() {
        Log log = new Log(BASE, 3);
        byte[] full = log.bytes();
        int lastStart = log.start(2);
        List<TxnEnvelope> kept = log.txns.subList(0, 2);
        assertStops(scan(Arrays.copyOf(full, lastStart)), Tail.CLEAN, lastStart, kept);
        for (int cut = lastStart + 1; cut < full.length; cut++) {
            ScanResult result = scan(Arrays.copyOf(full, cut));
            // A cut inside the length's leading zero bytes leaves only zeros: the same as preallocation.
            Tail expected = Checksums.allZero(full, lastStart, cut) ? Tail.CLEAN : Tail.TORN_TAIL;
            assertStops(result, expected, lastStart, kept);
            assertEquals(cut - lastStart, result.tailBytes(), "torn bytes when cut at " + cut);
        }
    }

    @Test
    void lastRecordMissingItsLaterSectorsIsATornTail() {
        Log log = new Log(BASE, 3);
        byte[] file = withZeros(log.bytes(), 4096);
        int lastStart = log.start(2);
        List<TxnEnvelope> kept = log.txns.subList(0, 2);
        int firstBoundary = (lastStart / LogFormat.SECTOR_BYTES + 1) * LogFormat.SECTOR_BYTES;
        assertTrue(firstBoundary - lastStart >= LogFormat.FRAME_HEADER_BYTES, "length and crc sit in the first sector");
        int checked = 0;
        for (int boundary = firstBoundary; boundary < log.end(2); boundary += LogFormat.SECTOR_BYTES) {
            byte[] torn = file.clone();
            Arrays.fill(torn, boundary, torn.length, (byte) 0);
            ScanResult result = scan(torn);
            assertStops(result, Tail.TORN_TAIL, lastStart, kept);
            assertEquals(torn.length - lastStart, result.tailBytes());
            checked++;
        }
        assertTrue(checked >= 1, "the last record spans a sector boundary");
    }

    @Test
    void lastRecordWithAHoleButItsEndOnDiskIsATornTail() {
        Log log = new Log(BASE, 5);
        int lastStart = log.start(4);
        int hole = (lastStart / LogFormat.SECTOR_BYTES + 1) * LogFormat.SECTOR_BYTES;
        assertTrue(hole + LogFormat.SECTOR_BYTES < log.end(4), "the hole is inside the last record");
        byte[] file = withZeros(log.bytes(), 1000);
        Arrays.fill(file, hole, hole + LogFormat.SECTOR_BYTES, (byte) 0);
        assertStops(scan(file), Tail.TORN_TAIL, lastStart, log.txns.subList(0, 4));
    }

    @Test
    void aChangedByteInAMiddleRecordIsCorruptAtItsOffset() {
        Log log = new Log(BASE, 3);
        byte[] full = withZeros(log.bytes(), 2048);
        for (int i = log.start(1); i < log.end(1); i++) {
            byte[] damaged = full.clone();
            damaged[i] ^= (byte) 0xff;
            ScanResult result = scan(damaged);
            assertStops(result, Tail.CORRUPT, log.start(1), log.txns.subList(0, 1));
        }
    }

    /**
     * The choice for a complete last record with a bad CRC and only zeros or EOF after it: a crash
     * loses whole sectors, it does not change bytes, so a changed byte with no lost sector is
     * corruption of what may be the last committed record, never a torn write.
     */
    @Test
    void aChangedByteInTheLastRecordIsCorruptNotTorn() {
        Log log = new Log(BASE, 3);
        for (int zeros : new int[] {0, 4096}) {
            byte[] full = withZeros(log.bytes(), zeros);
            for (int i = log.start(2); i < log.end(2); i++) {
                byte[] damaged = full.clone();
                damaged[i] ^= (byte) 0x01;
                int at = i;
                ScanResult result = scan(damaged);
                assertEquals(Tail.CORRUPT, result.tail(), () -> "flip at " + at + " with " + zeros + " zeros: " + result.reason());
                assertEquals(log.start(2), result.validEndOffset());
                assertEquals(log.txns.subList(0, 2), result.txns());
            }
        }
    }

    @Test
    void aLengthMadeLongerIsCorruptEvenAtTheEndOfTheFile() {
        Log log = new Log(BASE, 2);
        byte[] longer = withZeros(log.bytes(), 4096);
        longer[log.start(1) + 2] += 1; // length + 256: the record now reaches into the zeros
        ScanResult result = scan(longer);
        assertStops(result, Tail.CORRUPT, log.start(1), log.txns.subList(0, 1));
        assertTrue(result.reason().contains("length field damaged"), result.reason());
        byte[] pastEof = log.bytes();
        pastEof[log.start(1) + 1] += 1; // length + 65536: runs past the end of the file
        assertStops(scan(pastEof), Tail.CORRUPT, log.start(1), log.txns.subList(0, 1));
    }

    @Test
    void zxidsMustStartAtTheBaseAndStrictlyIncrease() {
        Log repeated = new Log(BASE, 2);
        repeated.add(SampleTxn.at(BASE + 1));
        assertStops(scan(repeated.bytes()), Tail.CORRUPT, repeated.start(2), repeated.txns.subList(0, 2));

        Log backwards = new Log(BASE, 2);
        backwards.add(SampleTxn.at(BASE - 5));
        backwards.add(SampleTxn.at(BASE + 9));
        ScanResult result = scan(backwards.bytes());
        assertStops(result, Tail.CORRUPT, backwards.start(2), backwards.txns.subList(0, 2));
        assertTrue(result.reason().contains("out of order"), result.reason());

        Log newEpoch = new Log(BASE, 2);
        newEpoch.add(SampleTxn.at(0x600000001L));
        assertStops(scan(newEpoch.bytes()), Tail.CLEAN, newEpoch.bytes().length, newEpoch.txns);

        Log wrongBase = new Log(BASE, 0);
        wrongBase.add(SampleTxn.at(BASE + 1));
        assertStops(scan(wrongBase.bytes()), Tail.CORRUPT, LogFormat.HEADER_BYTES, List.of());
    }

    @Test
    void aZeroLengthBeforeMoreDataIsCorrupt() {
        Log log = new Log(BASE, 1);
        log.out.writeLong(0);
        int gap = log.out.size() - 8;
        log.add(SampleTxn.at(BASE + 1));
        assertStops(scan(log.bytes()), Tail.CORRUPT, gap, log.txns.subList(0, 1));
    }

    @Test
    void impossibleLengthsAreCorrupt() {
        for (int length : new int[] {-1, 1, LogFormat.RECORD_BYTES_MIN - 1, LogFormat.RECORD_BYTES_MAX + 1}) {
            Log log = new Log(BASE, 1);
            int end = log.end(0);
            log.out.writeInt(length).writeInt(0);
            assertStops(scan(withZeros(log.bytes(), 100)), Tail.CORRUPT, end, log.txns);
        }
    }

    @Test
    void aRecordWithAValidCrcThatDoesNotDecodeIsCorrupt() {
        Log log = new Log(BASE, 1);
        byte[] payload = new byte[40];
        Arrays.fill(payload, (byte) 0x7f);
        int end = log.end(0);
        log.out.writeInt(payload.length).writeInt(Checksums.crc32c(payload, 0, payload.length)).writeRaw(payload, 0, 40);
        ScanResult result = scan(log.bytes());
        assertStops(result, Tail.CORRUPT, end, log.txns);
        assertTrue(result.reason().contains("does not decode"), result.reason());
    }

    @Test
    void aCutFrameHeaderIsATornTail() {
        Log log = new Log(BASE, 1);
        for (int extra = 1; extra < LogFormat.FRAME_HEADER_BYTES; extra++) {
            byte[] bytes = withZeros(log.bytes(), extra);
            bytes[bytes.length - 1] = 1;
            assertStops(scan(bytes), Tail.TORN_TAIL, log.bytes().length, log.txns);
        }
    }

    @Test
    void headersThatWereNeverWrittenAreNotCorruption() {
        ScanResult empty = scan(new byte[0]);
        assertEquals(Tail.CLEAN, empty.tail());
        assertNull(empty.header());
        ScanResult zeros = scan(new byte[4096]);
        assertEquals(Tail.TORN_TAIL, zeros.tail());
        assertNull(zeros.header());
        assertEquals(4096, zeros.tailBytes());
        byte[] header = LogFormat.header(BASE);
        for (int cut = 1; cut < LogFormat.HEADER_BYTES; cut++) {
            assertEquals(Tail.TORN_TAIL, scan(Arrays.copyOf(header, cut)).tail(), "header cut at " + cut);
        }
    }

    @Test
    void badHeadersAreCorruptAtOffsetZero() {
        byte[] good = new Log(BASE, 2).bytes();
        List<byte[]> bad = new ArrayList<>();
        bad.add("not a log".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < LogFormat.HEADER_BYTES; i++) {
            byte[] damaged = good.clone();
            damaged[i] ^= 0x10;
            bad.add(damaged);
        }
        byte[] zeroHeader = good.clone();
        Arrays.fill(zeroHeader, 0, LogFormat.HEADER_BYTES, (byte) 0);
        bad.add(zeroHeader);
        for (int version : new int[] {LogFormat.VERSION_MIN - 1, LogFormat.VERSION + 1}) {
            byte[] unknown = new JuteWriter().writeInt(LogFormat.MAGIC).writeInt(version).writeLong(BASE).toByteArray();
            bad.add(StorageSamples.concat(unknown, new JuteWriter().writeInt(Checksums.crc32c(unknown, 0, 16)).toByteArray()));
        }
        for (byte[] bytes : bad) {
            ScanResult result = scan(bytes);
            assertEquals(Tail.CORRUPT, result.tail(), result.reason());
            assertEquals(0, result.validEndOffset());
            assertNull(result.header());
        }
    }

    @Test
    void theExceptionNamesTheFileAndTheOffset() throws CorruptLogException {
        Log log = new Log(BASE, 3);
        byte[] damaged = log.bytes();
        damaged[log.start(1) + 20] ^= 1;
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> scan(damaged).requireNotCorrupt());
        assertEquals(FILE, e.fileName());
        assertEquals(log.start(1), e.offset());
        assertTrue(e.getMessage().contains(FILE) && e.getMessage().contains("offset " + log.start(1)), e.getMessage());
        assertEquals(Tail.CLEAN, scan(log.bytes()).requireNotCorrupt().tail());
    }

    /** Small records for order tests. */
    private static final class SampleTxn {
        static TxnEnvelope at(long zxid) {
            return new TxnEnvelope(zxid, 1, 1, 1, new Txn.Delete("/d"));
        }
    }
}
