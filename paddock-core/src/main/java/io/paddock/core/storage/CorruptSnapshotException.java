package io.paddock.core.storage;

/**
 * A snapshot file is truncated, damaged or not ours. Names the file and the byte offset of the
 * frame (or field) where reading failed. The caller falls back to an older snapshot.
 */
public final class CorruptSnapshotException extends CorruptFileException {
    public CorruptSnapshotException(String fileName, long offset, String reason) {
        super("snapshot", fileName, offset, reason);
    }
}
