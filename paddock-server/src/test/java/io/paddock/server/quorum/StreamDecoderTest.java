package io.paddock.server.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketDecoder;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamDecoder} over direct and heap buffers (the transport's reads are direct): every
 * message of a read that holds many is decoded once, in order, and a message cut across reads
 * waits for its rest. A read of many messages is copied out of a direct buffer once, not once per
 * message (that copy was quadratic in the messages per read).
 */
class StreamDecoderTest {
    private static final QuorumPacketDecoder PACKETS = QuorumPacketDecoder.withDefaultLimits();

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new StreamDecoder() {
            @Override
            Step next() {
                return PACKETS::decode;
            }
        });
    }

    private static List<QuorumPacket> packets(int count, int dataBytes) {
        List<QuorumPacket> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[dataBytes];
            data[0] = (byte) i;
            out.add(new QuorumPacket(QuorumPacketType.PROPOSAL, 0x100000000L + i, data, null));
        }
        return out;
    }

    private static byte[] encoded(List<QuorumPacket> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (QuorumPacket p : packets) {
            out.writeBytes(p.encode());
        }
        return out.toByteArray();
    }

    private static ByteBuf direct(byte[] bytes, int from, int to) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(to - from);
        buf.writeBytes(bytes, from, to - from);
        return buf;
    }

    private static List<QuorumPacket> drain(EmbeddedChannel ch) {
        List<QuorumPacket> out = new ArrayList<>();
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
            out.add((QuorumPacket) o);
        }
        return out;
    }

    @Test
    void everyPacketOfOneDirectReadIsDecodedInOrder() {
        List<QuorumPacket> sent = packets(500, 1024);
        EmbeddedChannel ch = channel();
        byte[] bytes = encoded(sent);
        ch.writeInbound(direct(bytes, 0, bytes.length));
        assertEquals(sent, drain(ch));
        ch.finishAndReleaseAll();
    }

    @Test
    void packetsCutAtEveryPointAcrossTwoReadsAreDecodedOnce() {
        List<QuorumPacket> sent = packets(3, 40);
        byte[] bytes = encoded(sent);
        for (int cut = 1; cut < bytes.length; cut++) {
            for (boolean heap : new boolean[] {false, true}) {
                EmbeddedChannel ch = channel();
                ch.writeInbound(heap ? Unpooled.wrappedBuffer(bytes, 0, cut) : direct(bytes, 0, cut));
                ch.writeInbound(heap ? Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut)
                        : direct(bytes, cut, bytes.length));
                assertEquals(sent, drain(ch), "cut at byte " + cut + (heap ? " (heap)" : " (direct)"));
                ch.finishAndReleaseAll();
            }
        }
    }

    /**
     * Reads are gathered in a heap buffer that grows as a long message comes in: a 3 MiB packet
     * (a SNAP's size) in 1 KiB direct reads, then small ones in the same reads, each decoded once.
     */
    @Test
    void aLongPacketInManySmallDirectReadsIsGatheredAndDecodedOnce() {
        List<QuorumPacket> sent = new ArrayList<>();
        byte[] snapshot = new byte[3 << 20];
        snapshot[snapshot.length - 1] = 9;
        sent.add(new QuorumPacket(QuorumPacketType.SNAP, 0x100000005L, snapshot, null));
        sent.addAll(packets(4, 100));
        byte[] bytes = encoded(sent);
        EmbeddedChannel ch = new EmbeddedChannel(new StreamDecoder() {
            @Override
            Step next() {
                return QuorumPacketDecoder.forLearner(8 << 20)::decode;
            }
        });
        List<QuorumPacket> got = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += 1024) {
            ch.writeInbound(direct(bytes, at, Math.min(bytes.length, at + 1024)));
            got.addAll(drain(ch));
        }
        assertEquals(sent, got);
        ch.finishAndReleaseAll();
    }

    @Test
    void aBadPacketAfterGoodOnesInOneReadPassesTheGoodOnesAndFails() {
        List<QuorumPacket> sent = packets(2, 16);
        byte[] good = encoded(sent);
        byte[] bytes = new byte[good.length + 16];
        System.arraycopy(good, 0, bytes, 0, good.length);
        bytes[good.length + 12] = (byte) 0x7f; // type and zxid, then a data length past the limit
        EmbeddedChannel ch = channel();
        assertThrows(DecoderException.class, () -> ch.writeInbound(direct(bytes, 0, bytes.length)));
        assertEquals(sent, drain(ch));
        assertNull(ch.readInbound());
        ch.finishAndReleaseAll();
    }
}
