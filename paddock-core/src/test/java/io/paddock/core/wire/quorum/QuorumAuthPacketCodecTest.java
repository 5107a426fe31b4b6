package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Proves the quorum SASL packet is ZooKeeper 3.9.5's: its QuorumAuth.createPacket's bytes (the
 * jute record QuorumAuthPacket, written unframed by SaslQuorumAuthLearner and
 * SaslQuorumAuthServer), read back by ZooKeeper's deserializer; the magic, statuses and a null
 * token as ZooKeeper has them; a packet trickling in needs more; another magic, an unknown
 * status or a token length past the bound breaks the connection; the magic is told apart from a
 * frame's or a quorum packet's first bytes.
 */
class QuorumAuthPacketCodecTest {
    @Test
    void packetsAreZooKeepersBytesBothWays() throws Exception {
        assertEquals(org.apache.zookeeper.server.quorum.auth.QuorumAuth.QUORUM_AUTH_MAGIC_NUMBER, QuorumAuthPacket.MAGIC);
        for (int status : new int[] {QuorumAuthPacket.IN_PROGRESS, QuorumAuthPacket.SUCCESS, QuorumAuthPacket.ERROR}) {
            for (byte[] token : new byte[][] {null, new byte[0], "realm=\"zk-quorum-sasl-md5\",nonce=\"x\"".getBytes()}) {
                var zk = new org.apache.zookeeper.server.quorum.QuorumAuthPacket(QuorumAuthPacket.MAGIC, status, token);
                byte[] ours = QuorumAuthPacket.of(status, token).encode();
                assertArrayEquals(ZkQuorumOracle.bytes(zk), ours);
                var back = ZkQuorumOracle.read(ours, new org.apache.zookeeper.server.quorum.QuorumAuthPacket());
                assertEquals(zk, back);
                DecodeResult<QuorumAuthPacket> decoded = QuorumAuthPacket.decode(ours, 0, ours.length);
                assertEquals(new DecodeResult.Complete<>(QuorumAuthPacket.of(status, token), ours.length), decoded);
                for (int cut = 0; cut < ours.length; cut++) {
                    assertInstanceOf(DecodeResult.NeedMore.class, QuorumAuthPacket.decode(ours, 0, cut), "cut " + cut);
                }
                assertTrue(QuorumAuthPacket.startsWithMagic(ours, 0));
            }
        }
    }

    @Test
    void whatIsNoPacketBreaksTheConnection() {
        byte[] good = QuorumAuthPacket.of(QuorumAuthPacket.IN_PROGRESS, new byte[4]).encode();
        byte[] otherMagic = good.clone();
        otherMagic[7] ^= 1;
        byte[] unknownStatus = good.clone();
        unknownStatus[11] = 7;
        byte[] hugeToken = good.clone();
        hugeToken[12] = 0x7f;
        byte[] belowNull = good.clone();
        Arrays.fill(belowNull, 12, 16, (byte) 0xff);
        belowNull[15] = (byte) 0xfe;
        for (byte[] bad : new byte[][] {otherMagic, unknownStatus, hugeToken, belowNull}) {
            assertThrows(PeerProtocolException.class, () -> QuorumAuthPacket.decode(bad, 0, bad.length));
        }
        // A vote frame or a quorum packet never starts with the magic.
        assertFalse(QuorumAuthPacket.startsWithMagic(ElectionFrame.encode(new NotificationMessage(0, 1, 1, 1, 1, 2, new byte[0])), 0));
        assertFalse(QuorumAuthPacket.startsWithMagic(new QuorumPacket(QuorumPacketType.FOLLOWERINFO, -1, null, null).encode(), 0));
    }
}
