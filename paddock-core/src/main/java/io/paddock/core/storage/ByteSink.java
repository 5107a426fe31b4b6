package io.paddock.core.storage;

/**
 * Where encoded bytes go, in order, one bounded piece at a time (see {@link
 * SnapshotFormat#encode(SnapshotSource, ByteSink)}). The server implements it over a file
 * (wrapping IOException in UncheckedIOException). The sink must copy what it keeps: the array
 * is reused for the next piece as soon as {@link #write} returns.
 */
public interface ByteSink {
    void write(byte[] bytes, int offset, int length);
}
