package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the four-letter words over a plain socket: ruok, srvr's shape as monitoring tools parse
 * it, and the refusal text for a word outside {@code 4lw.commands.whitelist}.
 */
class FourLetterWordConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";
    private static final int READ_TIMEOUT_MS = 10_000;

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void ruokAnswersImok(Target target) throws IOException {
        assertEquals("imok", send(target, "ruok"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void srvrShowsVersionAndMode(Target target) throws IOException {
        String answer = send(target, "srvr");
        assertTrue(answer.startsWith("Zookeeper version: "), answer);
        String mode = target.clientsOnAFollower() ? "follower" : "standalone";
        assertTrue(answer.contains("\nMode: " + mode + "\n"), answer);
        for (String line : new String[] {"Latency min/avg/max: ", "Received: ", "Sent: ", "Connections: ",
                "Outstanding: ", "Zxid: 0x", "Node count: "}) {
            assertTrue(answer.contains("\n" + line), line + " in " + answer);
        }
    }

    /**
     * cons shows, for a client's connection, what monitoring tools read of its last reply: the
     * operation (lop=GETD after a getData), its cxid and zxid, and the connection's latencies
     * (min <= avg <= max); before any request lop=NA and no lcxid.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void consShowsEachConnectionsLastReply(Target target) throws Exception {
        try (org.apache.zookeeper.ZooKeeper zk = Clients.connect(target)) {
            zk.getData("/", false, null);
            String line = consLine(target, zk.getSessionId());
            assertTrue(line.contains(",lop=GETD,") && line.contains(",lcxid=0x"), line);
            assertTrue(line.matches(".*,lzxid=0x[0-9a-f]+,.*") && !line.contains("lzxid=0xffffffffffffffff"), line);
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile(",llat=(\\d+),minlat=(\\d+),avglat=(\\d+),maxlat=(\\d+)\\)").matcher(line);
            assertTrue(m.find(), line);
            long min = Long.parseLong(m.group(2));
            long avg = Long.parseLong(m.group(3));
            long max = Long.parseLong(m.group(4));
            assertTrue(min <= avg && avg <= max, line);
            java.util.regex.Matcher recved = java.util.regex.Pattern.compile("recved=(\\d+)").matcher(line);
            assertTrue(recved.find() && Long.parseLong(recved.group(1)) >= 2, "the ConnectRequest and the getData: " + line);
        }
    }

    /** srvr's Received counts every packet, the four-letter words themselves among them, as ZooKeeper's does. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void receivedCountsTheWordsToo(Target target) throws IOException {
        long first = received(send(target, "srvr"));
        long second = received(send(target, "srvr"));
        assertTrue(second >= first + 1, "Received " + first + " then " + second);
    }

    private static long received(String srvr) {
        for (String line : srvr.split("\n")) {
            if (line.startsWith("Received: ")) {
                return Long.parseLong(line.substring("Received: ".length()).trim());
            }
        }
        throw new AssertionError("no Received line in " + srvr);
    }

    /** The cons line of the connection of session {@code sessionId}. */
    private static String consLine(Target target, long sessionId) throws IOException {
        String cons = send(target, "cons");
        for (String line : cons.split("\n")) {
            if (line.contains(",sid=0x" + Long.toHexString(sessionId) + ",")) {
                return line;
            }
        }
        throw new AssertionError("no connection of session 0x" + Long.toHexString(sessionId) + " in " + cons);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void wordsOutsideTheWhitelistAreRefused(Target target) throws IOException {
        assertEquals("envi is not executed because it is not in the whitelist.\n", send(target, "envi"));
        assertEquals("dump is not executed because it is not in the whitelist.\n", send(target, "dump"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void isroAnswersRw(Target target) throws IOException {
        assertEquals("rw", send(target, "isro"));
    }

    /**
     * Words are case-sensitive: "RUOK" is no word, so its four bytes are read as a frame length
     * (0x52554F4B, over jute.maxbuffer) and the connection is closed with nothing sent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void unknownWordsAreFrameLengthsAndCloseTheConnection(Target target) throws IOException {
        assertEquals("", send(target, "RUOK"));
        assertEquals("", send(target, "xyzw"));
    }

    /** Sends one word and reads until the server closes the connection. */
    private static String send(Target target, String word) throws IOException {
        try (Socket socket = new Socket(TargetSettings.HOST, target.clientPort())) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
