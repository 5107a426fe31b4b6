package io.paddock.core.storage;

/**
 * A transaction log holds damage that is not a torn tail: data the server may have committed is
 * unreadable, so it must not start on this file as if nothing happened. Names the file and the
 * byte offset where the damage starts, for the operator.
 */
public final class CorruptLogException extends CorruptFileException {
    public CorruptLogException(String fileName, long offset, String reason) {
        super("transaction log", fileName, offset, reason);
    }
}
