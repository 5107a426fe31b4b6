package io.paddock.server.conformance;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A session on a plain socket, below any client library: it sends request frames byte for byte
 * as a test builds them (null strings, buffers and vectors included, which no client's API lets
 * a test send on purpose) and reports what the server did with each: the error code of its
 * reply, or no reply, and whether the connection is still open afterwards.
 */
final class RawSession implements AutoCloseable {
    static final int PING_XID = -2;
    static final int AUTH_XID = -4;
    private static final int NOTIFICATION_XID = -1;
    private static final int PING_OP = 11;
    private static final int READ_TIMEOUT_MS = 10_000;

    /** What the server did with one request. {@code err} is null when no reply came. */
    record Outcome(Integer err, boolean closed) {
        static Outcome reply(int err, boolean closed) {
            return new Outcome(err, closed);
        }

        static Outcome noReplyClosed() {
            return new Outcome(null, true);
        }

        @Override
        public String toString() {
            return (err == null ? "no reply" : "err " + err) + (closed ? ", closed" : ", open");
        }
    }

    /** A reply's header and body. */
    record Reply(int xid, long zxid, int err, byte[] body) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private int nextXid = 1;

    private RawSession(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** What a handshake got: the ConnectResponse's timeout (-1 for no response), and whether the connection lives. */
    record Handshake(int timeoutMs, boolean open) {
    }

    /** Connects and completes a handshake for a new session. */
    static RawSession open(Target target) throws IOException {
        RawSession session = connect(target);
        byte[] response = session.handshake(0, new byte[16]);
        if (response == null || response.length < 36) {
            throw new IOException("no ConnectResponse from " + target.name());
        }
        return session;
    }

    /** Sends a ConnectRequest with this session id and password (null allowed) and reports the outcome. */
    static Handshake tryHandshake(Target target, long sessionId, byte[] passwd) throws IOException {
        try (RawSession session = connect(target)) {
            byte[] response = session.handshake(sessionId, passwd);
            if (response == null) {
                return new Handshake(-1, false);
            }
            int timeoutMs = new DataInputStream(new java.io.ByteArrayInputStream(response, 4, 4)).readInt();
            return new Handshake(timeoutMs, session.pings());
        }
    }

    private static RawSession connect(Target target) throws IOException {
        Socket socket = new Socket(TargetSettings.HOST, target.clientPort());
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        return new RawSession(socket);
    }

    private byte[] handshake(long sessionId, byte[] passwd) throws IOException {
        writeFrame(new Frame().i32(0).i64(0).i32(TargetSettings.MAX_SESSION_TIMEOUT_MS).i64(sessionId)
                .buf(passwd).bool(false).bytes());
        try {
            return readFrame();
        } catch (SocketException e) {
            return null;
        }
    }

    /** Adds digest credentials {@code user:password}; fails unless the server says OK. */
    RawSession authenticate(String user, String password) throws IOException {
        writeFrame(new Frame().i32(AUTH_XID).i32(100).i32(0).str("digest")
                .buf((user + ":" + password).getBytes(StandardCharsets.UTF_8)).bytes());
        Reply reply = awaitReply(AUTH_XID);
        if (reply == null || reply.err() != 0) {
            throw new IOException("auth of " + user + " answered " + reply);
        }
        return this;
    }

    /**
     * Sends one request (op code and body bytes), then a ping; the server answers in order, so
     * the ping's reply (or the end of the stream) tells whether the connection survived.
     */
    Outcome send(int opCode, byte[] body) throws IOException {
        int xid = nextXid++;
        writeFrame(new Frame().i32(xid).i32(opCode).raw(body).bytes());
        Reply reply = awaitReply(xid);
        if (reply == null) {
            return Outcome.noReplyClosed();
        }
        if (reply.xid() == PING_XID) {
            throw new IllegalStateException("the ping was answered before the request itself");
        }
        return Outcome.reply(reply.err(), !pings());
    }

    /** Sends a request and returns its reply, or null when the connection ends first. */
    Reply call(int opCode, byte[] body) throws IOException {
        int xid = nextXid++;
        writeFrame(new Frame().i32(xid).i32(opCode).raw(body).bytes());
        return awaitReply(xid);
    }

    /**
     * True when the server ends the connection without being asked anything more (within the read
     * timeout); false when a reply or the timeout comes first. For a close that follows a reply:
     * ZooKeeper closes after it has written the reply, so a ping sent at once may still be read and
     * answered before the close ({@link #pings} would race with it).
     */
    boolean endsUnasked() throws IOException {
        while (true) {
            byte[] frame;
            try {
                frame = readFrame();
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true; // reset: closed
            }
            if (frame == null) {
                return true;
            }
            if (new DataInputStream(new java.io.ByteArrayInputStream(frame)).readInt() != NOTIFICATION_XID) {
                return false;
            }
        }
    }

    /** True when a ping is answered; false when the connection has ended instead. */
    boolean pings() throws IOException {
        try {
            writeFrame(new Frame().i32(PING_XID).i32(PING_OP).bytes());
        } catch (IOException e) {
            return false; // the server closed and reset the connection
        }
        return awaitReply(PING_XID) != null;
    }

    /** Reads until the reply to {@code xid}; null when the stream ends (or resets) first. */
    private Reply awaitReply(int xid) throws IOException {
        while (true) {
            byte[] frame;
            try {
                frame = readFrame();
            } catch (SocketException e) {
                return null; // reset: closed
            }
            if (frame == null) {
                return null;
            }
            DataInputStream body = new DataInputStream(new java.io.ByteArrayInputStream(frame));
            int replyXid = body.readInt();
            long zxid = body.readLong();
            int err = body.readInt();
            if (replyXid == NOTIFICATION_XID) {
                continue;
            }
            if (replyXid != xid && replyXid != PING_XID) {
                throw new IllegalStateException("reply to xid " + replyXid + " while waiting for " + xid);
            }
            return new Reply(replyXid, zxid, err, body.readAllBytes());
        }
    }

    private void writeFrame(byte[] body) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    /** One frame's body; null at the end of the stream. Fails the test on a read timeout. */
    private byte[] readFrame() throws IOException {
        try {
            int len = in.readInt();
            byte[] body = new byte[len];
            in.readFully(body);
            return body;
        } catch (EOFException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("the server neither answered nor closed within "
                    + READ_TIMEOUT_MS + " ms", e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Builds a request body in jute's encoding, nulls included (length or count -1). */
    static final class Frame {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Frame i32(int v) {
            return write(() -> out.writeInt(v));
        }

        Frame i64(long v) {
            return write(() -> out.writeLong(v));
        }

        Frame bool(boolean v) {
            return write(() -> out.writeBoolean(v));
        }

        /** A string; null is written as length -1. */
        Frame str(String s) {
            return s == null ? i32(-1) : buf(s.getBytes(StandardCharsets.UTF_8));
        }

        /** A buffer; null is written as length -1. */
        Frame buf(byte[] b) {
            if (b == null) {
                return i32(-1);
            }
            i32(b.length);
            return raw(b);
        }

        /** A vector's count; -1 for a null vector. The caller writes the elements. */
        Frame count(int n) {
            return i32(n);
        }

        /** A vector of strings; a null list is count -1, a null element is a null string. */
        Frame strings(java.util.List<String> list) {
            if (list == null) {
                return i32(-1);
            }
            i32(list.size());
            list.forEach(this::str);
            return this;
        }

        /** One ACL entry (perms, scheme, id). */
        Frame acl(int perms, String scheme, String id) {
            return i32(perms).str(scheme).str(id);
        }

        /** world:anyone with every permission, as one-entry vector. */
        Frame openAcl() {
            return count(1).acl(31, "world", "anyone");
        }

        Frame raw(byte[] b) {
            return write(() -> out.write(b));
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        private interface Write {
            void run() throws IOException;
        }

        private Frame write(Write w) {
            try {
                w.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream never throws
            }
            return this;
        }
    }
}
