package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.server.PaddockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a full disk fails writes cleanly: on a 2 MiB tmpfs the client gets an error
 * (SYSTEMERROR) within a bounded time instead of a hang, the server stays up and answers reads,
 * writes succeed again as soon as space is freed, and after a restart every acknowledged write is
 * there (the failed writes left no damage in the log). Needs root to mount the tmpfs; skipped
 * otherwise.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DiskFullTest {
    private static final int SESSION_TIMEOUT_MS = 4_000;
    private static final String TMPFS_SIZE = "2m";
    private static final int FILLER_BYTES = 1_400_000;
    private static final int DATA_BYTES = 2_000;
    private static final int FILL_WRITES_MAX = 5_000;
    private static final long WRITE_BOUND_MS = 10_000;

    @TempDir
    Path dir;

    @Test
    void fullDiskFailsWritesWithoutHangingAndRecoversWhenSpaceIsFreed() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mountOrSkip(dir.resolve("tmpfs"), TMPFS_SIZE)) {
            fillFailFreeRestart(tmpfs.path());
        }
    }

    private void fillFailFreeRestart(Path mount) throws Exception {
        Path filler = mount.resolve("filler");
        byte[] noise = new byte[FILLER_BYTES];
        new Random(7).nextBytes(noise);
        Files.write(filler, noise);
        Properties settings = InProcess.settings(mount.resolve("data"), mount.resolve("log"), 1_000_000);
        settings.setProperty("preAllocSize", "64");
        AckedWrites acked = new AckedWrites("/full");
        PaddockServer server = InProcess.start(settings);
        ZooKeeper zk = null;
        try {
            zk = Zk.connect(server.clientPort(), SESSION_TIMEOUT_MS);
            acked.createParent(zk);
            KeeperException.Code refused = writeUntilRefused(zk, acked);
            assertEquals(KeeperException.Code.SYSTEMERROR, refused, "a write on a full disk");
            for (int i = 0; i < 3; i++) {
                createBounded(zk, acked); // still answered in bounded time while the disk stays full
            }
            assertTrue(zk.getState().isConnected(), "the client lost its connection");
            acked.assertAllPresent(zk); // reads still served
            Files.delete(filler);
            for (int i = 0; i < 20; i++) {
                assertEquals(KeeperException.Code.OK, createBounded(zk, acked), "write " + i + " after freeing space");
            }
        } finally {
            server.close();
            Zk.closeBounded(zk);
        }
        System.out.println("DiskFullTest: " + acked.size() + " acknowledged writes; restarting");
        server = InProcess.start(settings);
        zk = null;
        try {
            zk = Zk.connect(server.clientPort(), SESSION_TIMEOUT_MS);
            acked.assertAllPresent(zk);
            assertEquals(KeeperException.Code.OK, createBounded(zk, acked), "a write after the restart");
        } finally {
            server.close();
            Zk.closeBounded(zk);
        }
    }

    /** Writes until one is refused; returns the refusal. Each write must be answered in bounded time. */
    private static KeeperException.Code writeUntilRefused(ZooKeeper zk, AckedWrites acked) throws Exception {
        for (int i = 0; i < FILL_WRITES_MAX; i++) {
            KeeperException.Code code = createBounded(zk, acked);
            if (code != KeeperException.Code.OK) {
                System.out.println("DiskFullTest: write " + i + " refused with " + code);
                return code;
            }
        }
        return fail("the 2 MiB disk never filled after " + FILL_WRITES_MAX + " writes");
    }

    /** Creates the next node asynchronously and waits a bounded time for the answer. */
    private static KeeperException.Code createBounded(ZooKeeper zk, AckedWrites acked) throws Exception {
        String path = acked.parent() + "/n" + acked.size();
        byte[] data = new byte[DATA_BYTES];
        byte[] label = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, data, 0, label.length);
        CompletableFuture<KeeperException.Code> answer = new CompletableFuture<>();
        zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                (rc, p, ctx, name) -> answer.complete(KeeperException.Code.get(rc)), null);
        KeeperException.Code code;
        try {
            code = answer.get(WRITE_BOUND_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail("create " + path + " got no answer within " + WRITE_BOUND_MS + " ms: the write hung");
        }
        if (code == KeeperException.Code.OK) {
            acked.acknowledged(path, data);
        }
        return code;
    }
}
