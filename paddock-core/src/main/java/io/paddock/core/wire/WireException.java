package io.paddock.core.wire;

/** Bytes that do not decode as the expected record: an operating error, not a bug. */
public final class WireException extends RuntimeException {
    public WireException(String message) {
        super(message);
    }
}
