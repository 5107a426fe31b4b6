package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Objects;

/** Test helper: what a stream decoder must answer for a whole message and for each of its prefixes. */
final class StreamAsserts {
    private StreamAsserts() {}

    /** Decodes one message from a slice of a stream; throws PeerProtocolException for garbage. */
    @FunctionalInterface
    interface StreamDecoder<T> {
        DecodeResult<T> decode(byte[] bytes, int offset, int length) throws PeerProtocolException;
    }

    /**
     * Proves: the whole message decodes, taking exactly its bytes, also when more bytes follow
     * and when it sits at an offset; every proper prefix is NeedMore (never a message, never an
     * exception) asking for more than it has and no more than the whole.
     */
    static <T> T assertStreamDecodes(byte[] message, StreamDecoder<T> decoder) throws PeerProtocolException {
        for (int length = 0; length < message.length; length++) {
            DecodeResult<T> r = decoder.decode(message, 0, length);
            int shown = length;
            DecodeResult.NeedMore<T> more = assertInstanceOf(DecodeResult.NeedMore.class, r,
                    () -> "prefix of " + shown + " of " + message.length);
            assertTrue(more.bytesNeeded() > length && more.bytesNeeded() <= message.length,
                    () -> "prefix of " + shown + " asks for " + more.bytesNeeded() + " of " + message.length);
        }
        byte[] padded = new byte[message.length + 7];
        System.arraycopy(message, 0, padded, 3, message.length);
        padded[3 + message.length] = 0x55;
        DecodeResult.Complete<T> atOffset = complete(decoder.decode(padded, 3, message.length + 4));
        assertEquals(message.length, atOffset.length(), "bytes taken when more follow");
        DecodeResult.Complete<T> exact = complete(decoder.decode(message, 0, message.length));
        assertEquals(message.length, exact.length());
        assertTrue(Objects.deepEquals(exact.value(), atOffset.value()), "same value at an offset");
        return exact.value();
    }

    /** A call into a decoder of peer bytes. */
    @FunctionalInterface
    interface PeerCall {
        Object call() throws PeerProtocolException;
    }

    /**
     * Runs {@code call}, which may decode or refuse with PeerProtocolException (the one way to
     * refuse); any other exception propagates and fails the caller.
     */
    static void refusesCleanly(PeerCall call) {
        try {
            call.call();
        } catch (PeerProtocolException refused) {
            // the one way to refuse
        }
    }

    @SuppressWarnings("unchecked")
    static <T> DecodeResult.Complete<T> complete(DecodeResult<T> r) {
        if (r instanceof DecodeResult.Complete<T> c) {
            return c;
        }
        return fail("expected a complete message, got " + r);
    }
}
