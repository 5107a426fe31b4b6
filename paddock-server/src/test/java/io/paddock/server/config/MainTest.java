package io.paddock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.MainRun;
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
    private final MainRun main = new MainRun();

    @Test
    void versionPrintsTheCompatibleVersion() {
        assertEquals(0, main.run("version"));
        assertTrue(main.out().contains("3.9.5-paddock-"), main.out());
    }

    @Test
    void wrongCommandLinesPrintUsageAndExit2() {
        for (String[] args : new String[][] {{}, {"serve"}, {"server"}, {"server", "a", "b"}, {"start", "x"},
                {"version", "x"}, {"log"}, {"snapshot", "a", "b"}}) {
            main.resetErr();
            assertEquals(2, main.run(args), String.join(" ", args));
            assertTrue(main.err().startsWith("Usage: paddock"), main.err());
            assertTrue(main.err().contains("log <file>"), main.err());
        }
    }

    @Test
    void helpPrintsUsageToStdout() {
        assertEquals(0, main.run("--help"));
        assertTrue(main.out().startsWith("Usage: paddock"), main.out());
    }

    @Test
    void missingConfigFileExits1NamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("zoo.cfg");
        assertEquals(1, main.run("server", missing.toString()));
        assertTrue(main.err().contains(missing.toString()), main.err());
    }

    @Test
    void badValueExits1NamingKeyAndValue(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, "dataDir=" + dir + "\nclientPort=-7\n");
        assertEquals(1, main.run("server", cfg.toString()));
        assertTrue(main.err().contains("clientPort"), main.err());
        assertTrue(main.err().contains("-7"), main.err());
    }
}
