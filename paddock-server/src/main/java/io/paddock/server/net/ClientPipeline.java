package io.paddock.server.net;

import io.netty.channel.socket.SocketChannel;
import io.paddock.server.admin.FourLetterWords;
import io.paddock.server.loop.ReplicaLoop;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/** Sets up a new client connection's handlers: frames in, the handler, effects out. */
public final class ClientPipeline {
    private final ClientConnections connections;
    private final ReplicaLoop loop;
    private final int frameBytesMax;
    private final long handshakeTimeoutMs;
    private final IntFunction<CompletableFuture<String>> fourLetterWords;

    public ClientPipeline(ClientConnections connections, ReplicaLoop loop, int frameBytesMax,
                          long handshakeTimeoutMs, IntFunction<CompletableFuture<String>> fourLetterWords) {
        this.connections = connections;
        this.loop = loop;
        this.frameBytesMax = frameBytesMax;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.fourLetterWords = fourLetterWords;
    }

    public void install(SocketChannel ch) {
        ch.pipeline().addLast("frames", new FrameDecoder(frameBytesMax, FourLetterWords::isFourLetterWord));
        ch.pipeline().addLast("encoder", EffectEncoder.INSTANCE);
        ch.pipeline().addLast("client", new ClientHandler(connections, loop, handshakeTimeoutMs, fourLetterWords));
    }
}
