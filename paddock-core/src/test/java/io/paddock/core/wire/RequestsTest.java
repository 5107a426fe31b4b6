package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.jute.Record;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.junit.jupiter.api.Test;

/**
 * Proves decodeRequest picks the right record for every op code a ZooKeeper 3.9 server accepts,
 * returns null for the bodyless ones, and reports exactly the op codes ZooKeeper would answer
 * with UNIMPLEMENTED as unknown (a distinct exception from a body that does not decode).
 */
class RequestsTest {
    private static final byte[] DATA = {1, 2, 3};

    /** One request of each kind with a body, as ZooKeeper encodes it, and what we must decode. */
    private static Map<Integer, Object[]> requestsWithBody() {
        Map<Integer, Object[]> m = new LinkedHashMap<>();
        List<org.apache.zookeeper.data.ACL> open = ZkOracle.acls(Acl.OPEN);
        put(m, OpCode.CREATE, new org.apache.zookeeper.proto.CreateRequest("/a", DATA, open, 1),
                new CreateRequest("/a", DATA, Acl.OPEN, 1));
        put(m, OpCode.CREATE2, new org.apache.zookeeper.proto.CreateRequest("/a", DATA, open, 2),
                new CreateRequest("/a", DATA, Acl.OPEN, 2));
        put(m, OpCode.CREATE_CONTAINER, new org.apache.zookeeper.proto.CreateRequest("/c", DATA, open, 4),
                new CreateRequest("/c", DATA, Acl.OPEN, 4));
        put(m, OpCode.CREATE_TTL, new org.apache.zookeeper.proto.CreateTTLRequest("/t", DATA, open, 5, 99L),
                new CreateTTLRequest("/t", DATA, Acl.OPEN, 5, 99L));
        put(m, OpCode.DELETE, new org.apache.zookeeper.proto.DeleteRequest("/a", 4), new DeleteRequest("/a", 4));
        put(m, OpCode.DELETE_CONTAINER, new org.apache.zookeeper.DeleteContainerRequest("/ünï"),
                new DeleteContainerRequest("/ünï"));
        put(m, OpCode.EXISTS, new org.apache.zookeeper.proto.ExistsRequest("/a", true), new ExistsRequest("/a", true));
        put(m, OpCode.GET_DATA, new org.apache.zookeeper.proto.GetDataRequest("/a", true), new GetDataRequest("/a", true));
        put(m, OpCode.SET_DATA, new org.apache.zookeeper.proto.SetDataRequest("/a", DATA, 5), new SetDataRequest("/a", DATA, 5));
        put(m, OpCode.GET_ACL, new org.apache.zookeeper.proto.GetACLRequest("/a"), new GetACLRequest("/a"));
        put(m, OpCode.SET_ACL, new org.apache.zookeeper.proto.SetACLRequest("/a", open, 2), new SetACLRequest("/a", Acl.OPEN, 2));
        put(m, OpCode.GET_CHILDREN, new org.apache.zookeeper.proto.GetChildrenRequest("/a", false),
                new GetChildrenRequest("/a", false));
        put(m, OpCode.GET_CHILDREN2, new org.apache.zookeeper.proto.GetChildren2Request("/a", true),
                new GetChildren2Request("/a", true));
        put(m, OpCode.SYNC, new org.apache.zookeeper.proto.SyncRequest("/a"), new SyncRequest("/a"));
        put(m, OpCode.MULTI, new MultiOperationRecord(List.of(Op.check("/a", 1), Op.delete("/a", 1))),
                new MultiRequest(List.of(new MultiOp(OpCode.CHECK, new CheckVersionRequest("/a", 1)),
                        new MultiOp(OpCode.DELETE, new DeleteRequest("/a", 1)))));
        put(m, OpCode.MULTI_READ, new MultiOperationRecord(List.of(Op.getData("/a"))),
                new MultiRequest(List.of(new MultiOp(OpCode.GET_DATA, new GetDataRequest("/a", false)))));
        put(m, OpCode.RECONFIG, new org.apache.zookeeper.proto.ReconfigRequest("server.4=h:1:2", null, null, -1L),
                new ReconfigRequest("server.4=h:1:2", null, null, -1L));
        put(m, OpCode.CHECK_WATCHES, new org.apache.zookeeper.proto.CheckWatchesRequest("/a", 3),
                new CheckWatchesRequest("/a", 3));
        put(m, OpCode.REMOVE_WATCHES, new org.apache.zookeeper.proto.RemoveWatchesRequest("/a", 1),
                new RemoveWatchesRequest("/a", 1));
        put(m, OpCode.AUTH, new org.apache.zookeeper.proto.AuthPacket(0, "digest", DATA), new AuthPacket(0, "digest", DATA));
        put(m, OpCode.SET_WATCHES, new org.apache.zookeeper.proto.SetWatches(9L, List.of("/d"), List.of(), List.of("/c")),
                new SetWatches(9L, List.of("/d"), List.of(), List.of("/c")));
        put(m, OpCode.SASL, new org.apache.zookeeper.proto.GetSASLRequest(DATA), new GetSASLRequest(DATA));
        put(m, OpCode.GET_EPHEMERALS, new org.apache.zookeeper.proto.GetEphemeralsRequest("/"), new GetEphemeralsRequest("/"));
        put(m, OpCode.GET_ALL_CHILDREN_NUMBER, new org.apache.zookeeper.proto.GetAllChildrenNumberRequest("/a"),
                new GetAllChildrenNumberRequest("/a"));
        put(m, OpCode.SET_WATCHES2, new org.apache.zookeeper.proto.SetWatches2(9L, List.of(), List.of(), List.of(),
                List.of("/p"), List.of("/r")), new SetWatches2(9L, List.of(), List.of(), List.of(), List.of("/p"), List.of("/r")));
        put(m, OpCode.ADD_WATCH, new org.apache.zookeeper.proto.AddWatchRequest("/a", 1), new AddWatchRequest("/a", 1));
        return m;
    }

