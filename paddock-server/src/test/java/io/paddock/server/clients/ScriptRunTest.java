package io.paddock.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves that a client program run is bounded: one that hangs is killed, with its children, at
 * the timeout and reported as timed out with what it printed; one that exits reports its code.
 */
class ScriptRunTest {
    private static final long POLL_INTERVAL_MS = 10;

    @Test
    void hangingProgramAndItsChildrenAreKilledAtTheTimeout() throws Exception {
        long startNanos = System.nanoTime();
        ScriptRun run = ScriptRun.run(List.of("sh", "-c", "sleep 60 & echo $!; wait"), Map.of(), 1);
        long elapsedSeconds = (System.nanoTime() - startNanos) / 1_000_000_000L;
        assertEquals(ScriptRun.TIMED_OUT, run.exitCode());
        long childPid = Long.parseLong(run.output().lines().findFirst().orElseThrow().trim());
        assertTrue(run.output().contains("[killed after 1 s]"), run.output());
        assertTrue(elapsedSeconds < 10, "took " + elapsedSeconds + " s");
        assertTrue(ended(childPid), "the child " + childPid + " of the killed program is still running");
    }

    /** Waits up to 5 s for {@code pid} to be gone or a zombie (killed, not yet reaped). */
    private static boolean ended(long pid) throws Exception {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        long deadlineNanos = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadlineNanos) {
            Optional<String> state = readState(stat);
            if (state.isEmpty() || state.get().equals("Z")) {
                return true;
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        return false;
    }

    /** The state letter of /proc/PID/stat, the field after the parenthesised command name. */
    private static Optional<String> readState(Path stat) throws IOException {
        try {
            String line = Files.readString(stat);
            return Optional.of(line.substring(line.lastIndexOf(')') + 2, line.lastIndexOf(')') + 3));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Test
    void exitCodeAndOutputAreReported() throws Exception {
        ScriptRun run = ScriptRun.run(List.of("sh", "-c", "echo FAIL x: why >&2; exit 3"), Map.of(), 10);
        assertEquals(3, run.exitCode());
        assertEquals("FAIL x: why\n", run.output());
    }
}
