package io.paddock.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.RequestHeader;
import io.paddock.core.wire.Requests;
import io.paddock.core.wire.UnknownOpCodeException;
import io.paddock.core.wire.WireException;
import io.paddock.server.loop.ReplicaLoop;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: turns frames into events for the loop. The first frame must be a
 * ConnectRequest; until it arrives (bounded by the handshake timeout) nothing else is
 * accepted. Bad input closes this connection with one log line and touches no one else: a
 * frame that does not decode is answered MARSHALLINGERROR, an unknown op code UNIMPLEMENTED,
 * and then the connection is closed (the session lives on and can be resumed).
 *
 * <p>A frame is decoded at once from a copy in a buffer the I/O thread reuses; the decoded
 * records own their strings and byte arrays, so nothing of the frame is shared once this
 * handler returns, and the frame is released here.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);
    /** Frames up to this size are decoded from the I/O thread's reused buffer; larger get their own. */
    static final int SCRATCH_BYTES = 64 * 1024;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_BYTES];
        }
    };

    private final ClientConnections connections;
    private final ReplicaLoop loop;
    private final long handshakeTimeoutMs;
    private final IntFunction<CompletableFuture<String>> fourLetterWords;
    private ClientConnections.Conn conn;
    private boolean handshakeDone;
    private boolean failed;
    /** A four-letter word was read; its answer is written, then the connection closes. */
    private boolean answeringWord;
    private ScheduledFuture<?> handshakeTimer;

    private final BooleanSupplier acceptsSessions;
    /** SASL for clients, or null where the server has no JAAS section for it. */
    private final ClientSasl sasl;

    ClientHandler(ClientConnections connections, ReplicaLoop loop, long handshakeTimeoutMs,
                  IntFunction<CompletableFuture<String>> fourLetterWords, BooleanSupplier acceptsSessions,
                  ClientSasl sasl) {
        this.acceptsSessions = acceptsSessions;
        this.sasl = sasl;
        this.connections = connections;
        this.loop = loop;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.fourLetterWords = fourLetterWords;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        conn = connections.open(ctx.channel(), addressOf(ctx.channel().remoteAddress()));
        if (conn == null) {
            ctx.close();
            return;
        }
        // Bounds both the handshake and the wait for a four-letter word's answer (a connection
        // half-closed by its client stays open until that answer is written).
        handshakeTimer = ctx.executor().schedule(() -> {
            if (answeringWord) {
                fail(ctx, "four-letter word not answered within " + handshakeTimeoutMs + " ms");
            } else if (!handshakeDone) {
                fail(ctx, "no ConnectRequest within " + handshakeTimeoutMs + " ms");
            }
        }, handshakeTimeoutMs, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (saslExchange != null) {
            saslExchange.dispose();
            saslExchange = null;
        }
        if (conn != null) {
            connections.closed(conn);
            if (handshakeDone) {
                loop.post(new Event.ClientClosed(conn.id));
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (failed || conn == null) {
                return;
            }
            if (!transportVerified && !(transportVerified = tlsVerified(ctx))) {
                // A TLS connection whose handshake did not end in an identity (refused and closing):
                // nothing it sent behind the handshake is taken, as ZooKeeper drops a closing channel's input.
                failed = true;
                ctx.close();
                return;
            }
            if (msg instanceof FrameDecoder.FourLetterWordRequest word) {
                answerFourLetterWord(ctx, word.code());
            } else if (!handshakeDone) {
                handshake(ctx, readerOf((ByteBuf) msg));
            } else {
                request(ctx, readerOf((ByteBuf) msg));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Set once {@link #tlsVerified} held: a frame's path then looks nothing up. */
    private boolean transportVerified;

    /** Plain connections pass; a TLS one only once its handshake listener has set what it proved (maybe nothing). */
    private static boolean tlsVerified(ChannelHandlerContext ctx) {
        return ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null
                || ctx.channel().attr(Tls.TRANSPORT_IDS).get() != null;
    }

    /** A reader over a copy of the frame's bytes, valid until this handler returns. */
    private static JuteReader readerOf(ByteBuf frame) {
        int length = frame.readableBytes();
        if (frame.hasArray()) {
            return new JuteReader(frame.array(), frame.arrayOffset() + frame.readerIndex(), length);
        }
        byte[] bytes = length <= SCRATCH_BYTES ? SCRATCH.get() : new byte[length];
        frame.getBytes(frame.readerIndex(), bytes, 0, length);
        return new JuteReader(bytes, 0, length);
    }

    private void handshake(ChannelHandlerContext ctx, JuteReader in) {
        if (!acceptsSessions.getAsBoolean()) {
            // ZooKeeper closes a new session's connection while it is not serving ("ZooKeeperServer
            // not running"); the client sees connection loss and tries again, maybe another server.
            LOG.debug("closing {}: this server is not serving clients", ctx.channel().remoteAddress());
            failed = true;
            ctx.close();
            return;
        }
        ConnectRequest request;
        try {
            request = ConnectRequest.read(in);
        } catch (WireException e) {
            fail(ctx, "malformed ConnectRequest: " + e.getMessage());
            return;
        }
        handshakeDone = true;
        handshakeTimer.cancel(false);
        connections.packetReceived(conn); // as ZooKeeper counts a ConnectRequest
        java.util.List<io.paddock.core.wire.Id> proved = ctx.channel().attr(Tls.TRANSPORT_IDS).get(); // null: plain
        loop.post(new Event.ClientConnected(conn.id, request, conn.address, proved == null ? java.util.List.of() : proved));
    }

    private void request(ChannelHandlerContext ctx, JuteReader in) {
        RequestHeader header;
        try {
            header = RequestHeader.read(in);
        } catch (WireException e) {
            fail(ctx, "malformed request header: " + e.getMessage());
            return;
        }
        JuteRecord body;
        try {
            body = Requests.decodeRequest(header.type(), in);
        } catch (UnknownOpCodeException e) {
            // ZooKeeper's header carries zxid -1 here (for check, op 13, outside a multi too).
            replyAndClose(ctx, header.xid(), -1, Code.UNIMPLEMENTED, "unknown op code " + header.type());
            return;
        } catch (WireException e) {
            // ZooKeeper's header carries its last processed zxid here.
            replyAndClose(ctx, header.xid(), loop.appliedZxid(), Code.MARSHALLING_ERROR,
                    "request (op " + header.type() + ") does not decode: " + e.getMessage());
            return;
        }
        connections.requestArrived(conn, header.type());
        if (header.type() == io.paddock.core.wire.OpCode.SASL && sasl != null
                && ((io.paddock.core.wire.GetSASLRequest) body).token() != null) {
            body = saslStep(((io.paddock.core.wire.GetSASLRequest) body).token());
            if (body == null) {
                fail(ctx, "no SASL exchange could be started for it");
                return;
            }
        }
        loop.post(new Event.ClientRequest(conn.id, header.xid(), header.type(), body));
    }

    /** This connection's SASL exchange, begun by its first sasl packet; null before that. */
    private ClientSasl.Exchange saslExchange;

    /** A client's SASL token, evaluated here, on the I/O thread; null where no exchange could begin. */
    private io.paddock.core.SaslStep saslStep(byte[] token) {
        if (saslExchange == null) {
            try {
                saslExchange = sasl.newExchange();
            } catch (javax.security.sasl.SaslException e) {
                LOG.warn("cannot start a SASL exchange for {}: {}", conn.address, e.toString());
                return null;
            }
        }
        return sasl.evaluate(saslExchange, token, conn.address);
    }

    /**
     * The client shut its sending side (the channel allows half-closure). A connection that is
     * writing its last answer (a four-letter word's, or an error reply) stays open until that is
     * written, then closes ({@code echo ruok | nc} shuts its side right after the word); any
     * other connection is closed now, as ZooKeeper closes at end of input. The decoder before
     * this handler has already passed on whatever the last bytes completed.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            if (!failed) {
                LOG.debug("client {} closed its side of the connection", ctx.channel().remoteAddress());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    private void answerFourLetterWord(ChannelHandlerContext ctx, int code) {
        failed = true;
        answeringWord = true;
        if (conn != null) {
            connections.packetReceived(conn); // ZooKeeper counts a word as a packet received, before answering it
        }
        fourLetterWords.apply(code).whenComplete((text, error) -> {
            String answer = error == null ? text : "error: " + error.getMessage() + "\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.UTF_8))
                    .addListener(ChannelFutureListener.CLOSE);
        });
    }

    private void replyAndClose(ChannelHandlerContext ctx, int xid, long zxid, int err, String reason) {
        failed = true;
        LOG.warn("closing connection from {}: {}", conn.address, reason);
        ctx.writeAndFlush(new Effect.Reply(conn.id, xid, zxid, err, null)).addListener(ChannelFutureListener.CLOSE);
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        failed = true;
        LOG.warn("closing connection from {}: {}", conn == null ? ctx.channel().remoteAddress() : conn.address, reason);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (answeringWord) {
            // A 4lw client that reset its connection before the answer: nothing is lost.
            LOG.debug("four-letter word connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        fail(ctx, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private static String addressOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
