package io.paddock.core.storage;

/** A data file with damage at a known place: names the file and the byte offset for the operator. */
public abstract class CorruptFileException extends Exception {
    private final String fileName;
    private final long offset;
    private final String reason;

    protected CorruptFileException(String what, String fileName, long offset, String reason) {
        super("corrupt " + what + " " + fileName + " at offset " + offset
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
