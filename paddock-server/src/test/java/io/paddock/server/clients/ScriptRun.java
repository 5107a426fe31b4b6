package io.paddock.server.clients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of a client program as a subprocess: bounded in time (on timeout it and its children
 * are killed through their process handles), its stdout and stderr kept in a file so that a
 * chatty program can never block on a full pipe.
 */
final class ScriptRun {
    /** Exit code reported when the program was killed for running too long. */
    static final int TIMED_OUT = -1;
    private static final long KILL_WAIT_SECONDS_MAX = 5;

    private final int exitCode;
    private final String output;

    private ScriptRun(int exitCode, String output) {
        this.exitCode = exitCode;
        this.output = output;
    }

    /** Runs {@code command} with {@code extraEnv} added to (or, for null values, removed from) the environment. */
    static ScriptRun run(List<String> command, Map<String, String> extraEnv, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("client-script", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            extraEnv.forEach((key, value) -> {
                if (value == null) {
                    builder.environment().remove(key);
                } else {
                    builder.environment().put(key, value);
                }
            });
            Process process = builder.start();
            int exitCode = TIMED_OUT;
            if (process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                exitCode = process.exitValue();
            } else {
                kill(process);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (exitCode == TIMED_OUT) {
                output += "\n[killed after " + timeoutSeconds + " s]";
            }
            return new ScriptRun(exitCode, output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(KILL_WAIT_SECONDS_MAX, TimeUnit.SECONDS);
    }

    int exitCode() {
        return exitCode;
    }

    String output() {
        return output;
    }
}
