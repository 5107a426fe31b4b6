package io.paddock.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@link Main}'s commands in-process with their output captured, for the launcher's tests. */
public final class MainRun {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs one command; returns its exit code. */
    public int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** Everything the commands run so far printed on standard output. */
    public String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Everything the commands run so far printed on standard error. */
    public String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was printed on standard error. */
    public void resetErr() {
        err.reset();
    }
}
