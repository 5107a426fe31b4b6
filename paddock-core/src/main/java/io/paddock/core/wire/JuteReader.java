package io.paddock.core.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads Apache Jute's binary encoding (see {@link JuteWriter}) from a byte array. Every length
 * and count is checked against the bytes that remain, so a hostile frame can never make the
 * reader allocate more than the frame itself holds; a violation throws {@link WireException}.
 */
public final class JuteReader {
    private final byte[] bytes;
    private final int limit;
    private int pos;

    public JuteReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    public JuteReader(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IllegalArgumentException("bad slice " + offset + "+" + length + " of " + bytes.length);
        }
        this.bytes = bytes;
        this.pos = offset;
        this.limit = offset + length;
    }

    private void need(int n, String what) {
        if (n < 0 || limit - pos < n) {
            throw new WireException("truncated " + what + ": need " + n + " bytes, " + (limit - pos) + " left");
        }
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    public int position() {
        return pos;
    }

    public byte readByte() {
        need(1, "byte");
        return bytes[pos++];
    }

    public boolean readBool() {
        return readByte() != 0;
    }

    public int readInt() {
        need(4, "int");
        int v = ((bytes[pos] & 0xff) << 24) | ((bytes[pos + 1] & 0xff) << 16)
                | ((bytes[pos + 2] & 0xff) << 8) | (bytes[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long readLong() {
        long hi = readInt() & 0xffffffffL;
        long lo = readInt() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    /** A length-prefixed byte buffer; null when the length is -1. */
    public byte[] readBuffer() {
        int len = readInt();
        if (len == -1) {
            return null;
        }
        if (len < -1) {
            throw new WireException("negative buffer length " + len);
        }
        need(len, "buffer");
        byte[] out = new byte[len];
        System.arraycopy(bytes, pos, out, 0, len);
        pos += len;
        return out;
    }

    /** A length-prefixed UTF-8 string; null when the length is -1. */
    public String readString() {
        int len = readInt();
        if (len == -1) {
            return null;
        }
        if (len < -1) {
            throw new WireException("negative string length " + len);
        }
        need(len, "string");
        String s = new String(bytes, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /**
     * A string as {@link #readString()} reads it, except that when its bytes spell one of
     * {@code known} (ASCII strings) that very instance is returned and nothing is allocated:
     * common values such as ACL schemes and ids decode for free.
     */
    public String readString(String[] known) {
        int start = pos;
        int len = readInt();
        if (len >= 0 && len <= limit - pos) {
            for (String s : known) {
                if (spells(s, len)) {
                    pos += len;
                    return s;
                }
            }
        }
        pos = start;
        return readString();
    }

    private boolean spells(String s, int len) {
        if (s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || bytes[pos + i] != (byte) c) { // a non-ASCII known string never matches
                return false;
            }
        }
        return true;
    }

    /**
     * A vector; null when the count is -1. Each element needs at least one byte on the wire,
     * which bounds the count by the bytes left before anything is allocated.
     */
    public <T> List<T> readVector(Function<JuteReader, T> element) {
        int count = readVectorCount();
        if (count == -1) {
            return null;
        }
        List<T> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(element.apply(this));
        }
        return out;
    }

    /**
     * A vector's count, checked as {@link #readVector} checks it (-1 for a null vector), for a
     * caller that reads the elements itself.
     */
    public int readVectorCount() {
        int count = readInt();
        if (count < -1 || count > remaining()) {
            throw new WireException("bad vector count " + count + " with " + remaining() + " bytes left");
        }
        return count;
    }

    public List<String> readStringVector() {
        return readVector(JuteReader::readString);
    }
}
