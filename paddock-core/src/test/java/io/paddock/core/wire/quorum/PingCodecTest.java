package io.paddock.core.wire.quorum;

import static io.paddock.core.wire.quorum.QuorumPacketCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves PING matches ZooKeeper 3.9.5: the leader's as LearnerHandler.ping builds it, the
 * learner's reply as Learner.ping writes its touches (DataOutputStream pairs) and as
 * LearnerHandler reads them back; data that is not whole pairs is refused.
 */
class PingCodecTest {
    private static final List<Ping.SessionTouch> TOUCHES = List.of(
            new Ping.SessionTouch(0x1000_0000_0000_0001L, 30_000), new Ping.SessionTouch(-1, Integer.MIN_VALUE));

    @Test
    void leadersPingIsLearnerHandlers() {
        var zk = new org.apache.zookeeper.server.quorum.QuorumPacket(QuorumPacketType.PING, 0x3_0000_0007L, null, null);
        assertArrayEquals(ZkQuorumOracle.bytes(zk), Ping.fromLeader(0x3_0000_0007L).encode());
    }

    @Test
    void learnersReplyIsWhatLearnerWritesAndLearnerHandlerReads() throws Exception {
        QuorumPacket ping = Ping.fromLeader(0x3_0000_0007L);
        ByteArrayOutputStream touches = new ByteArrayOutputStream();
        DataOutputStream dos = new DataOutputStream(touches);
        for (Ping.SessionTouch t : TOUCHES) {
            dos.writeLong(t.sessionId());
            dos.writeInt(t.timeoutMs());
        }
        var zk = new org.apache.zookeeper.server.quorum.QuorumPacket(QuorumPacketType.PING, ping.zxid(),
                touches.toByteArray(), null);
        QuorumPacket reply = Ping.reply(ping, TOUCHES);
        assertArrayEquals(ZkQuorumOracle.bytes(zk), reply.encode());
        assertEquals(TOUCHES, Ping.touches(reply));

        List<Ping.SessionTouch> readByZk = new ArrayList<>();
        DataInputStream dis = new DataInputStream(new ByteArrayInputStream(reply.data()));
        while (dis.available() > 0) {
            readByZk.add(new Ping.SessionTouch(dis.readLong(), dis.readInt()));
        }
        assertEquals(TOUCHES, readByZk);
        assertEquals("", hex(Ping.reply(ping, List.of()).data()));
        assertEquals(List.of(), Ping.touches(Ping.reply(ping, List.of())));
    }

    @Test
    void partialPairsAndNullAreRefused() {
        for (byte[] bad : new byte[][] {null, new byte[11], new byte[13], new byte[25]}) {
            assertThrows(PeerProtocolException.class,
                    () -> Ping.touches(new QuorumPacket(QuorumPacketType.PING, 0, bad, null)));
        }
        assertThrows(PeerProtocolException.class,
                () -> Ping.touches(new QuorumPacket(QuorumPacketType.ACK, 0, new byte[12], null)));
    }
}
