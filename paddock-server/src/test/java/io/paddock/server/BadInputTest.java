package io.paddock.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that bad input on one connection closes that connection only: garbage, oversized,
 * negative and truncated frames, unknown op codes and undecodable bodies each end their own
 * connection (with the reply ZooKeeper gives, where it gives one) while a well-behaved client
 * on another connection keeps working throughout.
 */
class BadInputTest {
    private static final int FRAME_MAX = 4096;
    private PaddockServer server;
    @TempDir
    java.nio.file.Path dataDir;
    private ZooKeeper good;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dataDir, "jute.maxbuffer", Integer.toString(FRAME_MAX),
                "handshakeTimeoutMs", "500");
        good = TestServers.connect(server, null);
        good.create("/ok", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    @AfterEach
    void stop() throws Exception {
        good.close();
        server.close();
    }

    private void assertGoodClientStillWorks(String after) throws Exception {
        byte[] data = after.getBytes(StandardCharsets.UTF_8);
        good.setData("/ok", data, -1);
        assertArrayEquals(data, good.getData("/ok", false, null), "after " + after);
    }

    private Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", server.clientPort());
        s.setSoTimeout(5000);
        return s;
    }

    /** Reads until the server closes; fails if it does not within the socket timeout. */
    private static byte[] readUntilClosed(Socket s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = s.getInputStream().read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection");
        } catch (IOException e) {
            // a reset also means closed
        }
        return all.toByteArray();
    }

    private static byte[] connectRequest() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(body);
        out.writeInt(0);        // protocolVersion
        out.writeLong(0);       // lastZxidSeen
        out.writeInt(4000);     // timeOut
        out.writeLong(0);       // sessionId
        out.writeInt(16);       // passwd
        out.write(new byte[16]);
        out.writeBoolean(false); // readOnly
        return frame(body.toByteArray());
    }

    private static byte[] frame(byte[] body) throws IOException {
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        new DataOutputStream(framed).writeInt(body.length);
        framed.write(body);
        return framed.toByteArray();
    }

    /** Connects a raw socket and reads the ConnectResponse. */
    private Socket handshake() throws IOException {
        Socket s = open();
        s.getOutputStream().write(connectRequest());
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readInt();
        byte[] body = new byte[len];
        in.readFully(body);
        assertTrue(len >= 36, "ConnectResponse of " + len + " bytes");
        return s;
    }

    @Test
    void oversizedFrameClosesOnlyThatConnection() throws Exception {
        try (Socket s = open()) {
            new DataOutputStream(s.getOutputStream()).writeInt(FRAME_MAX + 1);
            assertEquals(0, readUntilClosed(s).length);
        }
        assertGoodClientStillWorks("oversized");
    }

    @Test
    void negativeLengthClosesOnlyThatConnection() throws Exception {
        try (Socket s = open()) {
            new DataOutputStream(s.getOutputStream()).writeInt(-5);
            assertEquals(0, readUntilClosed(s).length);
        }
        assertGoodClientStillWorks("negative");
    }

    @Test
    void garbageHandshakeClosesOnlyThatConnection() throws Exception {
        try (Socket s = open()) {
            s.getOutputStream().write(frame(new byte[] {1, 2, 3}));
            assertEquals(0, readUntilClosed(s).length);
        }
        assertGoodClientStillWorks("garbage");
    }

    @Test
    void truncatedFrameThenSilenceIsDroppedAfterTheHandshakeTimeout() throws Exception {
        try (Socket s = open()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(100);
            out.write(new byte[10]);
            out.flush();
            assertEquals(0, readUntilClosed(s).length);
        }
        assertGoodClientStillWorks("truncated");
    }

    @Test
    void unknownOpCodeGetsUnimplementedThenClose() throws Exception {
        try (Socket s = handshake()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(body);
            out.writeInt(7);    // xid
            out.writeInt(999);  // type
            s.getOutputStream().write(frame(body.toByteArray()));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals(16, in.readInt());
            assertEquals(7, in.readInt());
            in.readLong();
            assertEquals(-6, in.readInt(), "UNIMPLEMENTED");
            assertThrows(EOFException.class, in::readInt);
        }
        assertGoodClientStillWorks("unknown op");
    }

    @Test
    void undecodableBodyGetsMarshallingErrorThenClose() throws Exception {
        try (Socket s = handshake()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(body);
            out.writeInt(8);        // xid
            out.writeInt(4);        // getData
            out.writeInt(1000);     // a path length longer than the frame
            s.getOutputStream().write(frame(body.toByteArray()));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals(16, in.readInt());
            assertEquals(8, in.readInt());
            in.readLong();
            assertEquals(-5, in.readInt(), "MARSHALLINGERROR");
            assertThrows(EOFException.class, in::readInt);
        }
        assertGoodClientStillWorks("bad body");
    }
}
