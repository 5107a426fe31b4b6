package io.paddock.core.storage;

/**
 * A snapshot file is truncated, damaged or not ours. Names the file and the byte offset of the
 * frame (or field) where reading failed. The caller falls back to an older snapshot.
 */
public final class CorruptSnapshotException extends Exception {
    private final String fileName;
    private final long offset;
    private final String reason;

    public CorruptSnapshotException(String fileName, long offset, String reason) {
        super("corrupt snapshot " + fileName + " at offset " + offset
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
