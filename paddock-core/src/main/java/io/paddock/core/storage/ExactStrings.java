package io.paddock.core.storage;

import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.WireException;
import java.nio.charset.StandardCharsets;

/**
 * Strings on disk must come back exactly as they were applied, or a replica recovered from its
 * log would hold different paths than one that never restarted. {@link JuteWriter#writeString}
 * encodes each UTF-16 char on its own in 1-3 bytes, which is reversible, but {@link
 * JuteReader#readString} decodes as UTF-8 (as ZooKeeper does) and so turns a surrogate pair into
 * replacement chars. Storage therefore writes with the Jute writer and reads with this exact
 * inverse, char by char, rejecting any byte sequence the writer cannot produce.
 */
final class ExactStrings {
    private ExactStrings() {}

    static void write(JuteWriter out, String s) {
        out.writeString(s);
    }

    /** The string {@link #write} wrote; null when it wrote null. */
    static String read(JuteReader in) {
        byte[] bytes = in.readBuffer();
        return bytes == null ? null : decode(bytes);
    }

    static String decode(byte[] bytes) {
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1); // the common case: one copy, no builder
        }
        StringBuilder out = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                out.append((char) b);
                i += 1;
            } else if ((b & 0xe0) == 0xc0) {
                out.append(notOverlong(((b & 0x1f) << 6) | continuation(bytes, i + 1), 0x80, i));
                i += 2;
            } else if ((b & 0xf0) == 0xe0) {
                int high = continuation(bytes, i + 1);
                int low = continuation(bytes, i + 2);
                out.append(notOverlong(((b & 0x0f) << 12) | (high << 6) | low, 0x800, i));
                i += 3;
            } else {
                throw new WireException("bad string byte 0x" + Integer.toHexString(b) + " at " + i);
            }
        }
        return out.toString();
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The writer encodes each char in the fewest bytes, so a longer form (0x29 as C1 A9) is not
     * ours: accepting it would decode to a string that re-encodes to other bytes.
     */
    private static char notOverlong(int c, int min, int index) {
        if (c < min) {
            throw new WireException("overlong encoding of char 0x" + Integer.toHexString(c) + " at " + index);
        }
        return (char) c;
    }

    private static int continuation(byte[] bytes, int index) {
        if (index >= bytes.length || (bytes[index] & 0xc0) != 0x80) {
            throw new WireException("cut or bad multi-byte char at " + index);
        }
        return bytes[index] & 0x3f;
    }
}
