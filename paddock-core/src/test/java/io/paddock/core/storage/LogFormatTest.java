package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.JuteWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the log's bytes: the header and one framed record against hex computed independently
 * (CRC32C by hand in Python), so an accidental format change fails here before it reaches a disk.
 */
class LogFormatTest {
    @Test
    void headerBytesAreGolden() {
        // "PDKL" | version 2 | baseZxid 0x100000001 | CRC32C of the 16 bytes before
        assertEquals("50444b4c" + "00000002" + "0000000100000001" + "71c84047",
                StorageSamples.hex(LogFormat.header(0x100000001L)));
        assertEquals("50444b4c" + "00000001" + "0000000100000001" + "68674c6e",
                StorageSamples.hex(LogFormat.header(1, 0x100000001L)), "version 1, as files written before");
        assertEquals(LogFormat.HEADER_BYTES, LogFormat.header(1).length);
    }

    @Test
    void recordBytesAreGolden() {
        TxnEnvelope delete = new TxnEnvelope(0x100000001L, 0x1234, 7, 1_700_000_000_000L, new Txn.Delete("/a"));
        // length 35 | CRC32C of payload | zxid | session | cxid | time | tag 4 (delete) | "/a"
        String expected = "00000023" + "c28e5596"
                + "0000000100000001" + "0000000000001234" + "00000007" + "0000018bcfe56800" + "04" + "000000022f61";
        assertEquals(expected, StorageSamples.hex(LogFormat.record(delete)));
    }

    @Test
    void batchedRecordsEqualSingleRecords() {
        List<TxnEnvelope> history = StorageSamples.history(10, 5);
        JuteWriter batch = new JuteWriter();
        byte[][] singles = new byte[history.size()][];
        for (int i = 0; i < history.size(); i++) {
            LogFormat.writeRecord(batch, history.get(i));
            singles[i] = LogFormat.record(history.get(i));
        }
        assertEquals(StorageSamples.hex(StorageSamples.concat(singles)), StorageSamples.hex(batch.toByteArray()));
    }

    @Test
    void refusesANonPositiveBase() {
        assertThrows(IllegalArgumentException.class, () -> LogFormat.header(0));
    }
}
