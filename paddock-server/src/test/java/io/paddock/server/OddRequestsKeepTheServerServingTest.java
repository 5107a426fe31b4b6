package io.paddock.server;

import static org.junit.jupiter.api.Assertions.*;

import io.paddock.core.wire.AddWatchRequest;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.DeleteContainerRequest;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.ReplyHeader;
import io.paddock.core.wire.RequestHeader;
import io.paddock.server.conformance.Target;
import io.paddock.server.conformance.ZooKeeperTarget;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Well-formed but unusual frames against the real server on loopback, with Apache ZooKeeper
 * 3.9.5 in-process as the oracle: a client's deleteContainer and an addWatch with an unknown
 * mode are answered and the server goes on serving everyone (they once killed the replica
 * loop), and a client that has seen a newer zxid is disconnected without an answer, as
 * ZooKeeper does, rather than told its session expired.
 */
class OddRequestsKeepTheServerServingTest {
    private static final int READ_TIMEOUT_MS = 5000;
    private static final long GOOD_CLIENT_WAIT_MS = 5000;

    @TempDir
    Path dataDir;

    // ------------------------------------------------------------------ raw protocol helpers

    private static byte[] frame(JuteRecord... records) {
        JuteWriter w = new JuteWriter(256);
        w.writeInt(0);
        for (JuteRecord r : records) {
            r.write(w);
        }
        w.putInt(0, w.size() - 4);
        return w.toByteArray();
    }

    private static Socket open(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    /** The next frame's body, or null when the server closed the connection first. */
    private static byte[] readFrame(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        try {
            int len = in.readInt();
            byte[] body = new byte[len];
            in.readFully(body);
            return body;
        } catch (EOFException | SocketException e) {
            return null;
        } catch (SocketTimeoutException e) {
            fail("no frame and no close within " + READ_TIMEOUT_MS + " ms");
            return null;
        }
    }

    /** Opens a session on a raw socket (a ConnectRequest with lastZxidSeen 0). */
    private static Socket session(int port) throws IOException {
        Socket s = open(port);
        s.getOutputStream().write(frame(new ConnectRequest(0, 0, 4000, 0, new byte[16], false, true)));
        assertNotNull(readFrame(s), "no ConnectResponse");
        return s;
    }

    /** Sends one request and returns the reply header's error code. */
    private static int errorOf(Socket s, int opCode, JuteRecord body) throws IOException {
        s.getOutputStream().write(frame(new RequestHeader(7, opCode), body));
        byte[] reply = readFrame(s);
        assertNotNull(reply, "closed without a reply");
        ReplyHeader header = ReplyHeader.read(new JuteReader(reply));
        assertEquals(7, header.xid());
        return header.err();
    }

    private static void assertGoodClientStillWorks(PaddockServer server, String after) throws Exception {
        ZooKeeper good = TestServers.connect(server, null);
        try {
            CountDownLatch answered = new CountDownLatch(1);
            AtomicInteger rc = new AtomicInteger(Integer.MIN_VALUE);
            good.create("/after-" + after, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (code, path, ctx, name) -> {
                        rc.set(code);
                        answered.countDown();
                    }, null);
            assertTrue(answered.await(GOOD_CLIENT_WAIT_MS, TimeUnit.MILLISECONDS),
                    "the server stopped answering everyone after " + after);
            assertEquals(0, rc.get());
        } finally {
            good.close(1000);
        }
    }

    // ------------------------------------------------------------------ one frame kills the loop

    @Test
    void zookeeperAnswersAClientsDeleteContainerAsAWrite() throws Exception {
        try (Target zk = new ZooKeeperTarget()) {
            zk.start();
            try (Socket s = session(zk.clientPort())) {
                assertEquals(-101, errorOf(s, OpCode.DELETE_CONTAINER, new DeleteContainerRequest("/missing")),
                        "NoNode");
            }
        }
    }

    @Test
    void aClientsDeleteContainerDoesNotStopTheServer() throws Exception {
        PaddockServer server = TestServers.start(dataDir);
        try {
            try (Socket s = session(server.clientPort())) {
                s.getOutputStream().write(frame(new RequestHeader(7, OpCode.DELETE_CONTAINER),
                        new DeleteContainerRequest("/missing")));
            }
            assertGoodClientStillWorks(server, "deleteContainer");
        } finally {
            server.close();
        }
    }

    @Test
    void anAddWatchWithABadModeDoesNotStopTheServer() throws Exception {
        PaddockServer server = TestServers.start(dataDir);
        try {
            try (Socket s = session(server.clientPort())) {
                s.getOutputStream().write(frame(new RequestHeader(7, OpCode.ADD_WATCH), new AddWatchRequest("/", 7)));
            }
            assertGoodClientStillWorks(server, "addWatch");
        } finally {
            server.close();
        }
    }

    // ------------------------------------------------------------------ a client ahead of the server

    /** A brand-new session asked for by a client that claims to have seen zxid 0x1000. */
    private static byte[] connectFromTheFuture() {
        return frame(new ConnectRequest(0, 0x1000, 4000, 0, new byte[16], false, true));
    }

    @Test
    void zookeeperClosesWithoutAnswerWhenTheClientHasSeenANewerZxid() throws Exception {
        try (Target zk = new ZooKeeperTarget()) {
            zk.start();
            try (Socket s = open(zk.clientPort())) {
                s.getOutputStream().write(connectFromTheFuture());
                assertNull(readFrame(s), "ZooKeeper answered a client that is ahead of it");
            }
        }
    }

    @Test
    void paddockClosesWithoutAnswerWhenTheClientHasSeenANewerZxid() throws Exception {
        PaddockServer server = TestServers.start(dataDir);
        try (Socket s = open(server.clientPort())) {
            s.getOutputStream().write(connectFromTheFuture());
            assertNull(readFrame(s), "Paddock told a client that is ahead of it that its session expired");
        } finally {
            server.close();
        }
    }
}
