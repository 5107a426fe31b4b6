package io.paddock.core.wire.quorum;

import static io.paddock.core.wire.quorum.QuorumPacketCodecTest.fromHex;
import static io.paddock.core.wire.quorum.QuorumPacketCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.zookeeper.server.util.ZxidUtils;
import org.junit.jupiter.api.Test;

/**
 * Proves the discovery handshake's packets are those ZooKeeper 3.9.5's Learner and LearnerHandler
 * build (FOLLOWERINFO/OBSERVERINFO with a jute LearnerInfo, LEADERINFO, ACKEPOCH, and their zxid
 * conventions), and that LearnerInfo's shorter forms decode as LearnerHandler reads them.
 */
class LearnerHandshakeTest {
    private static final QuorumPacketDecoder DECODER = QuorumPacketDecoder.withDefaultLimits();

    @Test
    void learnerInfoMatchesZooKeeperBothWays() throws Exception {
        long[] longs = {0, 1, -1, 0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long sid : longs) {
            for (long configVersion : longs) {
                var zk = new org.apache.zookeeper.server.quorum.LearnerInfo(sid, 0x10000, configVersion);
                LearnerInfo ours = new LearnerInfo(sid, LearnerInfo.PROTOCOL_VERSION, configVersion);
                assertArrayEquals(ZkQuorumOracle.bytes(zk), ours.encode());
                assertEquals(ours, LearnerInfo.decode(ZkQuorumOracle.bytes(zk)));
                var zkReadsOurs = ZkQuorumOracle.read(ours.encode(), new org.apache.zookeeper.server.quorum.LearnerInfo());
                assertEquals(zk, zkReadsOurs);
            }
        }
    }

    @Test
    void learnerInfoPrefixesReadAsLearnerHandlerReadsThem() throws Exception {
        byte[] whole = new LearnerInfo(7, 0x10000, 0x1_0000_0003L).encode();
        assertEquals("0000000000000007" + "00010000" + "0000000100000003", hex(whole));
        for (int length = 0; length <= whole.length + 3; length++) {
            byte[] data = Arrays.copyOf(whole, length);
            LearnerInfo expected;
            if (length < 8) {
                int shown = length;
                assertThrows(PeerProtocolException.class, () -> LearnerInfo.decode(data), () -> "length " + shown);
                continue;
            } else if (length < 12) {
                expected = new LearnerInfo(7, 0, 0, LearnerInfo.Form.SID_ONLY);
            } else if (length < 20) {
                expected = new LearnerInfo(7, 0x10000, 0, LearnerInfo.Form.NO_CONFIG_VERSION);
            } else {
                expected = new LearnerInfo(7, 0x10000, 0x1_0000_0003L);
            }
            assertEquals(expected, LearnerInfo.decode(data), "length " + length);
            assertArrayEquals(Arrays.copyOf(whole, expected.form().bytes), expected.encode());
        }
        assertThrows(PeerProtocolException.class, () -> LearnerInfo.decode(null));
    }

    @Test
    void followerInfoIsWhatLearnerRegisterWithLeaderSends() throws Exception {
        long acceptedEpoch = 5;
        var li = new org.apache.zookeeper.server.quorum.LearnerInfo(3, 0x10000, 0x1_0000_0000L);
        var zk = new org.apache.zookeeper.server.quorum.QuorumPacket(QuorumPacketType.FOLLOWERINFO,
                ZxidUtils.makeZxid(acceptedEpoch, 0), ZkQuorumOracle.bytes(li), null);
        QuorumPacket ours = LearnerHandshake.followerInfo(acceptedEpoch, new LearnerInfo(3, 0x10000, 0x1_0000_0000L));
        assertArrayEquals(ZkQuorumOracle.bytes(zk), ours.encode());
        QuorumPacket read = DECODER.decodeWhole(ZkQuorumOracle.bytes(zk));
        assertEquals(new LearnerInfo(3, 0x10000, 0x1_0000_0000L), LearnerHandshake.learnerInfo(read));
        assertEquals(acceptedEpoch, LearnerHandshake.epochOf(read.zxid()));

        QuorumPacket observer = LearnerHandshake.observerInfo(acceptedEpoch, new LearnerInfo(9, 0x10000, 0));
        assertEquals(QuorumPacketType.OBSERVERINFO, observer.type());
        assertEquals(9, LearnerHandshake.learnerInfo(DECODER.decodeWhole(observer.encode())).sid());
    }

