package io.paddock.server.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.paddock.server.admin.FourLetterWords;
import io.paddock.server.loop.ReplicaLoop;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/** Sets up a new client connection's handlers: frames in, the handler, effects out. */
public final class ClientPipeline {
    static final int PAGE_BYTES = 8192;
    /** Chunks of {@code PAGE_BYTES << CHUNK_ORDER} = 512 KB. */
    static final int CHUNK_ORDER = 6;
    /**
     * Client connections' buffers come from a pool sized for this server rather than Netty's
     * default (4 MB chunks in 2 x cores arenas): one arena per I/O thread and 512 KB chunks
     * (8 KB pages, order 6). Requests and replies are small and short-lived, so this holds far
     * less direct memory; a buffer larger than a chunk is allocated on its own and freed on
     * release.
     */
    static final ByteBufAllocator ALLOCATOR = newAllocator(Math.max(2, Runtime.getRuntime().availableProcessors()));
    private final ClientConnections connections;
    private final ReplicaLoop loop;
    private final int frameBytesMax;
    private final long handshakeTimeoutMs;
    private final IntFunction<CompletableFuture<String>> fourLetterWords;

    private final BooleanSupplier acceptsSessions;
    /** SASL for clients, or null for none: set before the port opens. */
    private volatile ClientSasl sasl;

    /** Runs SASL exchanges with {@code sasl} (null for none) on every connection opened after this call. */
    public ClientPipeline withSasl(ClientSasl sasl) {
        this.sasl = sasl;
        return this;
    }

    public ClientPipeline(ClientConnections connections, ReplicaLoop loop, int frameBytesMax,
                          long handshakeTimeoutMs, IntFunction<CompletableFuture<String>> fourLetterWords) {
        this(connections, loop, frameBytesMax, handshakeTimeoutMs, fourLetterWords, () -> true);
    }

    /**
     * {@code acceptsSessions}: false while the server must not serve clients (an ensemble member
     * before replication); a ConnectRequest then closes its connection, four-letter words are answered.
     */
    public ClientPipeline(ClientConnections connections, ReplicaLoop loop, int frameBytesMax,
                          long handshakeTimeoutMs, IntFunction<CompletableFuture<String>> fourLetterWords,
                          BooleanSupplier acceptsSessions) {
        this.acceptsSessions = acceptsSessions;
        this.connections = connections;
        this.loop = loop;
        this.frameBytesMax = frameBytesMax;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.fourLetterWords = fourLetterWords;
    }

    public void install(Channel ch) {
        ch.config().setAllocator(ALLOCATOR);
        addClientHandlers(ch);
    }

    /** A connection on secureClientPort: TLS first, then what every client connection has. */
    public void installSecure(Channel ch, Tls tls) {
        ch.config().setAllocator(ALLOCATOR);
        ch.pipeline().addLast(TLS, tls.context().newHandler(ch.alloc()));
        ch.pipeline().addLast(TLS_DONE, new TlsHandshakeListener(tls));
        addClientHandlers(ch);
    }

    /**
     * A connection on clientPort with client.portUnification=true: TLS when its first bytes are a
     * TLS record, plain otherwise (ZooKeeper's DualModeSslHandler; four bytes that are a
     * four-letter word are plain too, so {@code ruok} without a newline is answered).
     */
    public void installUnified(Channel ch, Tls tls) {
        ch.config().setAllocator(ALLOCATOR);
        ch.pipeline().addLast(DETECT, new TlsDetector(tls));
        addClientHandlers(ch);
    }

    static final String TLS = "tls";
    static final String TLS_DONE = "tls-done";
    static final String DETECT = "tls-detect";

    /** Decides, from the first bytes, whether a unified-port connection speaks TLS. */
    private static final class TlsDetector extends io.netty.handler.codec.ByteToMessageDecoder {
        private final Tls tls;

        TlsDetector(Tls tls) {
            this.tls = tls;
        }

        @Override
        protected void decode(io.netty.channel.ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, java.util.List<Object> out) {
            int readable = in.readableBytes();
            if (readable < 5) {
                if (readable == 4 && FourLetterWords.isFourLetterWord(in.getInt(in.readerIndex()))) {
                    ctx.pipeline().remove(this);
                }
                return;
            }
            if (io.netty.handler.ssl.SslHandler.isEncrypted(in)) {
                ctx.pipeline().addAfter(DETECT, TLS_DONE, new TlsHandshakeListener(tls));
                ctx.pipeline().addAfter(DETECT, TLS, tls.context().newHandler(ctx.alloc()));
            }
            ctx.pipeline().remove(this); // what it holds goes on to the next handler
        }
    }

    /**
     * After the TLS handshake: the identities it proved go on the channel for the ConnectRequest
     * (they are there before any request: the handshake's event comes before its data); a failed
     * handshake is logged (the TLS handler closes the connection), and so is one whose
     * certificate cannot be taken, which is closed here.
     */
    private static final class TlsHandshakeListener extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final Tls tls;

        TlsHandshakeListener(Tls tls) {
            this.tls = tls;
        }

        @Override
        public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done) {
                ctx.pipeline().remove(this);
                if (!done.isSuccess()) {
                    LOG.warn("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), done.cause().toString());
                } else {
                    String[] why = new String[1];
                    var ids = tls.provedIds(ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class).engine(), why);
                    if (ids == null) {
                        LOG.warn("closing TLS connection from {}: {}", ctx.channel().remoteAddress(), why[0]);
                        ctx.close();
                        return;
                    }
                    ctx.channel().attr(Tls.TRANSPORT_IDS).set(ids); // empty: anonymous, but verified
                }
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClientPipeline.class);

    private void addClientHandlers(Channel ch) {
        ch.pipeline().addLast("frames", new FrameDecoder(frameBytesMax, FourLetterWords::isFourLetterWord));
        ch.pipeline().addLast("encoder", EffectEncoder.INSTANCE);
        ch.pipeline().addLast("client", new ClientHandler(connections, loop, handshakeTimeoutMs, fourLetterWords,
                acceptsSessions, sasl));
    }

    private static ByteBufAllocator newAllocator(int arenas) {
        return new PooledByteBufAllocator(true, arenas, arenas, PAGE_BYTES, CHUNK_ORDER,
                PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
                false);
    }
}
