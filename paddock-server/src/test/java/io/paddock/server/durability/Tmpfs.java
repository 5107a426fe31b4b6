package io.paddock.server.durability;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to fill a disk for real. Needs root; the test is skipped
 * (a JUnit assumption, with the reason) where it cannot be mounted. Always unmount it in a
 * finally block (try-with-resources).
 */
final class Tmpfs implements AutoCloseable {
    private static final long COMMAND_BOUND_MS = 20_000;

    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    static Tmpfs mountOrSkip(Path mountPoint, String size) throws Exception {
        Files.createDirectories(mountPoint);
        assumeTrue("0".equals(command("id", "-u").trim()), "needs root to mount a small tmpfs");
        String said = command("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
        assumeTrue(said.isEmpty() && isMountPoint(mountPoint), "cannot mount a tmpfs here: " + said);
        return new Tmpfs(mountPoint);
    }

    Path path() {
        return mountPoint;
    }

    @Override
    public void close() throws Exception {
        String said = command("umount", mountPoint.toString());
        if (!said.isEmpty()) {
            System.err.println("umount " + mountPoint + " said: " + said + "; trying umount -l");
            command("umount", "-l", mountPoint.toString());
        }
    }

    private static boolean isMountPoint(Path dir) throws IOException {
        String target = dir.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .map(line -> line.split(" "))
                .anyMatch(fields -> fields.length > 1 && fields[1].equals(target));
    }

    /** Runs a command with a bound; returns "" on success, else its output or exit code. */
    private static String command(String... args) throws Exception {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        if (!p.waitFor(COMMAND_BOUND_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return "timed out: " + String.join(" ", args);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() == 0) {
            return args[0].equals("id") ? out : "";
        }
        return out.isEmpty() ? "exit " + p.exitValue() : out;
    }
}
