package io.paddock.core.storage;

import java.util.zip.CRC32C;

/** CRC32C (Castagnoli), the checksum of every log record, snapshot frame and header. */
final class Checksums {
    private Checksums() {}

    static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
