package io.paddock.server.storage;

/** The data on disk cannot be trusted; the server refuses to start and says why. */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }
}
