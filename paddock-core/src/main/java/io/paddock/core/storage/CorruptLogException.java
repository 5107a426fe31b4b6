package io.paddock.core.storage;

/**
 * A transaction log holds damage that is not a torn tail: data the server may have committed is
 * unreadable, so it must not start on this file as if nothing happened. Names the file and the
 * byte offset where the damage starts, for the operator.
 */
public final class CorruptLogException extends Exception {
    private final String fileName;
    private final long offset;
    private final String reason;

    public CorruptLogException(String fileName, long offset, String reason) {
        super("corrupt transaction log " + fileName + " at offset " + offset
                + " (0x" + Long.toHexString(offset) + "): " + reason);
        this.fileName = fileName;
        this.offset = offset;
        this.reason = reason;
    }

    public String fileName() {
        return fileName;
    }

    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
