package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a watch on a null path (addWatch with a jute null string, which ZooKeeper accepts
 * and keeps) is listed by the watch words `wchs`, `wchc` and `wchp` as "null", rather than making
 * them fail: they sort watched paths, and a null path used to throw there.
 */
class WatchWordsWithANullPathTest {
    private static final int READ_TIMEOUT_MS = 10_000;
    @TempDir
    Path dataDir;
    private PaddockServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dataDir, "4lw.commands.whitelist", "*");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void watchWordsListANullPath() throws Exception {
        try (Socket client = open()) {
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            DataInputStream in = new DataInputStream(client.getInputStream());
            out.write(frame(body -> {
                body.writeInt(0);      // protocolVersion
                body.writeLong(0);     // lastZxidSeen
                body.writeInt(4000);   // timeOut
                body.writeLong(0);     // sessionId
                body.writeInt(16);
                body.write(new byte[16]);
                body.writeBoolean(false);
            }));
            in.readFully(new byte[in.readInt()]);
            out.write(frame(body -> {
                body.writeInt(1);      // xid
                body.writeInt(106);    // addWatch
                body.writeInt(-1);     // a null path
                body.writeInt(1);      // persistent recursive
            }));
            in.readInt();
            assertEquals(1, in.readInt(), "xid");
            in.readLong();
            assertEquals(0, in.readInt(), "addWatch of a null path is OK, as in ZooKeeper");

            assertEquals("1 connections watching 1 paths\nTotal watches:1\n", word("wchs"));
            assertTrue(word("wchc").contains("\n\tnull\n"), word("wchc"));
            assertTrue(word("wchp").startsWith("null\n\t0x"), word("wchp"));
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", server.clientPort());
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    /** Sends a four-letter word and reads the answer up to the server's close. */
    private String word(String word) throws IOException {
        try (Socket s = open()) {
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private interface Body {
        void write(DataOutputStream body) throws IOException;
    }

    private static byte[] frame(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        body.write(new DataOutputStream(bytes));
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        new DataOutputStream(framed).writeInt(bytes.size());
        framed.write(bytes.toByteArray());
        return framed.toByteArray();
    }
}
