package io.paddock.core.wire;

import static io.paddock.core.wire.WireAsserts.assertSameAsZk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves every znode request and response record (create, delete, exists, data, ACL, children,
 * ephemerals, check, sync, reconfig) is byte-identical to ZooKeeper 3.9.5's, with null and empty
 * strings, buffers and vectors, unicode paths and extreme numbers.
 */
class NodeRecordsTest {
    @Test
    void createRequestsMatchZooKeeper() {
        for (String path : Samples.PATHS) {
            for (byte[] data : Samples.DATAS) {
                for (List<Acl> acl : Samples.ACL_LISTS) {
                    List<org.apache.zookeeper.data.ACL> zkAcl = ZkOracle.acls(acl);
                    assertSameAsZk(new CreateRequest(path, data, acl, CreateFlags.EPHEMERAL_SEQUENTIAL),
                            new org.apache.zookeeper.proto.CreateRequest(path, data, zkAcl, 3),
                            CreateRequest::read, org.apache.zookeeper.proto.CreateRequest::new);
                    assertSameAsZk(new CreateTTLRequest(path, data, acl, CreateFlags.PERSISTENT_WITH_TTL, 60_000L),
                            new org.apache.zookeeper.proto.CreateTTLRequest(path, data, zkAcl, 5, 60_000L),
                            CreateTTLRequest::read, org.apache.zookeeper.proto.CreateTTLRequest::new);
                }
            }
        }
    }

    @Test
    void createResponsesMatchZooKeeper() {
        for (String path : Samples.PATHS) {
            assertSameAsZk(new CreateResponse(path), new org.apache.zookeeper.proto.CreateResponse(path),
                    CreateResponse::read, org.apache.zookeeper.proto.CreateResponse::new);
            for (Stat stat : Samples.STATS) {
                assertSameAsZk(new Create2Response(path, stat),
                        new org.apache.zookeeper.proto.Create2Response(path, ZkOracle.stat(stat)),
                        Create2Response::read, org.apache.zookeeper.proto.Create2Response::new);
            }
        }
    }

    @Test
    void pathAndVersionRequestsMatchZooKeeper() {
        for (String path : Samples.PATHS) {
            for (int version : Samples.INTS) {
                assertSameAsZk(new DeleteRequest(path, version), new org.apache.zookeeper.proto.DeleteRequest(path, version),
                        DeleteRequest::read, org.apache.zookeeper.proto.DeleteRequest::new);
                assertSameAsZk(new CheckVersionRequest(path, version),
                        new org.apache.zookeeper.proto.CheckVersionRequest(path, version),
                        CheckVersionRequest::read, org.apache.zookeeper.proto.CheckVersionRequest::new);
            }
        }
    }

    @Test
    void deleteContainerRequestMatchesZooKeeper() {
        for (String path : Samples.PATHS) {
            if (path != null) {
                assertSameAsZk(new DeleteContainerRequest(path), new org.apache.zookeeper.DeleteContainerRequest(path),
                        DeleteContainerRequest::read, org.apache.zookeeper.DeleteContainerRequest::new);
            }
        }
    }

    @Test
    void pathAndWatchRequestsMatchZooKeeper() {
        for (String path : Samples.PATHS) {
            for (boolean watch : Samples.BOOLS) {
                assertSameAsZk(new ExistsRequest(path, watch), new org.apache.zookeeper.proto.ExistsRequest(path, watch),
                        ExistsRequest::read, org.apache.zookeeper.proto.ExistsRequest::new);
                assertSameAsZk(new GetDataRequest(path, watch), new org.apache.zookeeper.proto.GetDataRequest(path, watch),
                        GetDataRequest::read, org.apache.zookeeper.proto.GetDataRequest::new);
                assertSameAsZk(new GetChildrenRequest(path, watch),
                        new org.apache.zookeeper.proto.GetChildrenRequest(path, watch),
                        GetChildrenRequest::read, org.apache.zookeeper.proto.GetChildrenRequest::new);
                assertSameAsZk(new GetChildren2Request(path, watch),
                        new org.apache.zookeeper.proto.GetChildren2Request(path, watch),
                        GetChildren2Request::read, org.apache.zookeeper.proto.GetChildren2Request::new);
            }
        }
    }

    @Test
    void pathOnlyRecordsMatchZooKeeper() {
        for (String path : Samples.PATHS) {
            assertSameAsZk(new GetACLRequest(path), new org.apache.zookeeper.proto.GetACLRequest(path),
                    GetACLRequest::read, org.apache.zookeeper.proto.GetACLRequest::new);
            assertSameAsZk(new SyncRequest(path), new org.apache.zookeeper.proto.SyncRequest(path),
                    SyncRequest::read, org.apache.zookeeper.proto.SyncRequest::new);
            assertSameAsZk(new SyncResponse(path), new org.apache.zookeeper.proto.SyncResponse(path),
                    SyncResponse::read, org.apache.zookeeper.proto.SyncResponse::new);
            assertSameAsZk(new GetAllChildrenNumberRequest(path),
                    new org.apache.zookeeper.proto.GetAllChildrenNumberRequest(path),
                    GetAllChildrenNumberRequest::read, org.apache.zookeeper.proto.GetAllChildrenNumberRequest::new);
            assertSameAsZk(new GetEphemeralsRequest(path), new org.apache.zookeeper.proto.GetEphemeralsRequest(path),
                    GetEphemeralsRequest::read, org.apache.zookeeper.proto.GetEphemeralsRequest::new);
        }
    }

