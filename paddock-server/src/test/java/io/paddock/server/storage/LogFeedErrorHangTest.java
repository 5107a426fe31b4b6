package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.paddock.core.CoreConfig;
import io.paddock.core.Replica;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves (review finding, fixed) that an Error on LogFeed's scanning thread fails recovery
 * instead of hanging it: here the OutOfMemoryError Files.readAllBytes throws for a log over
 * 2 GB (a size FileTxnLog can reach, since it rolls only at snapshots) reaches the recovering
 * thread as a failure at that point in the log. The log file is sparse: it takes no disk space.
 */
class LogFeedErrorHangTest {
    @Test
    void anErrorWhileScanningFailsRecoveryInsteadOfHangingIt(@TempDir Path dir) throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("log"));
        Path snapDir = Files.createDirectories(dir.resolve("snap"));
        try (RandomAccessFile f = new RandomAccessFile(logDir.resolve("log.1").toFile(), "rw")) {
            f.setLength((1L << 31) + 4096); // sparse, past what readAllBytes can hold
        }
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertThrows(Throwable.class, () -> Recovery.recover(snapDir, logDir,
                    () -> new Replica(CoreConfig.defaults(), 1L << 32, new byte[32], 0), 0));
        }, "recovery neither finished nor failed: the scanning thread died and take() waits forever");
    }
}
