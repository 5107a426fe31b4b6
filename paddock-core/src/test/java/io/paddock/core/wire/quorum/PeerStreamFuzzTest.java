package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paddock.core.election.WireNotifications;

/**
 * Fuzzes the decoders of what another server sends, as it arrives on each port, and proves for
 * any bytes:
 * <ol>
 * <li>only {@link PeerProtocolException} escapes a decoder (peer bytes are untrusted: anything
 *     else, a NullPointerException, an IllegalArgumentException from a record's constructor, an
 *     OutOfMemoryError from a trusted length, is a finding);</li>
 * <li>the stream decoders never take a prefix for a message: a message that decodes is
 *     {@code NeedMore} on every shorter prefix of it (checked for messages of up to
 *     {@link #PREFIX_CHECK_BYTES_MAX} bytes), and {@code NeedMore} always asks for more than it
 *     was given;</li>
 * <li>a quorum packet that decodes re-encodes to bytes that decode to an equal packet and encode
 *     the same from then on, and its payloads (learner info, leader info, acked epoch, ping
 *     touches, a proposal's TxnHeader) refuse cleanly or decode. Not byte identity: an authinfo
 *     string with malformed UTF-8 decodes to U+FFFD, as ZooKeeper's jute reader decodes it
 *     (no ZooKeeper writes one; the fuzzer found such inputs at once);</li>
 * <li>an election notification that decodes maps to an election {@link io.paddock.core.election.Notification}
 *     or is refused cleanly.</li>
 * </ol>
 * Input layout: {@link #quorumPort} takes the bytes a learner connection carries (QuorumPackets
 * back to back, no frame length); {@link #electionPort} the bytes of an election connection (the
 * initial message, then length-framed notifications). Without JAZZER_FUZZ both replay the inputs
 * under {@code src/test/resources/io/paddock/core/wire/quorum/PeerStreamFuzzTestInputs/<method>/}
 * (hand-made seeds from {@link PeerStreamSeeds}, written by {@code FuzzSeedCorpusTest}).
 */
class PeerStreamFuzzTest {
    /** Small limits so the fuzzer reaches the limit checks; the default limits are checked too. */
    private static final QuorumPacketDecoder SMALL = new QuorumPacketDecoder(1024, 256);
    private static final QuorumPacketDecoder DEFAULT = QuorumPacketDecoder.withDefaultLimits();
    private static final int PREFIX_CHECK_BYTES_MAX = 512;
    /** A connection's worth of messages; the rest of an input is not read. */
    private static final int MESSAGES_MAX = 64;

    @FuzzTest(maxDuration = "10m")
    void quorumPort(byte[] stream) {
        readQuorumStream(stream, SMALL);
        readQuorumStream(stream, DEFAULT);
    }

    @FuzzTest(maxDuration = "10m")
    void electionPort(byte[] stream) {
        int at;
        try {
            DecodeResult<InitialMessage> first = checkedPrefixes(stream, 0, InitialMessage::decode);
            if (!(first instanceof DecodeResult.Complete<InitialMessage> c)) {
                return;
            }
            at = c.length();
        } catch (PeerProtocolException refused) {
            return; // ZooKeeper closes such a connection; so does our shell
        }
        for (int i = 0; i < MESSAGES_MAX && at < stream.length; i++) {
            DecodeResult<byte[]> frame;
            try {
                frame = checkedPrefixes(stream, at, ElectionFrame::decode);
            } catch (PeerProtocolException refused) {
                return; // a bad frame length: the connection is dropped
            }
            if (!(frame instanceof DecodeResult.Complete<byte[]> c)) {
                return;
            }
            at += c.length();
            try {
                NotificationMessage message = NotificationMessage.decode(c.value());
                WireNotifications.fromWire(message);
            } catch (PeerProtocolException refused) {
                // one skipped message, as in ZooKeeper; the connection goes on
            }
        }
    }

    private static void readQuorumStream(byte[] stream, QuorumPacketDecoder decoder) {
        int at = 0;
        for (int i = 0; i < MESSAGES_MAX && at < stream.length; i++) {
            DecodeResult<QuorumPacket> r;
            try {
                r = checkedPrefixes(stream, at, decoder::decode);
            } catch (PeerProtocolException refused) {
                return;
            }
            if (!(r instanceof DecodeResult.Complete<QuorumPacket> c)) {
                return;
            }
            QuorumPacket packet = c.value();
            assertRoundTrips(packet, decoder);
            payloadsRefuseCleanly(packet);
            at += c.length();
        }
    }

    private static void assertRoundTrips(QuorumPacket packet, QuorumPacketDecoder decoder) {
        byte[] encoded = packet.encode();
        QuorumPacket again;
        try {
            again = decoder.decodeWhole(encoded);
        } catch (PeerProtocolException e) {
            throw new AssertionError("a decoded packet re-encodes to bytes that do not decode: " + e.getMessage(), e);
        }
        assertEquals(packet, again, "a decoded packet re-encodes to bytes that decode equal");
        assertArrayEquals(encoded, again.encode(), "encoding is stable after one round");
    }

    private static void payloadsRefuseCleanly(QuorumPacket packet) {
        StreamAsserts.refusesCleanly(() -> LearnerHandshake.learnerInfo(packet));
        StreamAsserts.refusesCleanly(() -> LearnerHandshake.leaderProtocolVersion(packet));
        StreamAsserts.refusesCleanly(() -> LearnerHandshake.ackedCurrentEpoch(packet));
        StreamAsserts.refusesCleanly(() -> Ping.touches(packet));
        if (packet.data() != null) {
            StreamAsserts.refusesCleanly(() -> TxnHeader.read(PeerInput.of(packet.data())));
            StreamAsserts.refusesCleanly(() -> LearnerInfo.decode(packet.data()));
        }
    }

    /** Decodes at {@code offset} and checks the stream contract on the result. */
    private static <T> DecodeResult<T> checkedPrefixes(byte[] stream, int offset, StreamAsserts.StreamDecoder<T> decoder)
            throws PeerProtocolException {
        int available = stream.length - offset;
        DecodeResult<T> r = decoder.decode(stream, offset, available);
        if (r instanceof DecodeResult.NeedMore<T> more) {
            assertTrue(more.bytesNeeded() > available, () -> "NeedMore(" + more.bytesNeeded() + ") of " + available);
            return r;
        }
        int length = ((DecodeResult.Complete<T>) r).length();
        assertTrue(length > 0 && length <= available, () -> "took " + length + " of " + available);
        if (length <= PREFIX_CHECK_BYTES_MAX) {
            for (int shorter = 0; shorter < length; shorter++) {
                assertInstanceOf(DecodeResult.NeedMore.class, decoder.decode(stream, offset, shorter),
                        "a prefix of " + shorter + " of a " + length + "-byte message");
            }
        }
        return r;
    }
}
