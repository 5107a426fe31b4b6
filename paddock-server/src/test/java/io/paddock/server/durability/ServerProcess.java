package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A Paddock server running as a real child JVM ({@code io.paddock.server.Main server <cfg>}),
 * with the test's own java binary and classpath, its output in a file. Only this handle's
 * process is ever stopped, and only by its handle.
 */
final class ServerProcess implements AutoCloseable {
    static final Duration READY_BOUND = Duration.ofSeconds(30);
    static final Duration EXIT_BOUND = Duration.ofSeconds(15);
    private static final int OUTPUT_TAIL_CHARS = 4_000;

    private final Process process;
    private final Path output;
    private final int port;

    private ServerProcess(Process process, Path output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    /** A port nobody listens on right now (the server binds it moments later). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** Writes {@code settings} as a zoo.cfg to {@code cfg}. */
    static void writeConfig(Path cfg, Properties settings) throws IOException {
        try (OutputStream out = Files.newOutputStream(cfg)) {
            settings.store(out, "written by a durability test");
        }
    }

    /** Starts {@code Main server cfg} and waits until it accepts connections on {@code port}. */
    static ServerProcess start(Path cfg, int port, Path output) throws Exception {
        ServerProcess server = spawn(cfg, port, output);
        try {
            server.awaitReady();
        } catch (Exception | AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Starts {@code Main server cfg} without waiting for anything (for a server expected to exit). */
    static ServerProcess spawn(Path cfg, int port, Path output) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"),
                "io.paddock.server.Main", "server", cfg.toString()));
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        return new ServerProcess(builder.start(), output, port);
    }

    /** Waits (bounded) for the process to end by itself and returns its exit status. */
    int awaitExit(Duration bound) throws InterruptedException {
        assertTrue(process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS),
                () -> "pid " + process.pid() + " still runs after " + bound.toMillis() + " ms\n" + outputTail());
        return process.exitValue();
    }

    /** Everything the server wrote (stdout and stderr together). */
    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private void awaitReady() throws Exception {
        Wait.until(() -> "server pid " + process.pid() + " listening on 127.0.0.1:" + port + "\n" + outputTail(),
                READY_BOUND, () -> {
                    assertTrue(process.isAlive(), () -> "server exited with " + process.exitValue()
                            + " before listening\n" + outputTail());
                    return accepts();
                });
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL (destroyForcibly on Linux), then checks the process is really gone. */
    void kill() throws InterruptedException {
        long pid = process.pid();
        process.destroyForcibly();
        assertTrue(process.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS), "pid " + pid + " survived SIGKILL");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still alive");
    }

    /** The last part of the server's output, for failure messages. */
    String outputTail() {
        try {
            String all = Files.readString(output, StandardCharsets.UTF_8);
            return "--- " + output + " (tail) ---\n" + all.substring(Math.max(0, all.length() - OUTPUT_TAIL_CHARS));
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    /** Stops the server gracefully (SIGTERM) if it still runs; SIGKILL if that takes too long. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
        }
    }
}
