package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.server.admin.FourLetterWord;
import io.paddock.server.durability.StderrCapture;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a four-letter word is answered whatever the client does after sending it:
 * {@code echo ruok | nc host port} shuts its sending side right after the word (health checks
 * and monitoring scripts depend on the answer still arriving), a word may come in two packets,
 * and a client may close before the answer (then nothing is logged as a failure). Also proves
 * that a connection which is not answering a word is still closed when the client shuts its
 * sending side, as ZooKeeper does, so allowing half-closed connections leaves none behind.
 */
class FourLetterWordHalfCloseTest {
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final int TRIES = 1_000;
    private static final long DRAIN_BOUND_MS = 10_000;
    private static final long POLL_MS = 5;

    @TempDir
    Path dataDir;
    private PaddockServer server;

    @BeforeEach
    void start() throws Exception {
        // maxClientCnxns=0: the test opens a thousand connections one after another; the
        // per-address bound is not what it is about.
        server = TestServers.start(dataDir, "4lw.commands.whitelist", "*", "maxClientCnxns", "0");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void ruokIsAnsweredEveryTimeTheClientHalfClosesAtOnce() throws IOException {
        for (int i = 0; i < TRIES; i++) {
            assertEquals("imok", askThenHalfClose("ruok"), "try " + i);
        }
    }

    @Test
    void everyWordIsAnsweredAfterAHalfClose() throws IOException {
        for (FourLetterWord word : FourLetterWord.values()) {
            String answer = askThenHalfClose(word.word());
            // hash lists recent tree digests: none yet, so its answer is empty (as ZooKeeper's).
            assertTrue(word == FourLetterWord.HASH || !answer.isEmpty(), word.word() + " got no answer");
            assertFalse(answer.contains("not in the whitelist"), answer);
        }
        assertEquals("rw", askThenHalfClose("isro"));
        assertTrue(askThenHalfClose("srvr").contains("\nMode: standalone\n"));
        assertTrue(askThenHalfClose("mntr").startsWith("zk_version\t"));
        assertTrue(askThenHalfClose("conf").startsWith("clientPort="));
    }

    @Test
    void aWordSplitOverTwoPacketsIsAnswered() throws IOException {
        for (boolean halfClose : new boolean[] {true, false}) {
            try (Socket socket = connect()) {
                OutputStream out = socket.getOutputStream();
                out.write("ru".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                out.write("ok".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
                assertEquals("imok", readAll(socket), "half-closed: " + halfClose);
            }
        }
    }

    @Test
    void aHalfWordThenHalfCloseIsClosedWithNothingSent() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("ru".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertEquals("", readAll(socket));
        }
        awaitNoConnections();
    }

    @Test
    void aConnectionThatHalfClosesWithoutAWordIsClosed() throws Exception {
        try (Socket empty = connect(); Socket partialFrame = connect()) {
            empty.shutdownOutput();
            partialFrame.getOutputStream().write(new byte[] {0, 0, 0, 45, 0, 0}); // a ConnectRequest's start
            partialFrame.shutdownOutput();
            assertEquals("", readAll(empty));
            assertEquals("", readAll(partialFrame));
        }
        awaitNoConnections();
    }

    @Test
    void aClientThatClosesBeforeTheAnswerCostsNothing() throws Exception {
        try (StderrCapture stderr = StderrCapture.start()) {
            for (int i = 0; i < 100; i++) {
                try (Socket socket = connect()) {
                    if (i % 2 == 0) {
                        socket.setSoLinger(true, 0); // close with a reset rather than a FIN
                    }
                    socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
                }
            }
            awaitNoConnections();
            assertEquals("imok", askThenHalfClose("ruok"));
            assertFalse(stderr.text().contains("closing connection"), stderr.text());
            assertFalse(stderr.text().contains("Exception"), stderr.text());
        }
    }

    @Test
    void echoRuokThroughNetcatIsAnswered() throws Exception {
        String nc = onPath("nc");
        Assumptions.assumeTrue(nc != null, "nc (netcat) is not installed; the Java half-close tests cover the same path");
        // OpenBSD's nc half-closes at the end of stdin only with -N; traditional netcat, ncat and
        // busybox do it by default. Either way the word is followed by a half-close.
        String command = nc + (offersHalfCloseFlag(nc) ? " -N" : "");
        for (int i = 0; i < 50; i++) {
            Process p = new ProcessBuilder("bash", "-c", "echo ruok | " + command + " 127.0.0.1 " + server.clientPort())
                    .redirectErrorStream(true).start();
            assertTrue(p.waitFor(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS), "nc did not finish");
            String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("imok", answer, "try " + i);
        }
    }

    private String askThenHalfClose(String word) throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write((word + "\n").getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            return readAll(socket);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", server.clientPort()), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private static String readAll(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Polls (bounded) until the server has no connection left open. */
    private void awaitNoConnections() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_BOUND_MS);
        while (server.connections().size() > 0) {
            if (System.nanoTime() - deadline > 0) {
                fail("connections still open after " + DRAIN_BOUND_MS + " ms: " + server.connections().size());
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** True if this nc documents -N ("shutdown the network socket after EOF on stdin"). */
    private static boolean offersHalfCloseFlag(String nc) throws Exception {
        Process p = new ProcessBuilder(nc, "-h").redirectErrorStream(true).start();
        String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS), "nc -h did not finish");
        return help.contains("-N") && help.contains("EOF on stdin");
    }

    private static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, program);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