    private static void put(Map<Integer, Object[]> m, int opCode, Record zk, JuteRecord ours) {
        m.put(opCode, new Object[] {zk, ours});
    }

    @Test
    void decodesEveryRequestWithABody() {
        requestsWithBody().forEach((opCode, pair) -> {
            byte[] zkBytes = ZkOracle.bytes((Record) pair[0]);
            JuteRecord decoded = WireAsserts.decodeAll(zkBytes, in -> Requests.decodeRequest(opCode, in));
            assertEquals(pair[1], decoded, "op code " + opCode);
            assertEquals(true, Requests.isKnownOpCode(opCode));
            WireAsserts.assertEveryPrefixRejected(zkBytes, in -> Requests.decodeRequest(opCode, in));
        });
    }

    @Test
    void bodylessRequestsDecodeToNullWithoutReading() {
        for (int opCode : new int[] {OpCode.PING, OpCode.CLOSE_SESSION, OpCode.WHO_AM_I}) {
            JuteReader in = new JuteReader(new byte[] {1, 2, 3});
            assertNull(Requests.decodeRequest(opCode, in));
            assertEquals(3, in.remaining());
        }
    }

    @Test
    void knowsExactlyTheOpCodesZooKeeperAccepts() throws ReflectiveOperationException {
        for (int opCode = -200; opCode <= 300; opCode++) {
            boolean zkAccepts = zkIsValid(opCode) || opCode == OpCode.AUTH || opCode == OpCode.SASL;
            boolean expected = zkAccepts && opCode != OpCode.CREATE_SESSION;
            assertEquals(expected, Requests.isKnownOpCode(opCode), "op code " + opCode);
            if (!expected) {
                int shown = opCode;
                UnknownOpCodeException e = assertThrows(UnknownOpCodeException.class,
                        () -> Requests.decodeRequest(shown, new JuteReader(new byte[64])));
                assertEquals(opCode, e.opCode());
            }
        }
    }

    @Test
    void topLevelCheckIsUnknownAsInZooKeeper() {
        assertThrows(UnknownOpCodeException.class,
                () -> Requests.decodeRequest(OpCode.CHECK, new JuteReader(new CheckVersionRequest("/a", 1).toBytes())));
    }

    /** ZooKeeper answers it MARSHALLINGERROR and keeps the connection: it is not a wire error. */
    @Test
    void deleteContainerWithANullPathDecodesToANullPath() {
        byte[] nullBuffer = new JuteWriter().writeBuffer(null).toByteArray();
        assertEquals(new DeleteContainerRequest(null),
                Requests.decodeRequest(OpCode.DELETE_CONTAINER, new JuteReader(nullBuffer)));
    }

    private static boolean zkIsValid(int opCode) throws ReflectiveOperationException {
        Method isValid = org.apache.zookeeper.server.Request.class.getDeclaredMethod("isValid", int.class);
        isValid.setAccessible(true);
        try {
            return (Boolean) isValid.invoke(null, opCode);
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
    }
}
