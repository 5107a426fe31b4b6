package io.paddock.core.wire.quorum;

import java.util.Objects;

/**
 * What a stream decoder made of the bytes it was given: a whole message, or a valid prefix that
 * needs more bytes. (Bytes that can be no valid message throw {@link PeerProtocolException}.)
 */
public sealed interface DecodeResult<T> {

    /** A whole message, which took the first {@code length} bytes given. */
    record Complete<T>(T value, int length) implements DecodeResult<T> {
        public Complete {
            Objects.requireNonNull(value, "value");
            if (length <= 0) {
                throw new IllegalArgumentException("a message takes at least one byte: " + length);
            }
        }
    }

    /**
     * The bytes given are a valid prefix; the message needs at least {@code bytesNeeded} bytes in
     * all (counted from the same start), so a caller can wait for that many before it tries again.
     */
    record NeedMore<T>(int bytesNeeded) implements DecodeResult<T> {
        public NeedMore {
            if (bytesNeeded <= 0) {
                throw new IllegalArgumentException("bytesNeeded must be positive: " + bytesNeeded);
            }
        }
    }
}
