package io.paddock.core.tree;

/** A znode path that breaks ZooKeeper's path rules; the message says which rule and where. */
public final class InvalidPathException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidPathException(String message) {
        super(message);
    }
}
