package io.paddock.core.wire;

import static io.paddock.core.wire.WireAsserts.assertSameAsZk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.junit.jupiter.api.Test;

/**
 * Proves multi requests and responses are byte-identical to ZooKeeper's MultiOperationRecord and
 * MultiResponse for every kind of op and result, and that malformed multis (unknown op or result
 * types, mixed reads and writes, missing terminator) are refused with WireException.
 */
class MultiRecordsTest {
    private static final byte[] DATA = {7, 0, -1};
    private static final List<Acl> DIGEST = Samples.ACL_LISTS.get(3);
    private static final Stat STAT = Samples.STATS.get(1);

    @Test
    void transactionMatchesZooKeeper() {
        List<Op> zk = List.of(
                Op.create("/a", DATA, ZkOracle.acls(Acl.OPEN), CreateMode.PERSISTENT),
                Op.create("/b-", null, ZkOracle.acls(DIGEST), CreateMode.EPHEMERAL_SEQUENTIAL),
                Op.create("/c", DATA, ZkOracle.acls(Acl.OPEN), CreateMode.CONTAINER),
                Op.create("/t", new byte[0], ZkOracle.acls(Acl.OPEN), CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 5000L),
                Op.delete("/ünï", -1),
                Op.setData("/x", DATA, 3),
                Op.check("/y", 2));
        MultiRequest ours = new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/a", DATA, Acl.OPEN, CreateFlags.PERSISTENT)),
                new MultiOp(OpCode.CREATE, new CreateRequest("/b-", null, DIGEST, CreateFlags.EPHEMERAL_SEQUENTIAL)),
                new MultiOp(OpCode.CREATE_CONTAINER, new CreateRequest("/c", DATA, Acl.OPEN, CreateFlags.CONTAINER)),
                new MultiOp(OpCode.CREATE_TTL, new CreateTTLRequest("/t", new byte[0], Acl.OPEN,
                        CreateFlags.PERSISTENT_SEQUENTIAL_WITH_TTL, 5000L)),
                new MultiOp(OpCode.DELETE, new DeleteRequest("/ünï", -1)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/x", DATA, 3)),
                new MultiOp(OpCode.CHECK, new CheckVersionRequest("/y", 2))));
        assertSameAsZk(ours, new MultiOperationRecord(zk), MultiRequest::read, MultiOperationRecord::new);
        assertFalse(ours.isRead());
    }

    @Test
    void readMultiMatchesZooKeeper() {
        MultiRequest ours = new MultiRequest(List.of(
                new MultiOp(OpCode.GET_CHILDREN, new GetChildrenRequest("/a", false)),
                new MultiOp(OpCode.GET_DATA, new GetDataRequest("/日本", false))));
        assertSameAsZk(ours, new MultiOperationRecord(List.of(Op.getChildren("/a"), Op.getData("/日本"))),
                MultiRequest::read, MultiOperationRecord::new);
        assertTrue(ours.isRead());
    }

    @Test
    void emptyMultiMatchesZooKeeper() {
        assertSameAsZk(new MultiRequest(List.of()), new MultiOperationRecord(),
                MultiRequest::read, MultiOperationRecord::new);
        assertSameAsZk(new MultiResponse(List.of()), new org.apache.zookeeper.MultiResponse(),
                MultiResponse::read, org.apache.zookeeper.MultiResponse::new);
    }

    @Test
    void create2OpDecodesAsCreateRequest() {
        MultiRequest ours = new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE2, new CreateRequest("/a", DATA, Acl.OPEN, 0))));
        assertEquals(ours, WireAsserts.decodeAll(ours.toBytes(), MultiRequest::read));
    }

    @Test
    void mixedReadsAndWritesAreRefusedLikeZooKeeper() {
        JuteWriter out = new JuteWriter();
        new MultiOp(OpCode.DELETE, new DeleteRequest("/a", -1)).write(out);
        new MultiOp(OpCode.GET_DATA, new GetDataRequest("/a", false)).write(out);
        MultiHeader.END.write(out);
        byte[] mixed = out.toByteArray();
        assertThrows(WireException.class, () -> MultiRequest.read(new JuteReader(mixed)));
        assertThrows(UncheckedIOException.class, () -> ZkOracle.decode(mixed, MultiOperationRecord::new));
        assertThrows(IllegalArgumentException.class, () -> new MultiRequest(List.of(
                new MultiOp(OpCode.DELETE, new DeleteRequest("/a", -1)),
                new MultiOp(OpCode.GET_DATA, new GetDataRequest("/a", false)))));
    }

    @Test
    void unknownOpTypeIsRefusedLikeZooKeeper() {
        JuteWriter out = new JuteWriter();
        new MultiHeader(OpCode.SET_ACL, false, -1).write(out);
        new SetACLRequest("/a", Acl.OPEN, -1).write(out);
        MultiHeader.END.write(out);
        byte[] bytes = out.toByteArray();
        assertThrows(WireException.class, () -> MultiRequest.read(new JuteReader(bytes)));
        assertThrows(UncheckedIOException.class, () -> ZkOracle.decode(bytes, MultiOperationRecord::new));
    }

    @Test
    void opMustCarryTheRecordOfItsType() {
        assertThrows(IllegalArgumentException.class,
                () -> new MultiOp(OpCode.DELETE, new CheckVersionRequest("/a", 1)));
        assertThrows(IllegalArgumentException.class,
                () -> new MultiOp(OpCode.CREATE_TTL, new CreateRequest("/a", null, null, 5)));
        assertThrows(IllegalArgumentException.class, () -> new MultiOp(OpCode.SET_ACL, new SetACLRequest("/a", null, 1)));
    }

    @Test
    void transactionResultsMatchZooKeeper() {
        org.apache.zookeeper.MultiResponse zk = new org.apache.zookeeper.MultiResponse();
        zk.add(new OpResult.CreateResult("/a"));
        zk.add(new OpResult.CreateResult("/b-0000000001", ZkOracle.stat(STAT)));
        zk.add(new OpResult.CreateResult("/c", ZkOracle.stat(Stat.EMPTY)));
        zk.add(new OpResult.CreateResult("/t", ZkOracle.stat(STAT)));
        zk.add(new OpResult.DeleteResult());
        zk.add(new OpResult.SetDataResult(ZkOracle.stat(STAT)));
        zk.add(new OpResult.CheckResult());
        MultiResponse ours = new MultiResponse(List.of(
                MultiResult.created(OpCode.CREATE, "/a", null),
                MultiResult.created(OpCode.CREATE2, "/b-0000000001", STAT),
                MultiResult.created(OpCode.CREATE_CONTAINER, "/c", Stat.EMPTY),
                MultiResult.created(OpCode.CREATE_TTL, "/t", STAT),
                MultiResult.deleted(),
                MultiResult.dataSet(STAT),
                MultiResult.checked()));
        assertSameAsZk(ours, zk, MultiResponse::read, org.apache.zookeeper.MultiResponse::new);
    }

    @Test
    void failedTransactionMatchesZooKeeper() {
        org.apache.zookeeper.MultiResponse zk = new org.apache.zookeeper.MultiResponse();
        List<MultiResult> ours = new ArrayList<>();
        for (int err : new int[] {Code.OK, Code.NO_NODE, Code.RUNTIME_INCONSISTENCY}) {
            zk.add(new OpResult.ErrorResult(err));
            ours.add(MultiResult.error(err));
        }
        assertSameAsZk(new MultiResponse(ours), zk, MultiResponse::read, org.apache.zookeeper.MultiResponse::new);
    }

    @Test
    void readResultsMatchZooKeeper() {
        for (List<String> children : Samples.STRING_LISTS) {
            for (byte[] data : Samples.DATAS) {
                org.apache.zookeeper.MultiResponse zk = new org.apache.zookeeper.MultiResponse();
                zk.add(new OpResult.GetChildrenResult(children));
                zk.add(new OpResult.GetDataResult(data, ZkOracle.stat(STAT)));
                zk.add(new OpResult.ErrorResult(Code.NO_NODE));
                MultiResponse ours = new MultiResponse(List.of(MultiResult.children(children),
                        MultiResult.data(data, STAT), MultiResult.error(Code.NO_NODE)));
                assertSameAsZk(ours, zk, MultiResponse::read, org.apache.zookeeper.MultiResponse::new);
            }
        }
    }

    @Test
    void resultMustBeEncodableAsZooKeeperDoes() {
        assertThrows(IllegalArgumentException.class,
                () -> new MultiResult(OpCode.CREATE_TTL, 0, new Create2Response("/t", STAT)));
        assertThrows(IllegalArgumentException.class,
                () -> new MultiResult(OpCode.CREATE, 0, new Create2Response("/t", STAT)));
        assertThrows(IllegalArgumentException.class, () -> new MultiResult(OpCode.DELETE, Code.NO_NODE, null));
        assertThrows(IllegalArgumentException.class,
                () -> new MultiResult(OpCode.ERROR, Code.NO_NODE, new ErrorResponse(Code.BAD_VERSION)));
        assertThrows(IllegalArgumentException.class, () -> MultiResult.created(OpCode.DELETE, "/a", STAT));
    }

    @Test
    void unknownResultTypeIsRefused() {
        JuteWriter out = new JuteWriter();
        new MultiHeader(OpCode.CREATE_TTL, false, 0).write(out);
        new Create2Response("/t", STAT).write(out);
        MultiHeader.END.write(out);
        byte[] bytes = out.toByteArray();
        assertThrows(WireException.class, () -> MultiResponse.read(new JuteReader(bytes)));
        assertThrows(UncheckedIOException.class, () -> ZkOracle.decode(bytes, org.apache.zookeeper.MultiResponse::new));
    }

    @Test
    void headerErrOfAnOrdinaryResultIsIgnoredLikeZooKeeper() {
        JuteWriter out = new JuteWriter();
        new MultiHeader(OpCode.DELETE, false, Code.NO_NODE).write(out);
        MultiHeader.END.write(out);
        assertEquals(new MultiResponse(List.of(MultiResult.deleted())),
                WireAsserts.decodeAll(out.toByteArray(), MultiResponse::read));
    }
}
