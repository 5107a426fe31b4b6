package io.paddock.core.storage;

/**
 * Bytes to decode, pulled in pieces so a large snapshot need not be held whole in memory. The
 * server implements it over a file (wrapping IOException in UncheckedIOException); the
 * simulator and tests use {@link #of(byte[])}.
 */
public interface ByteSource {
    /** Reads up to {@code length} bytes into {@code dst}: the count read (at least 1), or -1 at the end. */
    int read(byte[] dst, int offset, int length);

    static ByteSource of(byte[] bytes) {
        return new ByteSource() {
            private int pos;

            @Override
            public int read(byte[] dst, int offset, int length) {
                if (pos == bytes.length) {
                    return -1;
                }
                int n = Math.min(length, bytes.length - pos);
                System.arraycopy(bytes, pos, dst, offset, n);
                pos += n;
                return n;
            }
        };
    }
}
