package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes every client record decoder with bytes as a client could send them, and proves two
 * things for any input:
 * <ol>
 * <li>only the declared decode errors escape: {@link WireException} (a body or header that does
 *     not decode) and {@link UnknownOpCodeException} (an op code the server answers with
 *     UNIMPLEMENTED). Anything else (a NullPointerException, an IllegalArgumentException from a
 *     record's constructor, an OutOfMemoryError from a trusted length) is a finding;</li>
 * <li>what decodes re-encodes to bytes that decode to an equal record, and encoding is stable
 *     from then on (see {@link #assertRoundTrips}).</li>
 * </ol>
 * Input layout: {@link #requestFrame} takes a whole request frame body exactly as the server's
 * network layer receives it after the 4-byte length (RequestHeader, then the op's record), so
 * every op code (multi, setWatches, auth, ...) is reached through {@link Requests}; recorded
 * client traffic is a valid seed as it is. {@link #connectRequest} takes the first frame of a
 * connection. Without JAZZER_FUZZ both replay the inputs under
 * {@code src/test/resources/io/paddock/core/wire/ClientRecordFuzzTestInputs/<method>/}.
 *
 * <p>Where byte-for-byte identity does not hold, and why equality of decoded records is what is
 * asserted instead: booleans decode any non-zero byte as true; multi headers' {@code done}/{@code
 * err} of the ops are not kept (ZooKeeper ignores them too); malformed UTF-8 decodes to U+FFFD;
 * bytes after a complete record are not read (the server ignores them, as ZooKeeper does).
 * Null and empty strings, buffers and vectors are distinct on the wire and stay distinct: a null
 * decodes to null and is written back as length -1.
 */
class ClientRecordFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void requestFrame(byte[] frame) {
        JuteReader in = new JuteReader(frame);
        RequestHeader header;
        JuteRecord body;
        try {
            header = RequestHeader.read(in);
            body = Requests.decodeRequest(header.type(), in);
        } catch (WireException | UnknownOpCodeException declared) {
            return;
        }
        assertTrue(Requests.isKnownOpCode(header.type()), "decoded an op isKnownOpCode denies");
        assertRoundTrips(body, bytes -> Requests.decodeRequest(header.type(), bytes));
    }

    @FuzzTest(maxDuration = "10m")
    void connectRequest(byte[] frame) {
        ConnectRequest request;
        try {
            request = ConnectRequest.read(new JuteReader(frame));
        } catch (WireException declared) {
            return;
        }
        assertRoundTrips(request, ConnectRequest::read);
    }

    /** Decodes a record from a reader, as a record's static {@code read} does. */
    interface Decoder {
        JuteRecord decode(JuteReader in);
    }

    /**
     * {@code first} (decoded from fuzz input) re-encodes to bytes that decode, to the end and
     * nothing more, to an equal record, and re-encoding that gives the same bytes again.
     *
     * <p>One documented exception to the equality: Jute writes a supplementary character (a
     * surrogate pair, which a 4-byte UTF-8 sequence in the input decodes to) as two 3-byte
     * surrogates, as ZooKeeper's own client does, and readers decode those as U+FFFD. So a string
     * holding one does not survive a round trip; it is stable after one. When the first encoding
     * may hold such bytes (0xED then 0xA0..0xBF, conservatively anywhere in it) only the
     * stability is asserted.
     */
    static void assertRoundTrips(JuteRecord first, Decoder decoder) {
        if (first == null) {
            return; // ping, closeSession and whoAmI have no body
        }
        byte[] encoded = first.toBytes();
        JuteRecord second = decodeWhole(encoded, decoder);
        byte[] reencoded = second.toBytes();
        JuteRecord third = decodeWhole(reencoded, decoder);
        assertEquals(second, third, "a re-encoded record decodes differently");
        assertArrayEquals(reencoded, third.toBytes(), "encoding is not stable");
        if (!mayHoldEncodedSurrogates(encoded)) {
            assertEquals(first, second, "decode(encode(record)) differs from the record");
            assertArrayEquals(encoded, reencoded, "encode(decode(bytes)) differs from bytes");
        }
    }

    private static JuteRecord decodeWhole(byte[] bytes, Decoder decoder) {
        JuteReader in = new JuteReader(bytes);
        JuteRecord record = decoder.decode(in); // a failure here is a finding: we wrote these bytes
        assertFalse(in.hasRemaining(), () -> in.remaining() + " bytes left after decoding what we wrote");
        return record;
    }

    private static boolean mayHoldEncodedSurrogates(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if ((bytes[i] & 0xff) == 0xed && (bytes[i + 1] & 0xe0) == 0xa0) {
                return true;
            }
        }
        return false;
    }
}
