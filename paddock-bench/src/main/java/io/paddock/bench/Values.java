package io.paddock.bench;

/** The payloads written: a fixed pattern, so both servers store exactly the same bytes. */
final class Values {
    private Values() {}

    static byte[] of(int bytes) {
        byte[] value = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        return value;
    }
}
