package io.paddock.core.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-made seed inputs for the client-side fuzz targets: one well-formed request frame body
 * (RequestHeader + record) for every op code a client may send, plus the awkward forms real
 * clients use (null strings as kazoo sends them, the old ConnectRequest without readOnly). Named
 * so a reader of the corpus directory sees what each file is.
 */
public final class ClientRecordSeeds {
    private ClientRecordSeeds() {}

    private static final byte[] DATA = "data".getBytes(StandardCharsets.UTF_8);
    private static final List<Acl> DIGEST_ACL = List.of(
            new Acl(Acl.ALL, new Id("digest", "bob:x8Hq4oBQRQ8Mh0CyJr2xPqWJ4CU=")),
            new Acl(Acl.READ, new Id("ip", "10.0.0.0/8")));
    /** kazoo's CREATOR_ALL_ACL: the auth scheme with a null id. */
    private static final List<Acl> KAZOO_CREATOR_ALL = List.of(new Acl(Acl.ALL, new Id("auth", null)));

    /** Request frame bodies (after the 4-byte length), keyed by a file name. */
    public static Map<String, byte[]> requestFrames() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        put(seeds, "ping", -2, OpCode.PING, null);
        put(seeds, "closeSession", 9, OpCode.CLOSE_SESSION, null);
        put(seeds, "whoAmI", 1, OpCode.WHO_AM_I, null);
        put(seeds, "create", 1, OpCode.CREATE, new CreateRequest("/a", DATA, Acl.OPEN, CreateFlags.PERSISTENT));
        put(seeds, "create-ephemeral-sequential", 1, OpCode.CREATE,
                new CreateRequest("/a/lock-", new byte[0], DIGEST_ACL, CreateFlags.EPHEMERAL_SEQUENTIAL));
        put(seeds, "create-kazoo-nulls", 1, OpCode.CREATE, new CreateRequest("/k", null, KAZOO_CREATOR_ALL, 0));
        put(seeds, "create2", 1, OpCode.CREATE2, new CreateRequest("/b", DATA, Acl.READ_ONLY, CreateFlags.PERSISTENT_SEQUENTIAL));
        put(seeds, "createContainer", 1, OpCode.CREATE_CONTAINER, new CreateRequest("/c", DATA, Acl.OPEN, CreateFlags.CONTAINER));
        put(seeds, "createTTL", 1, OpCode.CREATE_TTL,
                new CreateTTLRequest("/t", DATA, Acl.OPEN, CreateFlags.PERSISTENT_WITH_TTL, 60_000));
        put(seeds, "delete", 1, OpCode.DELETE, new DeleteRequest("/a", -1));
        put(seeds, "deleteContainer", 1, OpCode.DELETE_CONTAINER, new DeleteContainerRequest("/c"));
        put(seeds, "exists", 1, OpCode.EXISTS, new ExistsRequest("/zookeeper", true));
        put(seeds, "getData", 1, OpCode.GET_DATA, new GetDataRequest("/", false));
        put(seeds, "getData-unicode", 1, OpCode.GET_DATA, new GetDataRequest("/ünï/日本/😀", true));
        put(seeds, "setData", 1, OpCode.SET_DATA, new SetDataRequest("/a", DATA, 0));
        put(seeds, "getACL", 1, OpCode.GET_ACL, new GetACLRequest("/zookeeper"));
        put(seeds, "setACL", 1, OpCode.SET_ACL, new SetACLRequest("/a", DIGEST_ACL, -1));
        put(seeds, "getChildren", 1, OpCode.GET_CHILDREN, new GetChildrenRequest("/", true));
        put(seeds, "getChildren2", 1, OpCode.GET_CHILDREN2, new GetChildren2Request("/zookeeper", false));
        put(seeds, "sync", 1, OpCode.SYNC, new SyncRequest("/"));
        put(seeds, "multi", 1, OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/m", DATA, Acl.OPEN, 0)),
                new MultiOp(OpCode.CREATE, new CreateRequest("/m/s-", DATA, Acl.OPEN, CreateFlags.PERSISTENT_SEQUENTIAL)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/m", DATA, 0)),
                new MultiOp(OpCode.CHECK, new CheckVersionRequest("/m", 1)),
                new MultiOp(OpCode.CREATE_TTL, new CreateTTLRequest("/m/t", DATA, Acl.OPEN,
                        CreateFlags.PERSISTENT_WITH_TTL, 1000)),
                new MultiOp(OpCode.DELETE, new DeleteRequest("/m/t", -1)))));
        put(seeds, "multi-empty", 1, OpCode.MULTI, new MultiRequest(List.of()));
        put(seeds, "multiRead", 1, OpCode.MULTI_READ, new MultiRequest(List.of(
                new MultiOp(OpCode.GET_DATA, new GetDataRequest("/", false)),
                new MultiOp(OpCode.GET_CHILDREN, new GetChildrenRequest("/zookeeper", false)))));
        put(seeds, "reconfig", 1, OpCode.RECONFIG, new ReconfigRequest("server.4=h:2888:3888", null, null, -1));
        put(seeds, "checkWatches", 1, OpCode.CHECK_WATCHES, new CheckWatchesRequest("/a", WatcherType.ANY));
        put(seeds, "removeWatches", 1, OpCode.REMOVE_WATCHES, new RemoveWatchesRequest("/a", WatcherType.DATA));
        put(seeds, "auth", OpCode.XID_AUTH, OpCode.AUTH,
                new AuthPacket(0, "digest", "bob:secret".getBytes(StandardCharsets.UTF_8)));
        put(seeds, "setWatches", OpCode.XID_SET_WATCHES, OpCode.SET_WATCHES,
                new SetWatches(5, List.of("/a"), List.of("/b", "/c"), List.of("/")));
        put(seeds, "setWatches2", OpCode.XID_SET_WATCHES, OpCode.SET_WATCHES2,
                new SetWatches2(5, List.of("/a"), List.of(), Arrays.asList("/", null), List.of("/p"), List.of("/r")));
        put(seeds, "sasl", 1, OpCode.SASL, new GetSASLRequest(new byte[] {1, 2, 3}));
        put(seeds, "getEphemerals", 1, OpCode.GET_EPHEMERALS, new GetEphemeralsRequest("/"));
        put(seeds, "getAllChildrenNumber", 1, OpCode.GET_ALL_CHILDREN_NUMBER, new GetAllChildrenNumberRequest("/"));
        put(seeds, "addWatch", 1, OpCode.ADD_WATCH, new AddWatchRequest("/", AddWatchMode.PERSISTENT_RECURSIVE));
        put(seeds, "unknown-op", 1, 999, null);
        return seeds;
    }

    /**
     * Request frame bodies with a null (length -1) in each field that can hold one, keyed by a
     * file name: what kazoo and other clients send, and what the core must answer with an error
     * rather than fail on (COMPAT.md, "Null fields").
     */
    public static Map<String, byte[]> nullFieldFrames() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        put(seeds, "null-path-getData", 1, OpCode.GET_DATA, new GetDataRequest(null, false));
        put(seeds, "null-path-exists", 1, OpCode.EXISTS, new ExistsRequest(null, true));
        put(seeds, "null-path-getChildren", 1, OpCode.GET_CHILDREN, new GetChildrenRequest(null, false));
        put(seeds, "null-path-getChildren2", 1, OpCode.GET_CHILDREN2, new GetChildren2Request(null, false));
        put(seeds, "null-path-getACL", 1, OpCode.GET_ACL, new GetACLRequest(null));
        put(seeds, "null-path-sync", 1, OpCode.SYNC, new SyncRequest(null));
        put(seeds, "null-path-getAllChildrenNumber", 1, OpCode.GET_ALL_CHILDREN_NUMBER, new GetAllChildrenNumberRequest(null));
        put(seeds, "null-path-getEphemerals", 1, OpCode.GET_EPHEMERALS, new GetEphemeralsRequest(null));
        put(seeds, "null-path-checkWatches", 1, OpCode.CHECK_WATCHES, new CheckWatchesRequest(null, WatcherType.ANY));
        put(seeds, "null-path-removeWatches", 1, OpCode.REMOVE_WATCHES, new RemoveWatchesRequest(null, WatcherType.ANY));
        put(seeds, "null-path-addWatch", 1, OpCode.ADD_WATCH, new AddWatchRequest(null, AddWatchMode.PERSISTENT));
        put(seeds, "null-path-create", 1, OpCode.CREATE, new CreateRequest(null, DATA, Acl.OPEN, 0));
        put(seeds, "null-data-create", 1, OpCode.CREATE, new CreateRequest("/n", null, Acl.OPEN, 0));
        put(seeds, "null-acl-create", 1, OpCode.CREATE, new CreateRequest("/n", DATA, null, 0));
        put(seeds, "null-scheme-create", 1, OpCode.CREATE,
                new CreateRequest("/n", DATA, List.of(new Acl(Acl.ALL, new Id(null, "anyone"))), 0));
        put(seeds, "null-digest-id-create", 1, OpCode.CREATE,
                new CreateRequest("/n", DATA, List.of(new Acl(Acl.ALL, new Id("digest", null))), 0));
        put(seeds, "null-ip-id-create", 1, OpCode.CREATE,
                new CreateRequest("/n", DATA, List.of(new Acl(Acl.ALL, new Id("ip", null))), 0));
        put(seeds, "null-world-id-create", 1, OpCode.CREATE,
                new CreateRequest("/n", DATA, List.of(new Acl(Acl.ALL, new Id("world", null))), 0));
        put(seeds, "null-path-createTTL", 1, OpCode.CREATE_TTL,
                new CreateTTLRequest(null, DATA, Acl.OPEN, CreateFlags.PERSISTENT_WITH_TTL, 1000));
        put(seeds, "null-path-createContainer", 1, OpCode.CREATE_CONTAINER,
                new CreateRequest(null, DATA, Acl.OPEN, CreateFlags.CONTAINER));
        put(seeds, "null-path-delete", 1, OpCode.DELETE, new DeleteRequest(null, -1));
        put(seeds, "null-path-setData", 1, OpCode.SET_DATA, new SetDataRequest(null, DATA, -1));
        put(seeds, "null-data-setData", 1, OpCode.SET_DATA, new SetDataRequest("/a", null, -1));
        put(seeds, "null-path-setACL", 1, OpCode.SET_ACL, new SetACLRequest(null, Acl.OPEN, -1));
        put(seeds, "null-acl-setACL", 1, OpCode.SET_ACL, new SetACLRequest("/a", null, -1));
        put(seeds, "null-path-multi-create", 1, OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest(null, DATA, Acl.OPEN, 0)))));
        put(seeds, "null-path-multi-check", 1, OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CHECK, new CheckVersionRequest(null, 0)))));
        put(seeds, "null-path-multi-delete", 1, OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.DELETE, new DeleteRequest(null, -1)))));
        put(seeds, "null-path-multi-setData", 1, OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.SET_DATA, new SetDataRequest(null, DATA, -1)))));
        put(seeds, "null-acl-multi-create", 1, OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/n", DATA, null, 0)))));
        put(seeds, "null-path-multiRead-getData", 1, OpCode.MULTI_READ, new MultiRequest(List.of(
                new MultiOp(OpCode.GET_DATA, new GetDataRequest(null, false)))));
        put(seeds, "null-path-multiRead-getChildren", 1, OpCode.MULTI_READ, new MultiRequest(List.of(
                new MultiOp(OpCode.GET_CHILDREN, new GetChildrenRequest(null, false)))));
        put(seeds, "null-scheme-auth", OpCode.XID_AUTH, OpCode.AUTH, new AuthPacket(0, null, DATA));
        put(seeds, "null-auth-auth", OpCode.XID_AUTH, OpCode.AUTH, new AuthPacket(0, "digest", null));
        put(seeds, "null-lists-setWatches", OpCode.XID_SET_WATCHES, OpCode.SET_WATCHES,
                new SetWatches(0, null, null, null));
        put(seeds, "null-entries-setWatches", OpCode.XID_SET_WATCHES, OpCode.SET_WATCHES,
                new SetWatches(0, Arrays.asList((String) null), Arrays.asList((String) null), Arrays.asList((String) null)));
        put(seeds, "null-lists-setWatches2", OpCode.XID_SET_WATCHES, OpCode.SET_WATCHES2,
                new SetWatches2(0, null, null, null, null, null));
        put(seeds, "null-entries-setWatches2", OpCode.XID_SET_WATCHES, OpCode.SET_WATCHES2,
                new SetWatches2(0, Arrays.asList((String) null), Arrays.asList((String) null), Arrays.asList((String) null),
                        Arrays.asList((String) null), Arrays.asList((String) null)));
        put(seeds, "null-reconfig", 1, OpCode.RECONFIG, new ReconfigRequest(null, null, null, -1));
        put(seeds, "null-token-sasl", 1, OpCode.SASL, new GetSASLRequest(null));
        return seeds;
    }

    /** ConnectRequest frame bodies, keyed by a file name. */
    public static Map<String, byte[]> connectRequests() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("connect-new-session", new ConnectRequest(0, 0, 30_000, 0, new byte[16], false, true).toBytes());
        seeds.put("connect-without-readOnly", new ConnectRequest(0, 0, 10_000, 0, new byte[16], false, false).toBytes());
        seeds.put("connect-resume-readOnly", new ConnectRequest(0, 0x100000005L, 4000, 0x100, new byte[16], true, true)
                .toBytes());
        seeds.put("connect-null-passwd", new ConnectRequest(0, 0, 10_000, 0, null, false, true).toBytes());
        return seeds;
    }

    private static void put(Map<String, byte[]> seeds, String name, int xid, int opCode, JuteRecord body) {
        JuteWriter out = new JuteWriter();
        new RequestHeader(xid, opCode).write(out);
        if (body != null) {
            body.write(out);
        }
        seeds.put("op" + opCode + "-" + name, out.toByteArray());
    }
}
