package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Proves the hash word's digest log keeps what ZooKeeper 3.9's DataTree keeps: the digest after
 * each zxid that is a multiple of 128, the last 1024 of them, oldest first.
 */
class DigestLogTest {
    @Test
    void keepsEvery128thZxidAndTheLast1024() {
        DigestLog log = new DigestLog();
        long epoch = 3L << 32;
        for (long counter = 1; counter <= 200_000; counter++) {
            log.applied(epoch + counter, counter * 7);
        }
        var entries = log.entries();
        assertEquals(DigestLog.ENTRIES_MAX, entries.size());
        long last = epoch + (200_000 / 128) * 128;
        assertEquals(last, entries.lastKey());
        assertEquals((last - epoch) * 7, entries.get(last));
        assertEquals(last - (DigestLog.ENTRIES_MAX - 1) * 128L, entries.firstKey());
        entries.keySet().forEach(zxid -> assertEquals(0, zxid % 128));
    }
}
