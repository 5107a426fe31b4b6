package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.jute.Record;

/** Test helper: compares one of our records with ZooKeeper's on the wire, both ways. */
final class WireAsserts {
    private WireAsserts() {}

    private static final int[] MUTATIONS = {0x00, 0xff, 0x7f, 0x80, 0x01};

    /**
     * Proves: our bytes equal ZooKeeper's (so ZooKeeper reads them as it reads its own); we
     * decode ZooKeeper's bytes, consuming them all, to the value ZooKeeper's reader sees (the
     * original value, unless ZooKeeper itself does not round-trip it, as with a surrogate pair);
     * every proper prefix is rejected with WireException; corrupted bytes decode or throw
     * WireException, nothing else.
     */
    static <T extends JuteRecord, Z extends Record> void assertSameAsZk(
            T ours, Z theirs, Function<JuteReader, T> reader, Supplier<Z> zkFactory) {
        byte[] zkBytes = assertEncodingMatches(ours, theirs, reader, zkFactory);
        assertEveryPrefixRejected(zkBytes, reader);
    }

    /** {@link #assertSameAsZk} without the prefix check; returns ZooKeeper's bytes. */
    static <T extends JuteRecord, Z extends Record> byte[] assertEncodingMatches(
            T ours, Z theirs, Function<JuteReader, T> reader, Supplier<Z> zkFactory) {
        byte[] zkBytes = ZkOracle.bytes(theirs);
        assertArrayEquals(zkBytes, ours.toBytes(), () -> "bytes of " + ours);
        T decoded = decodeAll(zkBytes, reader);
        byte[] zkRoundTrip = ZkOracle.bytes(ZkOracle.decode(zkBytes, zkFactory));
        assertArrayEquals(zkRoundTrip, decoded.toBytes(), () -> "both readers agree on " + ours);
        if (Arrays.equals(zkRoundTrip, zkBytes)) {
            assertEquals(ours, decoded, () -> "decoding ZooKeeper's bytes of " + ours);
        }
        assertCorruptionIsOnlyWireException(zkBytes, reader);
        return zkBytes;
    }

    static <T> T decodeAll(byte[] bytes, Function<JuteReader, T> reader) {
        JuteReader in = new JuteReader(bytes);
        T value = reader.apply(in);
        assertFalse(in.hasRemaining(), () -> in.remaining() + " bytes left after " + value);
        return value;
    }

    static void assertEveryPrefixRejected(byte[] bytes, Function<JuteReader, ?> reader) {
        assertPrefixesRejected(bytes, bytes.length, reader);
    }

    /** Prefixes of length 0 .. {@code endExclusive - 1} must throw WireException. */
    static void assertPrefixesRejected(byte[] bytes, int endExclusive, Function<JuteReader, ?> reader) {
        for (int length = 0; length < endExclusive; length++) {
            JuteReader in = new JuteReader(bytes, 0, length);
            int shown = length;
            assertThrows(WireException.class, () -> reader.apply(in),
                    () -> "prefix of " + shown + " of " + bytes.length + " bytes");
        }
    }

    /** Any exception other than WireException escapes and fails the test. */
    static void assertCorruptionIsOnlyWireException(byte[] bytes, Function<JuteReader, ?> reader) {
        for (int at = 0; at < bytes.length; at++) {
            for (int value : MUTATIONS) {
                byte[] corrupt = bytes.clone();
                corrupt[at] = (byte) (value == 0x01 ? bytes[at] ^ 0x01 : value);
                try {
                    reader.apply(new JuteReader(corrupt));
                } catch (WireException expected) {
                    // a clean refusal is a correct outcome
                }
            }
        }
    }
}
