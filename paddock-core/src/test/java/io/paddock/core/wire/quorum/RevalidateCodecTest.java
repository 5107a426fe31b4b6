package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import org.apache.zookeeper.server.quorum.Leader;
import org.junit.jupiter.api.Test;

/**
 * Proves REVALIDATE matches ZooKeeper 3.9.5 both ways: the learner's question as
 * Learner.validateSession writes it and Leader.revalidateSession reads it, the leader's answer as
 * Leader.revalidateSession writes it into the same packet and Learner.revalidate reads it; and
 * that data of any other length, or a boolean other than 0 or 1, is refused.
 */
class RevalidateCodecTest {
    /** Leader.REVALIDATE (package-private in ZooKeeper). */
    private static final int ZK_REVALIDATE = (Integer) ZkQuorumOracle.staticField(Leader.class, "REVALIDATE");
    private static final long[] SESSIONS = {0x1000_0000_0000_0007L, -1, 0};

    @Test
    void askIsLearnerValidateSessionsAndLeaderReadsIt() throws Exception {
        for (long sessionId : SESSIONS) {
            for (int timeout : new int[] {30_000, 0, Integer.MIN_VALUE}) {
                ByteArrayOutputStream baos = new ByteArrayOutputStream();
                DataOutputStream dos = new DataOutputStream(baos);
                dos.writeLong(sessionId);
                dos.writeInt(timeout);
                var zk = new org.apache.zookeeper.server.quorum.QuorumPacket(ZK_REVALIDATE, -1, baos.toByteArray(), null);
                QuorumPacket ask = Revalidate.ask(sessionId, timeout);
                assertArrayEquals(ZkQuorumOracle.bytes(zk), ask.encode());
                assertEquals(new Revalidate.Ask(sessionId, timeout), Revalidate.readAsk(ask));
                DataInputStream dis = new DataInputStream(new ByteArrayInputStream(ask.data()));
                assertEquals(sessionId, dis.readLong());
                assertEquals(timeout, dis.readInt());
            }
        }
    }

    @Test
    void answerIsLeaderRevalidateSessionsAndLearnerReadsIt() throws Exception {
        for (long sessionId : SESSIONS) {
            for (boolean valid : new boolean[] {true, false}) {
                QuorumPacket ask = Revalidate.ask(sessionId, 30_000);
                // Leader.revalidateSession: the learner's own packet, its data replaced.
                var zk = ZkQuorumOracle.zkPacket(ask);
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                DataOutputStream dos = new DataOutputStream(bos);
                dos.writeLong(sessionId);
                dos.writeBoolean(valid);
                zk.setData(bos.toByteArray());
                QuorumPacket answer = Revalidate.answer(ask, sessionId, valid);
                assertArrayEquals(ZkQuorumOracle.bytes(zk), answer.encode());
                assertEquals(new Revalidate.Answer(sessionId, valid), Revalidate.readAnswer(answer));
                DataInputStream dis = new DataInputStream(new ByteArrayInputStream(answer.data()));
                assertEquals(sessionId, dis.readLong());
                assertEquals(valid, dis.readBoolean());
            }
        }
    }

    @Test
    void otherLengthsBooleansAndTypesAreRefused() {
        byte[] ask = Revalidate.ask(7, 30_000).data();
        byte[] answer = Revalidate.answer(Revalidate.ask(7, 1), 7, true).data();
        for (int length = 0; length <= ask.length + 1; length++) {
            byte[] data = Arrays.copyOf(ask, length);
            if (length != Revalidate.ASK_BYTES) {
                assertThrows(PeerProtocolException.class, () -> Revalidate.readAsk(revalidate(data)));
            }
            if (length != Revalidate.ANSWER_BYTES) {
                assertThrows(PeerProtocolException.class, () -> Revalidate.readAnswer(revalidate(data)));
            }
        }
        answer[8] = 2;
        assertThrows(PeerProtocolException.class, () -> Revalidate.readAnswer(revalidate(answer)));
        assertThrows(PeerProtocolException.class, () -> Revalidate.readAsk(revalidate(null)));
        assertThrows(PeerProtocolException.class,
                () -> Revalidate.readAsk(new QuorumPacket(QuorumPacketType.PING, -1, ask, null)));
    }

    private static QuorumPacket revalidate(byte[] data) {
        return new QuorumPacket(QuorumPacketType.REVALIDATE, -1, data, null);
    }
}
