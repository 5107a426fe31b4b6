package io.paddock.core.request;

/** A request that fails validation; {@code code} is the ZooKeeper error code the client gets. */
public final class PrepException extends Exception {
    private final int code;

    public PrepException(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
