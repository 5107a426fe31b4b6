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
 * <li>a quorum packet that decodes re-encodes to bytes that decode, and after one round decode
 *     and encode are each other's inverse (see {@link #assertRoundTrips} for why not at once);
 *     its payloads (learner info, leader info, acked epoch, ping touches, a forwarded request,
 *     revalidate questions and answers, a proposal's TxnHeader) refuse cleanly or decode, and a
 *     proposal's txn ({@link ZabTxnCodec}) that decodes re-encodes to bytes that decode, and
 *     settles after one round ({@link ZabTxnCodecTest#assertRefusedOrStable});</li>
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
    private static final QuorumPacketDecoder UNLIMITED = new QuorumPacketDecoder(Integer.MAX_VALUE, Integer.MAX_VALUE);
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

    /**
     * The snapshot a leader streams after SNAP (ZooKeeper's format), read by {@link
     * ZooKeeperSnapReader} with small limits and with the default ones: only {@link
     * PeerProtocolException} escapes, NeedMore asks for more than it was given, and a snapshot read
     * whole is one our own format takes (encodes, and decodes to the same nodes and sessions).
     */
    @FuzzTest(maxDuration = "10m")
    void zooKeeperSnapshot(byte[] stream) {
        readSnapshotStream(stream, new ZooKeeperSnapReader(0x2_0000_0007L, 0, 1 << 16, 64, "fuzz"));
        readSnapshotStream(stream, new ZooKeeperSnapReader(0x2_0000_0007L, 0, 64L << 20, "fuzz"));
    }

    private static void readSnapshotStream(byte[] stream, ZooKeeperSnapReader reader) {
        int at = 0;
        for (int i = 0; i <= stream.length && !reader.done(); i++) {
            DecodeResult<Object> r;
            try {
                r = reader.decode(stream, at, stream.length - at);
            } catch (PeerProtocolException refused) {
                return;
            }
            int available = stream.length - at;
            if (r instanceof DecodeResult.NeedMore<Object> more) {
                assertTrue(more.bytesNeeded() > available, () -> "NeedMore(" + more.bytesNeeded() + ") of " + available);
                return;
            }
            DecodeResult.Complete<Object> c = (DecodeResult.Complete<Object>) r;
            assertTrue(c.length() > 0 && c.length() <= available, () -> "took " + c.length() + " of " + available);
            at += c.length();
            if (c.value() instanceof io.paddock.core.storage.SnapshotData data) {
                io.paddock.core.storage.SnapshotEncoder encoder = new io.paddock.core.storage.SnapshotEncoder(data.asSource());
                io.paddock.core.wire.JuteWriter out = new io.paddock.core.wire.JuteWriter(4096);
                while (!encoder.writeNext(out, 64)) {
                    // bounded frames
                }
                io.paddock.core.storage.SnapshotData again;
                try {
                    again = io.paddock.core.storage.SnapshotData.decode(out.toByteArray(), "again");
                } catch (io.paddock.core.storage.CorruptSnapshotException e) {
                    throw new AssertionError("a snapshot read whole does not decode in our format: " + e.getMessage(), e);
                }
                assertEquals(data.nodes(), again.nodes());
                assertEquals(data.sessions(), again.sessions());
            } else {
                assertEquals(ZooKeeperSnapReader.PROGRESS, c.value());
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
            assertRoundTrips(packet);
            payloadsRefuseCleanly(packet);
            at += c.length();
        }
    }

    /**
     * Re-encoding settles after one round: the packet encodes to bytes that decode, and from then
     * on decode and encode are each other's inverse. Not at once, because jute's writer and reader
     * are not symmetric, in ZooKeeper as here: a supplementary character is read from its 4-byte
     * UTF-8 form but written as two 3-byte surrogates, which read back as U+FFFD each; malformed
     * UTF-8 reads as U+FFFD, which writes as 3 bytes. Re-decoding uses no limits, since those
     * replacements may grow a string past the small test limits.
     */
    private static void assertRoundTrips(QuorumPacket packet) {
        QuorumPacket settled = redecode(packet);
        QuorumPacket again = redecode(settled);
        assertEquals(settled, again, "a re-encoded packet decodes equal after one round");
        assertArrayEquals(settled.encode(), again.encode(), "encoding is stable after one round");
    }

    private static QuorumPacket redecode(QuorumPacket packet) {
        try {
            return UNLIMITED.decodeWhole(packet.encode());
        } catch (PeerProtocolException e) {
            throw new AssertionError("a decoded packet re-encodes to bytes that do not decode: " + e.getMessage(), e);
        }
    }

    private static void payloadsRefuseCleanly(QuorumPacket packet) {
        StreamAsserts.refusesCleanly(() -> LearnerHandshake.learnerInfo(packet));
        StreamAsserts.refusesCleanly(() -> LearnerHandshake.leaderProtocolVersion(packet));
        StreamAsserts.refusesCleanly(() -> LearnerHandshake.ackedCurrentEpoch(packet));
        StreamAsserts.refusesCleanly(() -> Ping.touches(packet));
        StreamAsserts.refusesCleanly(() -> ForwardedRequest.of(packet));
        StreamAsserts.refusesCleanly(() -> Revalidate.readAsk(packet));
        StreamAsserts.refusesCleanly(() -> Revalidate.readAnswer(packet));
        if (packet.data() != null) {
            StreamAsserts.refusesCleanly(() -> TxnHeader.read(PeerInput.of(packet.data())));
            StreamAsserts.refusesCleanly(() -> LearnerInfo.decode(packet.data()));
            ZabTxnCodecTest.assertRefusedOrStable(packet.data());
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
