package io.paddock.core.wire.quorum;

import io.paddock.core.wire.Id;
import java.nio.charset.StandardCharsets;

/**
 * A bounded reader over peer bytes, in one of two modes.
 *
 * <ul>
 *   <li><b>whole</b> ({@link #of}): the slice is one complete message (an election frame's body,
 *       a packet's data buffer); running out of bytes means the message is malformed and throws
 *       {@link PeerProtocolException}.
 *   <li><b>stream</b> ({@link #attempt}): the slice is what has arrived so far on a connection
 *       with no frame length; running out of bytes means "need more", reported as
 *       {@link DecodeResult.NeedMore} with the total this message needs at least.
 * </ul>
 *
 * <p>Guarantees: every length is checked (against its limit, then against the bytes at hand)
 * before an array is allocated or copied; bad input only ever surfaces as
 * {@link PeerProtocolException}. Strings are decoded as ZooKeeper's readers decode them (UTF-8,
 * malformed input replaced).
 */
public final class PeerInput {
    /** Reads one message from a {@link PeerInput}. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(PeerInput in) throws PeerProtocolException;
    }

    private final byte[] bytes;
    private final int start;
    private final int limit;
    private final boolean stream;
    private int pos;

    private PeerInput(byte[] bytes, int offset, int length, boolean stream) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IllegalArgumentException("bad slice " + offset + "+" + length + " of " + bytes.length);
        }
        this.bytes = bytes;
        this.start = offset;
        this.pos = offset;
        this.limit = offset + length;
        this.stream = stream;
    }

    /** A reader over one complete message: running out of bytes is malformed input. */
    public static PeerInput of(byte[] bytes) {
        return new PeerInput(bytes, 0, bytes.length, false);
    }

    /** As {@link #of(byte[])}, over {@code length} bytes from {@code offset}. */
    public static PeerInput of(byte[] bytes, int offset, int length) {
        return new PeerInput(bytes, offset, length, false);
    }

    /**
     * Reads one message from the start of what has arrived on a stream: complete (with the bytes it
     * took), or a valid prefix that needs more bytes. The bytes given are not changed.
     */
    public static <T> DecodeResult<T> attempt(byte[] bytes, int offset, int length, Reader<T> reader)
            throws PeerProtocolException {
        PeerInput in = new PeerInput(bytes, offset, length, true);
        try {
            T value = reader.read(in);
            return new DecodeResult.Complete<>(value, in.pos - in.start);
        } catch (NeedMoreSignal signal) {
            return new DecodeResult.NeedMore<>(signal.bytesNeeded);
        }
    }

    /**
     * Reads a whole message: every byte of the slice must belong to it.
     *
     * @throws PeerProtocolException when it is malformed, short, or followed by other bytes
     */
    public static <T> T readWhole(byte[] bytes, Reader<T> reader, String what) throws PeerProtocolException {
        PeerInput in = of(bytes);
        T value = reader.read(in);
        if (in.remaining() != 0) {
            throw new PeerProtocolException(in.remaining() + " bytes after the end of " + what);
        }
        return value;
    }

    public int remaining() {
        return limit - pos;
    }

    /** Bytes read so far. */
    public int consumed() {
        return pos - start;
    }

    private void need(long n, String what) throws PeerProtocolException {
        if (n <= limit - pos) {
            return;
        }
        if (!stream) {
            throw new PeerProtocolException("truncated " + what + ": need " + n + " bytes, " + (limit - pos) + " left");
        }
        long total = (long) pos - start + n;
        if (total > Integer.MAX_VALUE) {
            throw new PeerProtocolException(what + " would make a message of " + total + " bytes");
        }
        throw new NeedMoreSignal((int) total);
    }

    public int readInt(String what) throws PeerProtocolException {
        need(4, what);
        int v = ((bytes[pos] & 0xff) << 24) | ((bytes[pos + 1] & 0xff) << 16)
                | ((bytes[pos + 2] & 0xff) << 8) | (bytes[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long readLong(String what) throws PeerProtocolException {
        need(8, what);
        long hi = readInt(what) & 0xffffffffL;
        long lo = readInt(what) & 0xffffffffL;
        return (hi << 32) | lo;
    }

    /** The next {@code length} bytes, copied; {@code length} must already be checked against its limit. */
    public byte[] readBytes(int length, String what) throws PeerProtocolException {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length + " for " + what);
        }
        need(length, what);
        byte[] out = new byte[length];
        System.arraycopy(bytes, pos, out, 0, length);
        pos += length;
        return out;
    }

    /** Skips {@code length} bytes (that must be there, or arrive). */
    public void skip(int length, String what) throws PeerProtocolException {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length + " for " + what);
        }
        need(length, what);
        pos += length;
    }

    /**
     * A jute length or count (4 bytes): -1 (the null form) when {@code nullable}, else 0 to
     * {@code max}. Anything else is malformed, named by {@code what}.
     */
    public int readLength(String what, int max, boolean nullable) throws PeerProtocolException {
        int length = readInt(what);
        if (length == -1 && nullable) {
            return -1;
        }
        if (length < 0 || length > max) {
            throw new PeerProtocolException(what + " length " + length + " outside [" + (nullable ? -1 : 0) + ", " + max + "]");
        }
        return length;
    }

    /** A jute buffer: a length (-1 for null) up to {@code max}, then that many bytes. */
    public byte[] readBuffer(String what, int max) throws PeerProtocolException {
        int length = readLength(what, max, true);
        return length == -1 ? null : readBytes(length, what);
    }

    /** A jute string that may not be null: a length up to {@code max}, then UTF-8 bytes. */
    public String readNonNullString(String what, int max) throws PeerProtocolException {
        int length = readLength(what, max, false);
        need(length, what);
        String s = new String(bytes, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** A jute {@code org.apache.zookeeper.data.Id}; neither part may be null. */
    public Id readId(String what, int stringBytesMax) throws PeerProtocolException {
        String scheme = readNonNullString(what + " scheme", stringBytesMax);
        String id = readNonNullString(what + " id", stringBytesMax);
        return new Id(scheme, id);
    }

    /**
     * Thrown only inside {@link #attempt} (which catches it) when a stream runs out: a valid
     * prefix, not an error. Without a stack trace: it is control flow, and it is frequent.
     */
    private static final class NeedMoreSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int bytesNeeded;

        NeedMoreSignal(int bytesNeeded) {
            super(null, null, false, false);
            this.bytesNeeded = bytesNeeded;
        }
    }
}
