package io.paddock.server;

import java.io.IOException;

/** A standalone Paddock server: the real shell around one core. (Being built.) */
public final class PaddockServer implements AutoCloseable {
    private final ServerConfig config;

    public PaddockServer(ServerConfig config) {
        this.config = config;
    }

    /** Binds the client port and starts serving; returns once clients can connect. */
    public void start() throws IOException {
        throw new UnsupportedOperationException("not built yet");
    }

    /** The bound client port (useful when the config asked for port 0). */
    public int clientPort() {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void close() {
    }
}