    @Test
    void dataRecordsMatchZooKeeper() {
        for (byte[] data : Samples.DATAS) {
            for (Stat stat : Samples.STATS) {
                assertSameAsZk(new GetDataResponse(data, stat),
                        new org.apache.zookeeper.proto.GetDataResponse(data, ZkOracle.stat(stat)),
                        GetDataResponse::read, org.apache.zookeeper.proto.GetDataResponse::new);
            }
            for (String path : Samples.PATHS) {
                assertSameAsZk(new SetDataRequest(path, data, 7), new org.apache.zookeeper.proto.SetDataRequest(path, data, 7),
                        SetDataRequest::read, org.apache.zookeeper.proto.SetDataRequest::new);
            }
        }
    }

    @Test
    void statResponsesMatchZooKeeper() {
        for (Stat stat : Samples.STATS) {
            org.apache.zookeeper.data.Stat zk = ZkOracle.stat(stat);
            assertEquals(stat, ZkOracle.ours(zk));
            assertSameAsZk(new ExistsResponse(stat), new org.apache.zookeeper.proto.ExistsResponse(zk),
                    ExistsResponse::read, org.apache.zookeeper.proto.ExistsResponse::new);
            assertSameAsZk(new SetDataResponse(stat), new org.apache.zookeeper.proto.SetDataResponse(zk),
                    SetDataResponse::read, org.apache.zookeeper.proto.SetDataResponse::new);
            assertSameAsZk(new SetACLResponse(stat), new org.apache.zookeeper.proto.SetACLResponse(zk),
                    SetACLResponse::read, org.apache.zookeeper.proto.SetACLResponse::new);
        }
    }

    @Test
    void aclRecordsMatchZooKeeper() {
        for (List<Acl> acl : Samples.ACL_LISTS) {
            List<org.apache.zookeeper.data.ACL> zkAcl = ZkOracle.acls(acl);
            for (Stat stat : Samples.STATS) {
                assertSameAsZk(new GetACLResponse(acl, stat),
                        new org.apache.zookeeper.proto.GetACLResponse(zkAcl, ZkOracle.stat(stat)),
                        GetACLResponse::read, org.apache.zookeeper.proto.GetACLResponse::new);
            }
            for (String path : Samples.PATHS) {
                assertSameAsZk(new SetACLRequest(path, acl, -1), new org.apache.zookeeper.proto.SetACLRequest(path, zkAcl, -1),
                        SetACLRequest::read, org.apache.zookeeper.proto.SetACLRequest::new);
            }
        }
    }

    @Test
    void childrenAndEphemeralsResponsesMatchZooKeeper() {
        for (List<String> names : Samples.STRING_LISTS) {
            assertSameAsZk(new GetChildrenResponse(names), new org.apache.zookeeper.proto.GetChildrenResponse(names),
                    GetChildrenResponse::read, org.apache.zookeeper.proto.GetChildrenResponse::new);
            assertSameAsZk(new GetEphemeralsResponse(names), new org.apache.zookeeper.proto.GetEphemeralsResponse(names),
                    GetEphemeralsResponse::read, org.apache.zookeeper.proto.GetEphemeralsResponse::new);
            for (Stat stat : Samples.STATS) {
                assertSameAsZk(new GetChildren2Response(names, stat),
                        new org.apache.zookeeper.proto.GetChildren2Response(names, ZkOracle.stat(stat)),
                        GetChildren2Response::read, org.apache.zookeeper.proto.GetChildren2Response::new);
            }
        }
        for (int total : Samples.INTS) {
            assertSameAsZk(new GetAllChildrenNumberResponse(total),
                    new org.apache.zookeeper.proto.GetAllChildrenNumberResponse(total),
                    GetAllChildrenNumberResponse::read, org.apache.zookeeper.proto.GetAllChildrenNumberResponse::new);
        }
    }

    @Test
    void reconfigRequestMatchesZooKeeper() {
        for (String servers : Samples.PATHS) {
            assertSameAsZk(new ReconfigRequest(servers, "2", null, 0x100000000L),
                    new org.apache.zookeeper.proto.ReconfigRequest(servers, "2", null, 0x100000000L),
                    ReconfigRequest::read, org.apache.zookeeper.proto.ReconfigRequest::new);
        }
    }

    @Test
    void recordsWithBuffersCompareByContent() {
        byte[] data = {1, 2, 3};
        CreateRequest a = new CreateRequest("/a", data, Acl.OPEN, 0);
        assertEquals(a, new CreateRequest("/a", data.clone(), List.copyOf(Acl.OPEN), 0));
        assertEquals(a.hashCode(), new CreateRequest("/a", data.clone(), Acl.OPEN, 0).hashCode());
        assertNotEquals(a, new CreateRequest("/a", new byte[] {1, 2}, Acl.OPEN, 0));
        assertNotEquals(a, new CreateRequest("/a", null, Acl.OPEN, 0));
        assertEquals(new SetDataRequest("/a", data, 1), new SetDataRequest("/a", data.clone(), 1));
        assertEquals(new GetDataResponse(null, Stat.EMPTY), new GetDataResponse(null, Stat.EMPTY));
        assertEquals(new CreateTTLRequest("/t", data, null, 5, 9), new CreateTTLRequest("/t", data.clone(), null, 5, 9));
        assertNotEquals(new CreateTTLRequest("/t", data, null, 5, 9), new CreateTTLRequest("/t", data, null, 5, 8));
    }
}
