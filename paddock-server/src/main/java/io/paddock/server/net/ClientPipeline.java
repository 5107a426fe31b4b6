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
        ch.pipeline().addLast("frames", new FrameDecoder(frameBytesMax, FourLetterWords::isFourLetterWord));
        ch.pipeline().addLast("encoder", EffectEncoder.INSTANCE);
        ch.pipeline().addLast("client", new ClientHandler(connections, loop, handshakeTimeoutMs, fourLetterWords,
                acceptsSessions));
    }

    private static ByteBufAllocator newAllocator(int arenas) {
        return new PooledByteBufAllocator(true, arenas, arenas, PAGE_BYTES, CHUNK_ORDER,
                PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
                false);
    }
}
