package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves {@code paddock elections HOST:PORT} against a real in-process server: a standalone server
 * that whitelists {@code elec} prints its one line and exit 0; one that does not (the default) is
 * an error naming the whitelist; an unreachable address and a server that answers nothing (as
 * ZooKeeper, which does not know the word) are errors that say so (exit 1); a malformed address is
 * a usage error (exit 2).
 */
class ElectionsCommandTest {
    @TempDir
    Path dataDir;

    private final MainRun main = new MainRun();

    @Test
    void aStandaloneServerPrintsItsOneLine() throws Exception {
        try (PaddockServer server = TestServers.start(dataDir, "4lw.commands.whitelist", "srvr,elec")) {
            assertEquals(0, main.run("elections", "127.0.0.1:" + server.clientPort()), main.err());
            assertEquals("standalone: no elections\n", main.out());
            assertEquals("", main.err());
        }
    }

    @Test
    void aServerThatDoesNotWhitelistElecIsAnErrorNamingTheWhitelist() throws Exception {
        try (PaddockServer server = TestServers.start(dataDir)) {
            assertEquals(1, main.run("elections", "127.0.0.1:" + server.clientPort()));
            assertEquals("", main.out());
            assertTrue(main.err().contains("does not allow the elec word: add it to 4lw.commands.whitelist"), main.err());
        }
    }

    @Test
    void anUnreachableServerIsAnErrorThatSaysSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free again once closed: nothing listens there
        }
        assertEquals(1, main.run("elections", "127.0.0.1:" + port));
        assertTrue(main.err().startsWith("paddock: cannot reach 127.0.0.1:" + port + ": "), main.err());
    }

    @Test
    void aServerThatAnswersNothingIsNotAPaddockServer() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                try {
                    s.accept().close(); // what ZooKeeper does with a word it does not know
                } catch (java.io.IOException e) {
                    // the test fails on its own assertion
                }
            });
            closer.start();
            assertEquals(1, main.run("elections", "127.0.0.1:" + s.getLocalPort()));
            closer.join(10_000);
            assertTrue(main.err().contains("answered nothing to elec: not a Paddock server"), main.err());
        }
    }

    @Test
    void aMalformedAddressIsAUsageError() {
        for (String bad : new String[] {"localhost", ":2181", "host:", "host:0", "host:70000", "host:x"}) {
            main.resetErr();
            assertEquals(2, main.run("elections", bad), bad);
            assertTrue(main.err().startsWith("paddock: bad address '" + bad + "'"), main.err());
        }
        assertEquals(2, main.run("elections"));
    }
}
