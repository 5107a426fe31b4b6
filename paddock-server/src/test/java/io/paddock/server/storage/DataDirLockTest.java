package io.paddock.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory's lock as another process sees it. Under POSIX rules, closing any descriptor
 * of a file drops every lock the process holds on it: a second attempt in the same JVM that opened
 * and closed the file would leave the directory unlocked for everyone else while the first server
 * runs. Another process (Python's fcntl.lockf, the same kind of lock as Java's FileChannel.tryLock
 * on Linux) must find it held after such an attempt, and free once the holder lets it go.
 */
class DataDirLockTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String TRY_LOCK = String.join("\n",
            "import fcntl, sys",
            "f = open(sys.argv[1], 'r+')",
            "try:",
            "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            "except OSError:",
            "    print('held'); sys.exit(3)",
            "print('free')");

    @Test
    void aRefusedSecondAttemptLeavesTheLockHeldForOtherProcesses(@TempDir Path dataDir) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), PYTHON + " is needed to look at the lock from another process");
        try (DataDirLock first = DataDirLock.acquire(dataDir, "a server")) {
            StartupException refused = assertThrows(StartupException.class, () -> DataDirLock.acquire(dataDir, "a second server"));
            assertTrue(refused.getMessage().contains("a second server cannot use it"), refused.getMessage());
            assertEquals("held", otherProcessTries(dataDir.resolve(DataDirLock.NAME)), "after the refused attempt");
        }
        assertEquals("free", otherProcessTries(dataDir.resolve(DataDirLock.NAME)), "once the holder closed it");
        try (DataDirLock again = DataDirLock.acquire(dataDir, "a restarted server")) {
            assertEquals("held", otherProcessTries(dataDir.resolve(DataDirLock.NAME)));
        }
    }

    /** Runs Python's non-blocking lockf on {@code file}: "held" or "free". */
    private static String otherProcessTries(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(PYTHON.toString(), "-c", TRY_LOCK, file.toString()))
                .redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("python did not finish in 30 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.exitValue() == 0 && out.equals("free") || p.exitValue() == 3 && out.equals("held"),
                "python exited " + p.exitValue() + ": " + out);
        return out;
    }
}
