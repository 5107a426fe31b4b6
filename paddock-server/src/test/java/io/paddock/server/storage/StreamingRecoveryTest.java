package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.CoreConfig;
import io.paddock.core.Replica;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.storage.TreeSnapshot;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves recovery over the streaming paths: a snapshot written through the bounded sink reads
 * back as the same tree; logs far larger than what the scan thread may hand over at once (so
 * it must wait for replay) replay completely and in order, across files, with preallocated zeros
 * and a torn tail cut; and damage in a later file still refuses to start, naming the file and
 * offset, after records before it were replayed. The scan thread never outlives recovery.
 */
class StreamingRecoveryTest {
    private static final int LOG_TXNS = 3 * LogFeed.CHUNK_TXNS * LogFeed.CHUNKS_QUEUED_MAX;

    @TempDir
    Path dir;

    private static final Supplier<Replica> NEW_REPLICA =
            () -> new Replica(CoreConfig.defaults(), 1L << 40, new byte[32], 1000);

    private static TxnEnvelope create(long zxid) {
        Txn create = new Txn.Create("/n-" + zxid, new byte[] {(byte) zxid}, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, false);
        return new TxnEnvelope(zxid, 1, (int) zxid, 1000 + zxid, create);
    }

    /** A log file holding creates of zxids [from, to], then {@code zeros} preallocated zeros. */
    private Path writeLog(long from, long to, int zeros) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(LogFormat.header(from));
        for (long zxid = from; zxid <= to; zxid++) {
            out.write(LogFormat.record(create(zxid)));
        }
        out.write(new byte[zeros]);
        return Files.write(dir.resolve(FileTxnLog.fileName(from)), out.toByteArray());
    }

    private static Replica replicaUpTo(long lastZxid) {
        Replica replica = NEW_REPLICA.get();
        for (long zxid = 1; zxid <= lastZxid; zxid++) {
            replica.replay(create(zxid));
        }
        replica.recovered(lastZxid);
        return replica;
    }

    @Test
    void replaysLogsLargerThanTheHandOverBoundAfterAStreamedSnapshot() throws Exception {
        long snapZxid = 500;
        Replica atSnapshot = replicaUpTo(snapZxid);
        SnapshotSource view = TreeSnapshot.capture(atSnapshot.tree(), atSnapshot.sessions(), snapZxid, 7);
        Path snapshot = Snapshots.write(dir, view);
        assertArrayEquals(SnapshotFormat.encode(view), Files.readAllBytes(snapshot), "streamed to disk, same bytes");
        writeLog(1, 1000, 0);
        long last = 1000 + LOG_TXNS;
        writeLog(1001, last, 4096);
        Path torn = writeLog(last + 1, last + 2, 0);
        byte[] tornBytes = Files.readAllBytes(torn);
        Files.write(torn, Arrays.copyOf(tornBytes, tornBytes.length - 3));

        Recovery.Result result = Recovery.recover(dir, dir, NEW_REPLICA, 1000);

        assertEquals(last + 1, result.lastZxid(), "the torn last record is cut, the one before it kept");
        assertEquals(snapZxid, result.snapshotZxid());
        assertEquals(last + 1 - snapZxid, result.txnsReplayed());
        assertEquals(replicaUpTo(last + 1).tree().nodeCount(), result.replica().tree().nodeCount());
        assertTrue(result.replica().tree().get("/n-" + (last + 1)) != null, "the last kept create is applied");
        assertEquals(LogFormat.HEADER_BYTES + LogFormat.record(create(last + 1)).length, Files.size(torn),
                "torn tail cut on disk");
        assertFalse(scanThreadAlive());
    }

    @Test
    void damageInALaterFileRefusesToStartAndStopsTheScan() throws Exception {
        writeLog(1, LOG_TXNS, 0);
        Path damaged = writeLog(LOG_TXNS + 1, LOG_TXNS + 10, 0);
        byte[] bytes = Files.readAllBytes(damaged);
        int offset = LogFormat.HEADER_BYTES + LogFormat.record(create(LOG_TXNS + 1)).length;
        bytes[offset + LogFormat.FRAME_HEADER_BYTES + 3] ^= 1; // inside the second record, data follows
        Files.write(damaged, bytes);

        StartupException e = assertThrows(StartupException.class, () -> Recovery.recover(dir, dir, NEW_REPLICA, 1000));

        assertTrue(e.getMessage().contains(damaged.toString()) && e.getMessage().contains("offset " + offset),
                e.getMessage());
        assertFalse(scanThreadAlive());
    }

    @Test
    void aGapFoundWhileTheScanIsAheadStopsTheScan() throws Exception {
        writeLog(1, 100, 0);
        writeLog(102, 102 + LOG_TXNS, 0);

        StartupException e = assertThrows(StartupException.class, () -> Recovery.recover(dir, dir, NEW_REPLICA, 1000));

        assertTrue(e.getMessage().contains("missing zxids 0x65 to 0x65"), e.getMessage());
        assertFalse(scanThreadAlive());
    }

    private static boolean scanThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("paddock-log-scan") && t.isAlive());
    }
}
