package io.paddock.core.tree;

/**
 * The `ip` ACL scheme without java.net: parses dotted IPv4 and (compressed) IPv6 text and
 * matches an address against an ACL expression "addr" or "addr/bits", with the same accept
 * and reject rules as ZooKeeper's IPAuthenticationProvider.
 */
final class IpAddress {
    private static final int V6_SEGMENTS = 8;
    private static final int V6_SEGMENT_HEX_DIGITS_MAX = 4;

    private IpAddress() {}

    /** Whether {@code expr} ("addr" or "addr/bits") is a valid ip ACL id. */
    static boolean isValidExpression(String expr) {
        String[] parts = expr.split("/", 2);
        byte[] address = parse(parts[0]);
        return address != null && (parts.length == 1 || prefixBits(parts[1], address.length) >= 0);
    }

    /** Whether the client address {@code id} lies in the ACL expression's network. */
    static boolean matches(String id, String expr) {
        String[] parts = expr.split("/", 2);
        byte[] network = parse(parts[0]);
        if (network == null) {
            return false;
        }
        int bits = parts.length == 2 ? prefixBits(parts[1], network.length) : network.length * 8;
        byte[] client = parse(id);
        if (bits < 0 || client == null || client.length != network.length) {
            return false;
        }
        mask(network, bits);
        mask(client, bits);
        for (int i = 0; i < client.length; i++) {
            if (client[i] != network[i]) {
                return false;
            }
        }
        return true;
    }

    /** 4 bytes for IPv4 text, 16 for IPv6 text, null if the text is neither. */
    static byte[] parse(String text) {
        if (text.indexOf(':') >= 0) {
            return parseV6(text);
        }
        if (text.indexOf('.') >= 0) {
            return parseV4(text);
        }
        return null;
    }

    private static byte[] parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            Integer value = parseInt(parts[i], 10);
            if (value == null || value < 0 || value > 255) {
                return null;
            }
            address[i] = (byte) (int) value;
        }
        return address;
    }

    private static byte[] parseV6(String text) {
        String[] halves = text.split("::", -1);
        String[] head;
        String[] tail = new String[0];
        if (halves.length == 1) {
            head = text.split(":", -1);
            if (head.length != V6_SEGMENTS) {
                return null;
            }
        } else if (halves.length == 2) {
            head = halves[0].isEmpty() ? new String[0] : halves[0].split(":", -1);
            tail = halves[1].isEmpty() ? new String[0] : halves[1].split(":", -1);
            if (head.length + tail.length >= V6_SEGMENTS) {
                return null;
            }
        } else {
            return null;
        }
        byte[] address = new byte[16];
        boolean ok = putSegments(address, 0, head) && putSegments(address, 16 - tail.length * 2, tail);
        return ok ? address : null;
    }

    private static boolean putSegments(byte[] address, int offset, String[] segments) {
        int i = offset;
        for (String segment : segments) {
            if (segment.isEmpty() || segment.length() > V6_SEGMENT_HEX_DIGITS_MAX) {
                return false;
            }
            Integer value = parseInt(segment, 16);
            if (value == null) {
                return false;
            }
            address[i++] = (byte) (value >> 8);
            address[i++] = (byte) (int) value;
        }
        return true;
    }

    /** The prefix length, or -1 if it is not a number in 0..8*addressBytes. */
    private static int prefixBits(String text, int addressBytes) {
        Integer bits = parseInt(text, 10);
        return bits == null || bits < 0 || bits > addressBytes * 8 ? -1 : bits;
    }

    /** Clears every bit after the first {@code bits}. */
    private static void mask(byte[] address, int bits) {
        int i = bits / 8;
        if (i < address.length && bits % 8 != 0) {
            address[i] &= (byte) (0xFF << (8 - bits % 8));
            i++;
        }
        for (; i < address.length; i++) {
            address[i] = 0;
        }
    }

    /** Integer.parseInt's verdict (ZooKeeper uses it, signs and all), null instead of a throw. */
    private static Integer parseInt(String text, int radix) {
        try {
            return Integer.parseInt(text, radix);
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }
}
