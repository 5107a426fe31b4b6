package io.paddock.core.wire;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Writes values in Apache Jute's binary encoding, the one ZooKeeper's client protocol uses:
 * big-endian ints and longs, booleans as one byte, strings and buffers as a 4-byte length
 * (-1 for null) followed by the bytes, vectors as a 4-byte count (-1 for null) then elements.
 */
public final class JuteWriter {
    private byte[] bytes;
    private int size;

    public JuteWriter() {
        this(64);
    }

    public JuteWriter(int initialCapacity) {
        this.bytes = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        int needed = size + extra;
        if (needed > bytes.length) {
            // Half as much again as needed: a record's fields after a large buffer (a setData's
            // version after its 1 KiB of data) then fit without a second copy of it all.
            long grown = Math.max((long) needed + (needed >> 1), bytes.length * 2L);
            bytes = Arrays.copyOf(bytes, (int) Math.max(needed, Math.min(grown, Integer.MAX_VALUE - 8)));
        }
    }

    public JuteWriter writeByte(int v) {
        ensure(1);
        bytes[size++] = (byte) v;
        return this;
    }

    public JuteWriter writeBool(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    public JuteWriter writeInt(int v) {
        ensure(4);
        bytes[size++] = (byte) (v >>> 24);
        bytes[size++] = (byte) (v >>> 16);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
        return this;
    }

    public JuteWriter writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    public JuteWriter writeBuffer(byte[] b) {
        if (b == null) {
            return writeInt(-1);
        }
        writeInt(b.length);
        return writeRaw(b, 0, b.length);
    }

    /**
     * Writes a string as Jute does, which is not quite UTF-8: each UTF-16 char is encoded on its
     * own in 1-3 bytes, so a supplementary character (a surrogate pair) takes 6 bytes, not 4, and
     * a lone surrogate takes 3 rather than becoming '?'. Readers decode with plain UTF-8.
     */
    public JuteWriter writeString(String s) {
        if (s == null) {
            return writeInt(-1);
        }
        int length = juteStringLength(s);
        writeInt(length);
        ensure(length);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes[size++] = (byte) c;
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xc0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3f));
            } else {
                bytes[size++] = (byte) (0xe0 | (c >> 12));
                bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                bytes[size++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return this;
    }

    /** The number of bytes {@link #writeString} writes for {@code s} after its length prefix. */
    public static int juteStringLength(String s) {
        long length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            length += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("string of " + length + " bytes is too long for Jute");
        }
        return (int) length;
    }

    public JuteWriter writeRaw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
        return this;
    }

    /** Writes a vector: its count (-1 when null), then each element with {@code element}. */
    public <T> JuteWriter writeVector(List<T> list, BiConsumer<JuteWriter, T> element) {
        if (list == null) {
            return writeInt(-1);
        }
        writeInt(list.size());
        // By index, no iterator: this runs for every reply and log record, and every list we
        // encode is array-backed (ArrayList, List.of, decoded vectors).
        for (int i = 0; i < list.size(); i++) {
            element.accept(this, list.get(i));
        }
        return this;
    }

    public JuteWriter writeStringVector(List<String> list) {
        return writeVector(list, JuteWriter::writeString);
    }

    public JuteWriter write(JuteRecord r) {
        r.write(this);
        return this;
    }

    /** Overwrites 4 bytes at {@code position} (used to fill in a frame length afterwards). */
    public void putInt(int position, int v) {
        if (position < 0 || position + 4 > size) {
            throw new IllegalArgumentException("putInt at " + position + " outside size " + size);
        }
        bytes[position] = (byte) (v >>> 24);
        bytes[position + 1] = (byte) (v >>> 16);
        bytes[position + 2] = (byte) (v >>> 8);
        bytes[position + 3] = (byte) v;
    }

    public int size() {
        return size;
    }

    /**
     * Forgets what was written and keeps the buffer, so one writer can serve many messages
     * without allocating. A buffer that grew past {@code keepBytesMax} is dropped for a new one
     * of {@code keepBytesMax}, so one huge message does not pin its memory for good.
     */
    public JuteWriter reset(int keepBytesMax) {
        size = 0;
        if (bytes.length > keepBytesMax) {
            bytes = new byte[Math.max(16, keepBytesMax)];
        }
        return this;
    }

    /** The bytes written so far, as a new array. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /**
     * The bytes written, for a writer that is done: its backing array itself when it is exactly
     * full (no copy; a writer sized exactly for what it writes), else a copy as {@link
     * #toByteArray}. Nothing may be written to this writer after it.
     */
    public byte[] finish() {
        byte[] out = size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        bytes = EMPTY;
        size = 0;
        return out;
    }

    private static final byte[] EMPTY = new byte[0];

    /** The backing array; only the first {@link #size()} bytes are meaningful. */
    public byte[] array() {
        return bytes;
    }
}
