package io.paddock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the launcher's contract short of serving: version prints the ZooKeeper-compatible
 * version and exits 0, a wrong command line prints usage and exits 2, and a bad or missing
 * zoo.cfg prints a message naming the culprit and exits 1, before any server is started.
 */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void versionPrintsTheCompatibleVersion() {
        assertEquals(0, run("version"));
        assertTrue(out().contains("3.9.5-paddock-"), out());
    }

    @Test
    void wrongCommandLinesPrintUsageAndExit2() {
        for (String[] args : new String[][] {{}, {"serve"}, {"server"}, {"server", "a", "b"}, {"start", "x"},
                {"version", "x"}, {"log"}, {"snapshot", "a", "b"}}) {
            err.reset();
            assertEquals(2, run(args), String.join(" ", args));
            assertTrue(err().startsWith("Usage: paddock"), err());
            assertTrue(err().contains("log <file>"), err());
        }
    }

    @Test
    void helpPrintsUsageToStdout() {
        assertEquals(0, run("--help"));
        assertTrue(out().startsWith("Usage: paddock"), out());
    }

    @Test
    void missingConfigFileExits1NamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("zoo.cfg");
        assertEquals(1, run("server", missing.toString()));
        assertTrue(err().contains(missing.toString()), err());
    }

    @Test
    void badValueExits1NamingKeyAndValue(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, "dataDir=" + dir + "\nclientPort=-7\n");
        assertEquals(1, run("server", cfg.toString()));
        assertTrue(err().contains("clientPort"), err());
        assertTrue(err().contains("-7"), err());
    }
}
