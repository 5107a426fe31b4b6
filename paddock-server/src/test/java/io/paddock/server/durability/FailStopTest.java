package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.CoreConfig;
import io.paddock.core.Effect;
import io.paddock.core.Replica;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.server.ServerConfig;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.InMemoryTxnLog;
import io.paddock.server.log.TxnLog;
import io.paddock.server.loop.ReplicaLoop;
import io.paddock.server.storage.FileTxnLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves fail-stop: a failure that may have left the server's state half-changed ends the
 * process with {@link FailStop#EXIT_STATUS} and a message saying why, instead of a process that
 * keeps its port and answers nothing; a restart then recovers every acknowledged write from
 * disk. In a real process, applying a transaction is made to fail with the test-only zoo.cfg key
 * {@value ServerConfig#TEST_FAIL_APPLY_AT_ZXID_KEY}. In-process, with the halt replaced: the
 * replica loop failing, and a transaction log that fails for a reason other than space (while a
 * full disk stays a failure that writes recover from, see DiskFullTest).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FailStopTest {
    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final long FAIL_AT_ZXID = 40;
    private static final int CREATES_MAX = 1_000;

    @TempDir
    Path dir;

    /** Records a fail-stop instead of halting; the latch opens at the first one. */
    private static final class Recorder {
        final CountDownLatch halted = new CountDownLatch(1);
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        volatile int status = -1;
        final FailStop failStop = new FailStop(s -> {
            status = s;
            halted.countDown();
        }, new PrintStream(err, true, StandardCharsets.UTF_8));

        void await() throws InterruptedException {
            assertTrue(halted.await(BOUND.toMillis(), TimeUnit.MILLISECONDS), "no fail-stop within " + BOUND);
            assertEquals(FailStop.EXIT_STATUS, status);
        }

        String stderr() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aFailureApplyingATransactionEndsTheProcessAndARestartKeepsEveryAcknowledgedWrite() throws Exception {
        int port = ServerProcess.freePort();
        Path cfg = dir.resolve("zoo.cfg");
        Properties settings = new Properties();
        settings.setProperty("tickTime", "200");
        settings.setProperty("dataDir", dir.resolve("data").toString());
        settings.setProperty("clientPort", String.valueOf(port));
        settings.setProperty("clientPortAddress", "127.0.0.1");
        settings.setProperty(ServerConfig.TEST_FAIL_APPLY_AT_ZXID_KEY, "0x" + Long.toHexString(FAIL_AT_ZXID));
        ServerProcess.writeConfig(cfg, settings);

        List<String> acknowledged = new ArrayList<>();
        ServerProcess server = ServerProcess.start(cfg, port, dir.resolve("server-0.out"));
        try {
            ZooKeeper zk = Zk.connect(port, 4_000);
            try {
                for (int i = 0; i < CREATES_MAX; i++) {
                    String path = "/acked-" + i;
                    try {
                        zk.create(path, new byte[] {(byte) i}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    } catch (KeeperException e) {
                        break; // connection loss or request timeout: the server is gone
                    }
                    acknowledged.add(path);
                }
            } finally {
                Zk.closeBounded(zk);
            }
            assertTrue(acknowledged.size() < CREATES_MAX, "the injected failure never happened\n" + server.outputTail());
            assertEquals(FailStop.EXIT_STATUS, server.awaitExit(BOUND), server.outputTail());
            String output = server.output();
            assertTrue(output.contains("paddock: fatal: the server cannot go on"), output);
            assertTrue(output.contains("injected failure applying zxid 0x" + Long.toHexString(FAIL_AT_ZXID)), output);
        } finally {
            server.close();
        }
        assertFalse(acknowledged.isEmpty(), "no write was acknowledged before the failure");

        settings.remove(ServerConfig.TEST_FAIL_APPLY_AT_ZXID_KEY);
        ServerProcess.writeConfig(cfg, settings);
        ServerProcess restarted = ServerProcess.start(cfg, port, dir.resolve("server-1.out"));
        try {
            ZooKeeper zk = Zk.connect(port, 4_000);
            try {
                for (int i = 0; i < acknowledged.size(); i++) {
                    assertNotNull(zk.exists(acknowledged.get(i), false), acknowledged.get(i) + " was acknowledged");
                    assertEquals((byte) i, zk.getData(acknowledged.get(i), false, null)[0]);
                }
            } finally {
                Zk.closeBounded(zk);
            }
        } finally {
            restarted.close();
        }
    }

    @Test
    void aFailureOfTheReplicaLoopFailStops() throws Exception {
        Recorder recorder = new Recorder();
        ReplicaLoop.Outbox failing = new ReplicaLoop.Outbox() {
            @Override
            public void send(long connId, Effect message) {
            }

            @Override
            public void close(long connId, String reason) {
            }

            @Override
            public void flush() {
                throw new IllegalStateException("outbox broken");
            }
        };
        Replica replica = new Replica(CoreConfig.defaults(), 1L << 40, new byte[32], System.currentTimeMillis());
        ReplicaLoop loop = new ReplicaLoop(replica, new InMemoryTxnLog(), failing, recorder.failStop, "fail-stop-test-loop");
        loop.start();
        try {
            recorder.await();
            assertTrue(recorder.failStop.reason().contains("the replica loop failed"), recorder.failStop.reason());
            assertTrue(recorder.stderr().startsWith("paddock: fatal: "), recorder.stderr());
            assertTrue(recorder.stderr().contains("outbox broken"), recorder.stderr());
        } finally {
            loop.close();
        }
    }

    @Test
    void aLogThatCannotBeWrittenForAnotherReasonThanSpaceFailStops() throws Exception {
        Recorder recorder = new Recorder();
        Path logDir = dir.resolve("log");
        FileTxnLog log = new FileTxnLog(logDir, true, 4096, recorder.failStop);
        try {
            Files.delete(logDir); // the first write cannot create its file: not a full disk
            Txn create = new Txn.Create("/n", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, false);
            List<String> heard = new ArrayList<>();
            log.append(new TxnEnvelope(1, 1, 1, 1000, create));
            log.flush(new TxnLog.Listener() {
                @Override
                public void durable(long zxid) {
                    heard.add("durable " + zxid);
                }

                @Override
                public void failed(long fromZxid, String reason) {
                    heard.add("failed " + fromZxid);
                }
            });
            recorder.await();
            assertTrue(recorder.failStop.reason().contains("cannot write the transaction log"), recorder.failStop.reason());
            assertTrue(recorder.failStop.reason().contains("not for want of space"), recorder.failStop.reason());
            assertEquals(List.of(), heard, "a fail-stopped log reports the write neither durable nor failed");
        } finally {
            log.close();
        }
    }

    @Test
    void onlyAFullDiskOrQuotaCountsAsOutOfSpace() {
        long plenty = 1L << 40;
        long needed = 1L << 20;
        assertTrue(FileTxnLog.isOutOfSpace(new IOException("No space left on device"), plenty, needed));
        assertTrue(FileTxnLog.isOutOfSpace(new FileSystemException("/data/log.1", null, "No space left on device"), -1, needed));
        assertTrue(FileTxnLog.isOutOfSpace(new IOException("Disk quota exceeded"), plenty, needed));
        assertTrue(FileTxnLog.isOutOfSpace(new IOException("wrapped", new IOException("No space left on device")), plenty, needed));
        // A translated message: the file system's usable space tells.
        IOException translated = new IOException("Auf dem Gerät ist kein Speicherplatz mehr verfügbar");
        assertTrue(FileTxnLog.isOutOfSpace(translated, needed - 1, needed));
        assertFalse(FileTxnLog.isOutOfSpace(translated, plenty, needed));
        assertFalse(FileTxnLog.isOutOfSpace(new IOException("Input/output error"), plenty, needed));
        assertFalse(FileTxnLog.isOutOfSpace(new IOException("Input/output error"), -1, needed));
        assertFalse(FileTxnLog.isOutOfSpace(new FileSystemException("/data/log.1", null, "Read-only file system"), plenty, needed));
        assertFalse(FileTxnLog.isOutOfSpace(new IOException((String) null), plenty, needed));
    }
}
