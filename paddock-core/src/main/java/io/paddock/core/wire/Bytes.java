package io.paddock.core.wire;

/** Helpers for records that hold a {@code byte[]} (records compare arrays by identity). */
final class Bytes {
    private Bytes() {}

    /**
     * A short description for toString: only the length, never the content, because these
     * buffers carry passwords and credentials as often as znode data.
     */
    static String describe(byte[] b) {
        return b == null ? "null" : "byte[" + b.length + "]";
    }
}
