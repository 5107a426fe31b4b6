package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the operator dump gives one line per transaction or node with the fields an operator
 * looks for (hex zxid and session, cxid, time, type, path, data), a header line and an end line
 * that states the scan's verdict, and that names with control characters cannot break lines.
 */
class StorageDumpTest {
    @Test
    void describesALogOneTxnPerLine() {
        List<TxnEnvelope> txns = List.of(
                new TxnEnvelope(0x200000001L, 0x1234, 7, 1_700_000_000_000L,
                        new Txn.Create("/app", "hello".getBytes(StandardCharsets.UTF_8), Acl.OPEN, NodeKind.EPHEMERAL,
                                0x1234, 0, 1, false)),
                new TxnEnvelope(0x200000002L, 0x1234, 8, 1_700_000_000_001L,
                        new Txn.Multi(List.of(new Txn.SetData("/line\nbreak", new byte[] {0, 1, (byte) 0xff}, 2),
                                new Txn.Delete("/app")))),
                new TxnEnvelope(0x200000003L, 0, 0, 1_700_000_000_002L, new Txn.Error(-101)));
        JuteWriter file = new JuteWriter().writeRaw(LogFormat.header(0x200000001L), 0, LogFormat.HEADER_BYTES);
        txns.forEach(t -> LogFormat.writeRecord(file, t));
        file.writeRaw(new byte[100], 0, 100);
        List<String> lines = StorageDump.describeLog(LogScanner.scan(file.toByteArray(), "log.200000001"));

        assertEquals(5, lines.size(), String.join("\n", lines));
        assertEquals("log log.200000001: format version 2, base zxid 0x200000001, 3 txns, "
                + file.size() + " bytes", lines.get(0));
        assertEquals("0x200000001 session=0x1234 cxid=7 time=1700000000000 (2023-11-14T22:13:20Z) create /app"
                + " kind=EPHEMERAL owner=0x1234 ttl=0ms parentCVersion=1 create2=false acl=[world:anyone:cdrwa]"
                + " data=5 bytes \"hello\"", lines.get(1));
        assertTrue(lines.get(2).endsWith("multi [setData /line\\u000abreak version=2 data=3 bytes 0x0001ff; delete /app]"),
                lines.get(2));
        assertTrue(lines.get(3).endsWith("error code=-101"), lines.get(3));
        assertEquals("end: CLEAN at offset " + (file.size() - 100) + ", 100 bytes after", lines.get(4));
        lines.forEach(line -> assertFalse(line.contains("\n"), line));
    }

    @Test
    void describesTheVerdictOfADamagedLog() {
        JuteWriter file = new JuteWriter().writeRaw(LogFormat.header(5), 0, LogFormat.HEADER_BYTES);
        LogFormat.writeRecord(file, new TxnEnvelope(5, 1, 1, 1, new Txn.CloseSession(1)));
        byte[] torn = java.util.Arrays.copyOf(file.toByteArray(), file.size() - 3);
        List<String> lines = StorageDump.describeLog(LogScanner.scan(torn, "f"));
        assertEquals("end: TORN_TAIL at offset 20, " + (torn.length - 20) + " bytes after: record of 37 bytes cut by"
                + " end of file", lines.get(lines.size() - 1));
    }

    @Test
    void describesASnapshotOneNodePerLine() throws CorruptSnapshotException {
        SnapshotNode root = new SnapshotNode("/", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5);
        SnapshotNode ttl = new SnapshotNode("/t", null, Acl.READ_ONLY, NodeKind.TTL, 0, 9000, 5, 6, 10, 11, 1, 0, 2, 5);
        byte[] bytes = SnapshotFormat.encode(new ListSnapshotSource(6, 1_700_000_000_000L,
                List.of(new SnapshotSession(0xabc, 30_000, new byte[16])), List.of(root, ttl)));
        List<String> lines = StorageDump.describeSnapshot(SnapshotData.decode(bytes, "snap.6"));
        assertEquals(List.of(
                "snapshot snap.6: format version 1, last zxid 0x6, time 1700000000000 (2023-11-14T22:13:20Z),"
                        + " 1 sessions, 2 nodes",
                "session 0xabc timeout=30000ms passwd=16 bytes",
                "node / kind=PERSISTENT owner=0x0 ttl=0ms czxid=0x0 mzxid=0x0 pzxid=0x5 ctime=0 mtime=0 version=0"
                        + " cversion=1 aversion=0 acl=[world:anyone:cdrwa] data=0 bytes",
                "node /t kind=TTL owner=0x0 ttl=9000ms czxid=0x5 mzxid=0x6 pzxid=0x5 ctime=10 mtime=11 version=1"
                        + " cversion=0 aversion=2 acl=[world:anyone:r] data=null"), lines);
    }
}
