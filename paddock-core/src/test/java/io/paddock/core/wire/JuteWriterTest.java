package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves how a writer grows and hands over its bytes: it never grows short of what is written,
 * grows to half as much again as needed (so the fields after a large buffer fit without another
 * copy of it), and {@link JuteWriter#finish} hands over its own array when it is exactly full, a
 * copy otherwise. A quorum packet sizes its writer exactly when its auth ids are ASCII, and its
 * bytes are the same either way.
 */
class JuteWriterTest {
    @Test
    void growsToHalfAsMuchAgainAsNeededSoFieldsAfterABufferFit() {
        JuteWriter w = new JuteWriter(16);
        byte[] kib = new byte[1024];
        w.writeLong(1).writeInt(2).writeBuffer(kib);
        int capacity = w.array().length;
        assertEquals((12 + 4 + 1024) * 3 / 2, capacity);
        w.writeInt(7).writeLong(8).writeString("/a/path");
        assertSame(w.array(), w.array());
        assertEquals(capacity, w.array().length, "the version and the rest fit without another copy");
    }

    @Test
    void finishHandsOverTheArrayWhenExactlyFullAndACopyOtherwise() {
        JuteWriter exact = new JuteWriter(16);
        exact.writeLong(1).writeLong(2);
        byte[] backing = exact.array();
        byte[] done = exact.finish();
        assertSame(backing, done, "exactly full: no copy");
        assertEquals(16, done.length);

        JuteWriter roomy = new JuteWriter(64);
        roomy.writeInt(5);
        byte[] roomyBacking = roomy.array();
        byte[] four = roomy.finish();
        assertNotSame(roomyBacking, four);
        assertArrayEquals(new byte[] {0, 0, 0, 5}, four);
    }

    @Test
    void aQuorumPacketEncodesTheSameBytesWhetherItsSizeEstimateIsExactOrShort() {
        List<QuorumPacket> packets = List.of(
                new QuorumPacket(QuorumPacketType.ACK, 0x100000001L),
                new QuorumPacket(QuorumPacketType.PROPOSAL, 0x100000002L, new byte[1100], null),
                new QuorumPacket(QuorumPacketType.REQUEST, -1, new byte[80], List.of(new Id("ip", "127.0.0.1"))),
                new QuorumPacket(QuorumPacketType.REQUEST, -1, new byte[80], List.of(new Id("digest", "ü:x"))));
        for (QuorumPacket p : packets) {
            JuteWriter reference = new JuteWriter(4);
            reference.writeInt(p.type()).writeLong(p.zxid()).writeBuffer(p.data())
                    .writeVector(p.authinfo(), (w, id) -> id.write(w));
            assertArrayEquals(reference.toByteArray(), p.encode(), p.toString());
        }
    }
}
