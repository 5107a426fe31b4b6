package io.paddock.server.storage;

import io.paddock.core.CoreConfig;
import io.paddock.core.Replica;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import io.paddock.core.storage.SnapshotSource;
import io.paddock.core.storage.TreeSnapshot;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.TxnLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Transactions, log files, snapshots and a recording listener for the truncation and recovery tests. */
final class LogFixture {
    static final Supplier<Replica> NEW_REPLICA =
            () -> new Replica(CoreConfig.defaults(), 1L << 40, new byte[32], 1000);

    private LogFixture() {}

    /** The zxid {@code counter} of {@code epoch}. */
    static long zxid(long epoch, long counter) {
        return (epoch << 32) | counter;
    }

    /** A create of {@code /<prefix>-<zxid hex>}. */
    static TxnEnvelope create(String prefix, long zxid) {
        Txn create = new Txn.Create("/" + prefix + "-" + Long.toHexString(zxid), new byte[] {(byte) zxid},
                Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, false);
        return new TxnEnvelope(zxid, 1, (int) zxid, 1000 + zxid, create);
    }

    static TxnEnvelope create(long zxid) {
        return create("n", zxid);
    }

    /** Writes a log file holding creates of {@code zxids}, then {@code zeros} preallocated zeros. */
    static Path writeLog(Path dir, List<Long> zxids, int zeros) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(LogFormat.header(zxids.get(0)));
        for (long zxid : zxids) {
            out.write(LogFormat.record(create(zxid)));
        }
        out.write(new byte[zeros]);
        return Files.write(dir.resolve(FileTxnLog.fileName(zxids.get(0))), out.toByteArray());
    }

    /** Zxids from..to of one epoch. */
    static List<Long> range(long epoch, long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).map(c -> zxid(epoch, c)).boxed().toList();
    }

    /** A standalone replica after creates {@code prefix} of zxids 1..lastZxid, captured as a snapshot. */
    static SnapshotSource snapshotOf(String prefix, long lastZxid) {
        Replica replica = NEW_REPLICA.get();
        for (long zxid = 1; zxid <= lastZxid; zxid++) {
            replica.replay(create(prefix, zxid));
        }
        replica.recovered(lastZxid);
        return TreeSnapshot.capture(replica.tree(), replica.sessions(), lastZxid, 7);
    }

    static ScanResult scan(Path file) throws IOException {
        return LogScanner.scan(Files.readAllBytes(file), file.toString());
    }

    /** A fail-stop that records instead of halting. */
    static FailStop recordingFailStop() {
        return new FailStop(status -> {}, new PrintStream(PrintStream.nullOutputStream()));
    }

    /** Hears the log's reports, in order. */
    static final class Heard implements TxnLog.Listener {
        final List<Long> durable = new CopyOnWriteArrayList<>();
        final List<Long> failed = new CopyOnWriteArrayList<>();

        @Override
        public void durable(long zxid) {
            durable.add(zxid);
        }

        @Override
        public void failed(long fromZxid, String reason) {
            failed.add(fromZxid);
        }

        /** Waits (bounded) until {@code zxid} is reported durable. */
        void awaitDurable(long zxid) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!durable.contains(zxid)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("zxid 0x" + Long.toHexString(zxid) + " never reported durable: " + durable);
                }
                Thread.sleep(1);
            }
        }
    }

    /** Appends creates of {@code zxids} and flushes them, waiting until the last is durable. */
    static void appendDurably(TxnLog log, Heard heard, List<Long> zxids) throws InterruptedException {
        for (long zxid : zxids) {
            log.append(create(zxid));
        }
        log.flush(heard);
        heard.awaitDurable(zxids.get(zxids.size() - 1));
    }
}
