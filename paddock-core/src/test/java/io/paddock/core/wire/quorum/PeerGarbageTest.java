package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.Id;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Proves every decoder of peer bytes, fed arbitrary and mutated bytes, only ever decodes, asks for
 * more, or throws PeerProtocolException (never another exception); and that the stream decoders
 * are consistent: a message that decodes from some bytes is NeedMore on each shorter prefix, takes
 * the same bytes when more follow, and NeedMore always asks for more than it was given. A fixed
 * seed keeps the run the same every time; the fuzz target explores further.
 */
class PeerGarbageTest {
    private static final long SEED = 0x9addc0c0L;
    private static final int ROUNDS = 20_000;
    private static final QuorumPacketDecoder DECODER = new QuorumPacketDecoder(1024, 256);

    @Test
    void streamDecodersAreConsistentOnAnyBytes() throws Exception {
        Random random = new Random(SEED);
        List<byte[]> seeds = validMessages();
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = nextInput(random, seeds);
            checkStream(input, DECODER::decode);
            checkStream(input, InitialMessage::decode);
            checkStream(input, ElectionFrame::decode);
            checkStream(input, QuorumAuthPacket::decode);
        }
    }

    @Test
    void wholeMessageDecodersOnlyRefuseWithPeerProtocolException() {
        Random random = new Random(SEED + 1);
        List<byte[]> seeds = validMessages();
        for (int round = 0; round < ROUNDS / 4; round++) {
            byte[] input = nextInput(random, seeds);
            StreamAsserts.refusesCleanly(() -> NotificationMessage.decode(input));
            StreamAsserts.refusesCleanly(() -> LearnerInfo.decode(input));
            StreamAsserts.refusesCleanly(() -> TxnHeader.read(PeerInput.of(input)));
            StreamAsserts.refusesCleanly(() -> DECODER.decodeWhole(input));
            for (int type : new int[] {QuorumPacketType.FOLLOWERINFO, QuorumPacketType.LEADERINFO,
                QuorumPacketType.ACKEPOCH, QuorumPacketType.PING}) {
                QuorumPacket p = new QuorumPacket(type, 0, input, null);
                StreamAsserts.refusesCleanly(() -> LearnerHandshake.learnerInfo(p));
                StreamAsserts.refusesCleanly(() -> LearnerHandshake.leaderProtocolVersion(p));
                StreamAsserts.refusesCleanly(() -> LearnerHandshake.ackedCurrentEpoch(p));
                StreamAsserts.refusesCleanly(() -> Ping.touches(p));
            }
        }
    }

    private static <T> void checkStream(byte[] input, StreamAsserts.StreamDecoder<T> decoder) throws Exception {
        DecodeResult<T> r;
        try {
            r = decoder.decode(input, 0, input.length);
        } catch (PeerProtocolException refused) {
            return;
        }
        if (r instanceof DecodeResult.NeedMore<T> more) {
            assertTrue(more.bytesNeeded() > input.length, () -> "NeedMore(" + more.bytesNeeded() + ") of " + input.length);
            return;
        }
        int length = ((DecodeResult.Complete<T>) r).length();
        assertTrue(length <= input.length);
        for (int shorter = 0; shorter < length; shorter++) {
            assertInstanceOf(DecodeResult.NeedMore.class, decoder.decode(input, 0, shorter));
        }
        byte[] longer = Arrays.copyOf(input, input.length + 9);
        assertEquals(length, StreamAsserts.complete(decoder.decode(longer, 0, longer.length)).length());
    }

    /** Random bytes, or a valid message with a few bytes changed (often to a boundary value), cut anywhere. */
    private static byte[] nextInput(Random random, List<byte[]> seeds) {
        if (random.nextInt(4) == 0) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            return b;
        }
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        int changes = random.nextInt(4);
        for (int i = 0; i < changes && b.length > 0; i++) {
            int at = random.nextInt(b.length);
            int[] values = {0x00, 0xff, 0x7f, 0x80, 0x01, random.nextInt(256)};
            b[at] = (byte) values[random.nextInt(values.length)];
        }
        return random.nextInt(3) == 0 ? Arrays.copyOf(b, random.nextInt(b.length + 1)) : b;
    }

    private static List<byte[]> validMessages() {
        List<byte[]> out = new ArrayList<>();
        out.add(new QuorumPacket(QuorumPacketType.REQUEST, 7, new byte[] {1, 2, 3},
                List.of(new Id("digest", "u:p"), Id.ANYONE)).encode());
        out.add(LearnerHandshake.followerInfo(3, new LearnerInfo(1, 0x10000, 5)).encode());
        out.add(LearnerHandshake.ackEpoch(-1, 0x3_0000_0001L).encode());
        out.add(InitialMessage.v1(2, new ElectionAddress("127.0.0.1", 3888)).encode());
        out.add(new InitialMessage(InitialMessage.Form.V2, 2, List.of(new ElectionAddress("::1", 1),
                new ElectionAddress("h", 2))).encode());
        out.add(InitialMessage.sidOnly(4).encode());
        out.add(InitialMessage.v1(9, new ElectionAddress("0:0:0:0:0:0:0:1", 3888)).encode());
        NotificationMessage n = NotificationMessage.current(0, 1, 2, 3, 4, new byte[] {'c', 'f', 'g'});
        out.add(n.encode());
        out.add(ElectionFrame.encode(n));
        out.add(new LearnerInfo(1, 0x10000, 5).encode());
        out.add(new TxnHeader(1, 2, 3, 4, 5).toBytes());
        out.add(QuorumAuthPacket.of(QuorumAuthPacket.IN_PROGRESS, new byte[] {'r', 'e', 'a', 'l', 'm'}).encode());
        out.add(QuorumAuthPacket.of(QuorumAuthPacket.SUCCESS, null).encode());
        return out;
    }
}
