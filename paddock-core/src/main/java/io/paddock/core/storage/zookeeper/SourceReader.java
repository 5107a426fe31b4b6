package io.paddock.core.storage.zookeeper;

import io.paddock.core.storage.ByteSource;
import java.util.zip.Adler32;

/**
 * A {@link ByteSource} read front to back through one growing buffer: what a reader has looked at
 * stays until it {@link #consume}s it, the offset counts consumed bytes from the start of the
 * file, and an optional Adler32 covers every consumed byte (ZooKeeper's {@code
 * CheckedInputStream}). Callers bound what they {@link #ensure}.
 */
final class SourceReader {
    private static final int FIRST_BUFFER_BYTES = 64 * 1024;

    private final ByteSource source;
    private final Adler32 checksum;
    private byte[] buf = new byte[FIRST_BUFFER_BYTES];
    private int pos;
    private int end;
    private boolean sourceEnded;
    private long offset;

    SourceReader(ByteSource source, boolean checksummed) {
        this.source = source;
        this.checksum = checksummed ? new Adler32() : null;
    }

    /**
     * Makes at least {@code n} unconsumed bytes available; false when the source ends first. The
     * buffer grows only as bytes arrive (at most doubling), so a length read from damaged bytes
     * never allocates more than about twice what the source holds.
     */
    boolean ensure(int n) {
        if (end - pos >= n) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, end - pos);
            end -= pos;
            pos = 0;
        }
        while (end < n && !sourceEnded) {
            if (end == buf.length) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(n, Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
            }
            int r = source.read(buf, end, buf.length - end);
            if (r < 0) {
                sourceEnded = true;
            } else if (r == 0) {
                throw new IllegalStateException("ByteSource read 0 bytes: it must block or report the end");
            } else {
                end += r;
            }
        }
        return end - pos >= n;
    }

    /** Unconsumed bytes at hand (without reading more). */
    int available() {
        return end - pos;
    }

    byte[] array() {
        return buf;
    }

    /** Where the unconsumed bytes start in {@link #array()}. */
    int position() {
        return pos;
    }

    /** The file offset of the first unconsumed byte. */
    long offset() {
        return offset;
    }

    void consume(int n) {
        if (n < 0 || n > end - pos) {
            throw new IllegalArgumentException("consume " + n + " of " + (end - pos));
        }
        if (checksum != null) {
            checksum.update(buf, pos, n);
        }
        pos += n;
        offset += n;
    }

    /** The Adler32 of every byte consumed so far. */
    long checksum() {
        return checksum.getValue();
    }

    /** A big-endian int at {@code at} bytes past the position (which must be at hand). */
    int intAt(int at) {
        int p = pos + at;
        return ((buf[p] & 0xff) << 24) | ((buf[p + 1] & 0xff) << 16) | ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff);
    }

    long longAt(int at) {
        return ((long) intAt(at) << 32) | (intAt(at + 4) & 0xffffffffL);
    }

    /** Reads and consumes an int (4 bytes that must be at hand). */
    int takeInt() {
        int v = intAt(0);
        consume(4);
        return v;
    }

    long takeLong() {
        long v = longAt(0);
        consume(8);
        return v;
    }

    /**
     * Whether every byte from the position to the end of the source is zero (true when none is
     * left). Reads the rest of the source without keeping it: the reader is spent afterwards.
     */
    boolean restIsZero() {
        while (true) {
            for (int i = pos; i < end; i++) {
                if (buf[i] != 0) {
                    return false;
                }
            }
            offset += end - pos;
            pos = 0;
            end = 0;
            if (sourceEnded) {
                return true;
            }
            int r = source.read(buf, 0, buf.length);
            if (r < 0) {
                sourceEnded = true;
            } else {
                end = r;
            }
        }
    }
}