    @Test
    void leaderInfoAndAckEpochAreWhatLearnerHandlerAndLearnerSend() throws Exception {
        long newEpoch = 6;
        byte[] ver = new byte[4];
        ByteBuffer.wrap(ver).putInt(0x10000);
        var zkLeaderInfo = new org.apache.zookeeper.server.quorum.QuorumPacket(QuorumPacketType.LEADERINFO,
                ZxidUtils.makeZxid(newEpoch, 0), ver, null);
        QuorumPacket leaderInfo = LearnerHandshake.leaderInfo(newEpoch, LearnerInfo.PROTOCOL_VERSION);
        assertArrayEquals(ZkQuorumOracle.bytes(zkLeaderInfo), leaderInfo.encode());
        assertEquals("00000011" + "0000000600000000" + "00000004" + "00010000" + "ffffffff", hex(leaderInfo.encode()));
        assertEquals(0x10000, LearnerHandshake.leaderProtocolVersion(leaderInfo));

        for (int currentEpoch : new int[] {5, LearnerHandshake.EPOCH_ALREADY_ACCEPTED}) {
            byte[] epochBytes = new byte[4];
            ByteBuffer.wrap(epochBytes).putInt(currentEpoch);
            long lastLoggedZxid = 0x5_0000_0011L;
            var zkAck = new org.apache.zookeeper.server.quorum.QuorumPacket(QuorumPacketType.ACKEPOCH,
                    lastLoggedZxid, epochBytes, null);
            QuorumPacket ack = LearnerHandshake.ackEpoch(currentEpoch, lastLoggedZxid);
            assertArrayEquals(ZkQuorumOracle.bytes(zkAck), ack.encode());
            assertEquals(currentEpoch, LearnerHandshake.ackedCurrentEpoch(DECODER.decodeWhole(ack.encode())));
        }
    }

    @Test
    void payloadsAreCheckedAsZooKeeperReadsThem() throws Exception {
        assertEquals(7, LearnerHandshake.ackedCurrentEpoch(new QuorumPacket(QuorumPacketType.ACKEPOCH, 0,
                fromHex("00000007ff"), null)));
        for (byte[] short_ : new byte[][] {null, new byte[0], new byte[3]}) {
            assertThrows(PeerProtocolException.class, () -> LearnerHandshake.ackedCurrentEpoch(
                    new QuorumPacket(QuorumPacketType.ACKEPOCH, 0, short_, null)));
            assertThrows(PeerProtocolException.class, () -> LearnerHandshake.leaderProtocolVersion(
                    new QuorumPacket(QuorumPacketType.LEADERINFO, 0, short_, null)));
        }
        assertThrows(PeerProtocolException.class, () -> LearnerHandshake.ackedCurrentEpoch(
                LearnerHandshake.leaderInfo(1, 0x10000)));
        assertThrows(PeerProtocolException.class, () -> LearnerHandshake.learnerInfo(
                LearnerHandshake.ackEpoch(1, 0)));
    }

    @Test
    void epochsAreTheZxidsHighBitsAsZxidUtilsReadsThem() {
        for (long zxid : new long[] {0, 0x7_0000_0001L, -1, Long.MIN_VALUE, 0xffff_ffffL}) {
            assertEquals(ZxidUtils.getEpochFromZxid(zxid), LearnerHandshake.epochOf(zxid));
        }
        for (long epoch : new long[] {0, 1, 0x7fff_ffffL, 0xffff_ffffL}) {
            assertEquals(ZxidUtils.makeZxid(epoch, 0), LearnerHandshake.epochZxid(epoch));
        }
    }
}
