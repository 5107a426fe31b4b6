package io.paddock.core.wire.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.wire.Id;
import io.paddock.core.wire.OpCode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.zookeeper.server.quorum.Leader;
import org.junit.jupiter.api.Test;

/**
 * Proves a forwarded REQUEST is byte for byte what ZooKeeper 3.9.5's Learner.request writes
 * (DataOutputStream head, raw request record, the session's authinfo, zxid -1, then
 * BinaryOutputArchive for the packet), that we read it back as LearnerHandler does (ByteBuffer),
 * and that data too short for the head is refused.
 */
class ForwardedRequestCodecTest {
    /** Leader.REQUEST (package-private in ZooKeeper). */
    private static final int ZK_REQUEST = (Integer) ZkQuorumOracle.staticField(Leader.class, "REQUEST");
    private static final List<ForwardedRequest> SAMPLES = List.of(
            new ForwardedRequest(0x1000_0000_0000_0007L, 5, OpCode.CREATE, new byte[] {0, 0, 0, 2, '/', 'a', -1, -1, -1, -1},
                    List.of(Id.ANYONE, new Id("digest", "bob:x8Hq4oBQRQ8Mh0CyJr2xPqWJ4CU="))),
            new ForwardedRequest(-1, Integer.MIN_VALUE, OpCode.CLOSE_SESSION, new byte[0], null),
            new ForwardedRequest(7, 0, OpCode.CREATE_SESSION, new byte[] {0, 0, 0x75, 0x30}, null),
            new ForwardedRequest(7, 1, OpCode.SYNC, new byte[300], List.of()));

    @Test
    void requestsAreLearnerRequestsBytesAndLearnerHandlerReadsThem() throws Exception {
        for (ForwardedRequest ours : SAMPLES) {
            byte[] zk = ZkQuorumOracle.bytes(learnerRequest(ours));
            QuorumPacket packet = ours.toPacket();
            assertArrayEquals(zk, packet.encode(), ours::toString);
            assertEquals(ours, ForwardedRequest.of(QuorumPacketDecoder.withDefaultLimits().decodeWhole(zk)));

            // LearnerHandler's reading, on our packet.
            var zkPacket = ZkQuorumOracle.read(packet.encode(), new org.apache.zookeeper.server.quorum.QuorumPacket());
            assertEquals(ZK_REQUEST, zkPacket.getType());
            ByteBuffer bb = ByteBuffer.wrap(zkPacket.getData());
            assertEquals(ours.sessionId(), bb.getLong());
            assertEquals(ours.cxid(), bb.getInt());
            assertEquals(ours.type(), bb.getInt());
            ByteBuffer rest = bb.slice();
            byte[] request = new byte[rest.remaining()];
            rest.get(request);
            assertArrayEquals(ours.request(), request);
            assertEquals(ZkQuorumOracle.zkPacket(packet).getAuthinfo(), zkPacket.getAuthinfo());
        }
    }

    @Test
    void shortOrMissingDataAndOtherTypesAreRefused() {
        byte[] head = SAMPLES.get(0).toPacket().data();
        for (int length = 0; length < ForwardedRequest.HEAD_BYTES; length++) {
            byte[] cut = Arrays.copyOf(head, length);
            assertThrows(PeerProtocolException.class,
                    () -> ForwardedRequest.of(new QuorumPacket(QuorumPacketType.REQUEST, -1, cut, null)));
        }
        assertThrows(PeerProtocolException.class,
                () -> ForwardedRequest.of(new QuorumPacket(QuorumPacketType.REQUEST, -1, null, null)));
        assertThrows(PeerProtocolException.class,
                () -> ForwardedRequest.of(new QuorumPacket(QuorumPacketType.PROPOSAL, -1, head, null)));
    }

    /** Learner.request's writes, with ZooKeeper's classes. */
    private static org.apache.zookeeper.server.quorum.QuorumPacket learnerRequest(ForwardedRequest r) throws IOException {
        ByteArrayOutputStream baos = new ByteArrayOutputStream();
        DataOutputStream oa = new DataOutputStream(baos);
        oa.writeLong(r.sessionId());
        oa.writeInt(r.cxid());
        oa.writeInt(r.type());
        oa.write(r.request());
        oa.close();
        List<org.apache.zookeeper.data.Id> authInfo = r.authinfo() == null ? null
                : r.authinfo().stream().map(id -> new org.apache.zookeeper.data.Id(id.scheme(), id.id())).toList();
        return new org.apache.zookeeper.server.quorum.QuorumPacket(ZK_REQUEST, -1, baos.toByteArray(), authInfo);
    }
}
