package io.paddock.server.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.conformance.RawSession.Frame;
import io.paddock.server.conformance.RawSession.Outcome;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that a null in any field of a client request that jute can carry as null (a string,
 * buffer or vector of length -1) gets ZooKeeper's answer, op by op: the same error code (or no
 * reply) and the same fate of the connection, and never a failure of the server. Clients send
 * such nulls in earnest: kazoo writes every empty string as null, so its CREATOR_ALL_ACL is the
 * `auth` scheme with a null id, which ZooKeeper expands to the session's digest ids.
 *
 * <p>The frames are built byte by byte ({@link RawSession}), since no client API sends these on
 * purpose. Each case runs on a fresh connection; every expectation below was observed on
 * ZooKeeper 3.9.5, and the same table runs against every target.
 */
class NullFieldsConformanceTest {
    private static final String TARGETS = "io.paddock.server.conformance.Targets#selected";
    private static final String USER = "alice";
    private static final String PASSWORD = "alice-pw";

    private static final int OK = 0;
    private static final int MARSHALLING = -5;
    private static final int BAD_ARGUMENTS = -8;
    private static final int RECONFIG_DISABLED = -123;
    private static final int INVALID_ACL = -114;
    private static final int NO_WATCHER = -121;
    private static final int AUTH_FAILED = -115;

    private static final int CREATE = 1;
    private static final int DELETE = 2;
    private static final int EXISTS = 3;
    private static final int GET_DATA = 4;
    private static final int SET_DATA = 5;
    private static final int GET_ACL = 6;
    private static final int SET_ACL = 7;
    private static final int GET_CHILDREN = 8;
    private static final int SYNC = 9;
    private static final int GET_CHILDREN2 = 12;
    private static final int CHECK = 13;
    private static final int MULTI = 14;
    private static final int CREATE2 = 15;
    private static final int RECONFIG = 16;
    private static final int CHECK_WATCHES = 17;
    private static final int REMOVE_WATCHES = 18;
    private static final int CREATE_CONTAINER = 19;
    private static final int DELETE_CONTAINER = 20;
    private static final int CREATE_TTL = 21;
    private static final int MULTI_READ = 22;
    private static final int AUTH = 100;
    private static final int SET_WATCHES = 101;
    private static final int SASL = 102;
    private static final int GET_EPHEMERALS = 103;
    private static final int GET_ALL_CHILDREN_NUMBER = 104;
    private static final int SET_WATCHES2 = 105;
    private static final int ADD_WATCH = 106;

    private static final List<String> ONE_NULL = Arrays.asList((String) null);
    private static final List<String> NONE = List.of();

    /**
     * One request with a null somewhere. {@code body} gets the path of an existing node that
     * the connection may do anything to; {@code authenticated} adds digest credentials first.
     */
    record Case(String name, boolean authenticated, int opCode, Function<String, byte[]> body, Outcome expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Outcome open(int err) {
        return Outcome.reply(err, false);
    }

    private static Frame multi() {
        return new Frame();
    }

    /** A multi op's header: type, done = false, err = -1. */
    private static Frame op(Frame f, int type) {
        return f.i32(type).bool(false).i32(-1);
    }

    /** The header that ends a multi. */
    private static byte[] end(Frame f) {
        return f.i32(-1).bool(true).i32(-1).bytes();
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // Reads that look the node up fail on a null path; none sets a watch.
        for (int opCode : new int[] {EXISTS, GET_DATA, GET_CHILDREN, GET_CHILDREN2}) {
            for (boolean watch : new boolean[] {false, true}) {
                c.add(new Case("op " + opCode + " null path, watch " + watch, false, opCode,
                        p -> new Frame().str(null).bool(watch).bytes(), open(MARSHALLING)));
            }
        }
        c.add(new Case("getACL null path", false, GET_ACL, p -> new Frame().str(null).bytes(), open(MARSHALLING)));
        c.add(new Case("getAllChildrenNumber null path", false, GET_ALL_CHILDREN_NUMBER,
                p -> new Frame().str(null).bytes(), open(MARSHALLING)));
        c.add(new Case("sync null path", false, SYNC, p -> new Frame().str(null).bytes(), open(OK)));
        c.add(new Case("getEphemerals null prefix", false, GET_EPHEMERALS, p -> new Frame().str(null).bytes(), open(OK)));
        c.add(new Case("multiRead getData null path", false, MULTI_READ,
                p -> end(op(multi(), GET_DATA).str(null).bool(false)), open(MARSHALLING)));
        c.add(new Case("multiRead getChildren null path", false, MULTI_READ,
                p -> end(op(multi(), GET_CHILDREN).str(null).bool(false)), open(MARSHALLING)));
        c.add(new Case("multiRead good getData, then a null path", false, MULTI_READ,
                p -> end(op(op(multi(), GET_DATA).str(p).bool(false), GET_DATA).str(null).bool(false)),
                open(MARSHALLING)));

        // Watches: a null path is kept as a path by addWatch; looked up by check/remove.
        c.add(new Case("addWatch persistent null path", false, ADD_WATCH,
                p -> new Frame().str(null).i32(0).bytes(), open(OK)));
        c.add(new Case("addWatch recursive null path", false, ADD_WATCH,
                p -> new Frame().str(null).i32(1).bytes(), open(OK)));
        c.add(new Case("removeWatches children null path", false, REMOVE_WATCHES,
                p -> new Frame().str(null).i32(1).bytes(), open(NO_WATCHER)));
        c.add(new Case("removeWatches any null path", false, REMOVE_WATCHES,
                p -> new Frame().str(null).i32(3).bytes(), open(NO_WATCHER)));
        c.add(new Case("checkWatches null path", false, CHECK_WATCHES,
                p -> new Frame().str(null).i32(1).bytes(), open(NO_WATCHER)));
        c.add(new Case("setWatches null lists", false, SET_WATCHES,
                p -> new Frame().i64(0).strings(null).strings(null).strings(null).bytes(), open(MARSHALLING)));
        c.add(new Case("setWatches null data path", false, SET_WATCHES,
                p -> new Frame().i64(0).strings(ONE_NULL).strings(NONE).strings(NONE).bytes(), open(MARSHALLING)));
        c.add(new Case("setWatches null exist path", false, SET_WATCHES,
                p -> new Frame().i64(0).strings(NONE).strings(ONE_NULL).strings(NONE).bytes(), open(MARSHALLING)));
        c.add(new Case("setWatches null child path", false, SET_WATCHES,
                p -> new Frame().i64(0).strings(NONE).strings(NONE).strings(ONE_NULL).bytes(), open(MARSHALLING)));
        c.add(new Case("setWatches2 null lists", false, SET_WATCHES2,
                p -> new Frame().i64(0).strings(null).strings(null).strings(null).strings(null).strings(null).bytes(),
                open(MARSHALLING)));
        c.add(new Case("setWatches2 null persistent path", false, SET_WATCHES2,
                p -> new Frame().i64(0).strings(NONE).strings(NONE).strings(NONE).strings(ONE_NULL).strings(NONE).bytes(),
                open(OK)));
        c.add(new Case("setWatches2 null recursive path", false, SET_WATCHES2,
                p -> new Frame().i64(0).strings(NONE).strings(NONE).strings(NONE).strings(NONE).strings(ONE_NULL).bytes(),
                open(OK)));

        // Other requests without a node.
        c.add(new Case("reconfig null members", false, RECONFIG,
                p -> new Frame().str(null).str(null).str(null).i64(-1).bytes(), open(RECONFIG_DISABLED)));
        c.add(new Case("sasl null token", false, SASL, p -> new Frame().buf(null).bytes(), Outcome.noReplyClosed()));
        c.add(new Case("auth null scheme", false, AUTH,
                p -> new Frame().i32(0).str(null).buf("a:b".getBytes(UTF_8)).bytes(), Outcome.reply(AUTH_FAILED, true)));
        c.add(new Case("auth digest null credentials", false, AUTH,
                p -> new Frame().i32(0).str("digest").buf(null).bytes(), Outcome.reply(AUTH_FAILED, true)));
        // Not nulls, but their empty neighbours: ZooKeeper takes any non-null digest credential.
        c.add(new Case("auth digest empty credentials", false, AUTH,
                p -> new Frame().i32(0).str("digest").buf(new byte[0]).bytes(), open(OK)));
        c.add(new Case("auth digest credentials without a colon", false, AUTH,
                p -> new Frame().i32(0).str("digest").buf("nocolon".getBytes(UTF_8)).bytes(), open(OK)));
        c.add(new Case("auth empty scheme", false, AUTH,
                p -> new Frame().i32(0).str("").buf("a:b".getBytes(UTF_8)).bytes(), Outcome.reply(AUTH_FAILED, true)));

        // Creates: a null path fails as ZooKeeper's NullPointerException does; null data is data.
        for (int opCode : new int[] {CREATE, CREATE2, CREATE_CONTAINER}) {
            int flags = opCode == CREATE_CONTAINER ? 4 : 0;
            c.add(new Case("op " + opCode + " null path", false, opCode,
                    p -> new Frame().str(null).buf(new byte[0]).openAcl().i32(flags).bytes(), open(MARSHALLING)));
        }
        c.add(new Case("create sequential null path", false, CREATE,
                p -> new Frame().str(null).buf(new byte[0]).openAcl().i32(2).bytes(), open(MARSHALLING)));
        c.add(new Case("createTTL null path", false, CREATE_TTL,
                p -> new Frame().str(null).buf(new byte[0]).openAcl().i32(5).i64(10_000).bytes(), open(MARSHALLING)));
        c.add(new Case("create null data", false, CREATE,
                p -> new Frame().str(p + "/null-data").buf(null).openAcl().i32(0).bytes(), open(OK)));
        c.add(new Case("createTTL null data", false, CREATE_TTL,
                p -> new Frame().str(p + "/ttl-null-data").buf(null).openAcl().i32(5).i64(10_000).bytes(), open(OK)));

        // ACLs on create and setACL.
        c.add(new Case("create null ACL", false, CREATE,
                p -> new Frame().str(p + "/a1").buf(null).count(-1).i32(0).bytes(), open(INVALID_ACL)));
        c.add(new Case("createTTL null ACL", false, CREATE_TTL,
                p -> new Frame().str(p + "/a2").buf(null).count(-1).i32(5).i64(10_000).bytes(), open(INVALID_ACL)));
        c.add(new Case("create null scheme", false, CREATE,
                p -> new Frame().str(p + "/a3").buf(null).count(1).acl(31, null, "anyone").i32(0).bytes(), open(INVALID_ACL)));
        for (String scheme : List.of("world", "digest", "ip")) {
            c.add(new Case("create " + scheme + " with a null id", false, CREATE,
                    p -> new Frame().str(p + "/a4").buf(null).count(1).acl(31, scheme, null).i32(0).bytes(),
                    open(MARSHALLING)));
        }
        c.add(new Case("create unknown scheme with a null id", false, CREATE,
                p -> new Frame().str(p + "/a5").buf(null).count(1).acl(31, "sasl", null).i32(0).bytes(), open(INVALID_ACL)));
        c.add(new Case("create auth null id, not authenticated", false, CREATE,
                p -> new Frame().str(p + "/a6").buf(null).count(1).acl(31, "auth", null).i32(0).bytes(), open(INVALID_ACL)));
        c.add(new Case("create auth null id, authenticated (kazoo's CREATOR_ALL_ACL)", true, CREATE,
                p -> new Frame().str(p + "/a7").buf(null).count(1).acl(31, "auth", null).i32(0).bytes(), open(OK)));
        c.add(new Case("create auth empty id, authenticated", true, CREATE,
                p -> new Frame().str(p + "/a8").buf(null).count(1).acl(31, "auth", "").i32(0).bytes(), open(OK)));
        // Dropping duplicates compares entries with equal perms: a null scheme or id fails there.
        c.add(new Case("create second entry with a null scheme, equal perms", false, CREATE,
                p -> new Frame().str(p + "/a9").buf(null).count(2).acl(31, "world", "anyone").acl(31, null, "x").i32(0).bytes(),
                open(MARSHALLING)));
        c.add(new Case("create second entry with a null scheme, other perms", false, CREATE,
                p -> new Frame().str(p + "/a10").buf(null).count(2).acl(31, "world", "anyone").acl(1, null, "x").i32(0).bytes(),
                open(INVALID_ACL)));
        c.add(new Case("create two auth entries with null ids, authenticated", true, CREATE,
                p -> new Frame().str(p + "/a11").buf(null).count(2).acl(31, "auth", null).acl(31, "auth", null).i32(0).bytes(),
                open(MARSHALLING)));
        c.add(new Case("setACL null path", false, SET_ACL, p -> new Frame().str(null).openAcl().i32(-1).bytes(),
                open(BAD_ARGUMENTS)));
        c.add(new Case("setACL null ACL", false, SET_ACL, p -> new Frame().str(p).count(-1).i32(-1).bytes(),
                open(INVALID_ACL)));
        c.add(new Case("setACL null scheme", false, SET_ACL,
                p -> new Frame().str(p).count(1).acl(31, null, "anyone").i32(-1).bytes(), open(INVALID_ACL)));
        c.add(new Case("setACL auth null id, not authenticated", false, SET_ACL,
                p -> new Frame().str(p).count(1).acl(31, "auth", null).i32(-1).bytes(), open(INVALID_ACL)));

        // Deletes and setData: path checks differ (setData validates first: BadArguments).
        c.add(new Case("delete null path", false, DELETE, p -> new Frame().str(null).i32(-1).bytes(), open(MARSHALLING)));
        c.add(new Case("deleteContainer null path", false, DELETE_CONTAINER, p -> new Frame().buf(null).bytes(),
                open(MARSHALLING)));
        c.add(new Case("setData null path", false, SET_DATA, p -> new Frame().str(null).buf(new byte[0]).i32(-1).bytes(),
                open(BAD_ARGUMENTS)));

        // Multi: a null path or ACL list anywhere fails the whole multi, even behind a failing op.
        c.add(new Case("multi create null path", false, MULTI,
                p -> end(op(multi(), CREATE).str(null).buf(null).openAcl().i32(0)), open(MARSHALLING)));
        c.add(new Case("multi create null ACL", false, MULTI,
                p -> end(op(multi(), CREATE).str(p + "/m1").buf(null).count(-1).i32(0)), open(MARSHALLING)));
        c.add(new Case("multi setData null path", false, MULTI,
                p -> end(op(multi(), SET_DATA).str(null).buf(null).i32(-1)), open(MARSHALLING)));
        c.add(new Case("multi check null path", false, MULTI,
                p -> end(op(multi(), CHECK).str(null).i32(-1)), open(MARSHALLING)));
        c.add(new Case("multi delete null path", false, MULTI,
                p -> end(op(multi(), DELETE).str(null).i32(-1)), open(MARSHALLING)));
        c.add(new Case("multi good create, then a null path", false, MULTI,
                p -> end(op(op(multi(), CREATE).str(p + "/m2").buf(null).openAcl().i32(0), CREATE)
                        .str(null).buf(null).openAcl().i32(0)), open(MARSHALLING)));
        c.add(new Case("multi failing create, then a null path", false, MULTI,
                p -> end(op(op(multi(), CREATE).str(p).buf(null).openAcl().i32(0), DELETE).str(null).i32(-1)),
                open(MARSHALLING)));
        c.add(new Case("multi failing create, then a null ACL", false, MULTI,
                p -> end(op(op(multi(), CREATE).str(p).buf(null).openAcl().i32(0), CREATE)
                        .str(p + "/m3").buf(null).count(-1).i32(0)), open(MARSHALLING)));
        c.add(new Case("multi create world with a null id", false, MULTI,
                p -> end(op(multi(), CREATE).str(p + "/m4").buf(null).count(1).acl(31, "world", null).i32(0)),
                open(MARSHALLING)));
        // These fail one op inside a multi answered OK (the results carry the errors).
        c.add(new Case("multi failing create, then world with a null id", false, MULTI,
                p -> end(op(op(multi(), CREATE).str(p).buf(null).openAcl().i32(0), CREATE)
                        .str(p + "/m5").buf(null).count(1).acl(31, "world", null).i32(0)), open(OK)));
        c.add(new Case("multi create null scheme", false, MULTI,
                p -> end(op(multi(), CREATE).str(p + "/m6").buf(null).count(1).acl(31, null, "anyone").i32(0)), open(OK)));
        c.add(new Case("multi create auth null id, not authenticated", false, MULTI,
                p -> end(op(multi(), CREATE).str(p + "/m7").buf(null).count(1).acl(31, "auth", null).i32(0)), open(OK)));
        c.add(new Case("multi create auth null id, authenticated", true, MULTI,
                p -> end(op(multi(), CREATE).str(p + "/m8").buf(null).count(1).acl(31, "auth", null).i32(0)), open(OK)));
        c.add(new Case("multi setData null data", false, MULTI,
                p -> end(op(multi(), SET_DATA).str(p).buf(null).i32(-1)), open(OK)));
        c.add(new Case("setData null data", false, SET_DATA, p -> new Frame().str(p).buf(null).i32(-1).bytes(), open(OK)));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void everyNullFieldGetsZooKeepersAnswer(Target target) throws Exception {
        String base = Clients.uniquePath("nulls");
        try (RawSession setup = RawSession.open(target)) {
            assertEquals(open(OK), setup.send(CREATE, new Frame().str(base).buf("x".getBytes(UTF_8)).openAcl().i32(0).bytes()));
        }
        List<String> mismatches = new ArrayList<>();
        for (Case c : cases()) {
            try (RawSession s = RawSession.open(target)) {
                if (c.authenticated()) {
                    s.authenticate(USER, PASSWORD);
                }
                Outcome got = s.send(c.opCode(), c.body().apply(base));
                if (!got.equals(c.expected())) {
                    mismatches.add(c.name() + ": expected " + c.expected() + ", got " + got);
                }
            }
        }
        assertEquals(List.of(), mismatches, "answers to null fields on " + target.name());
        try (RawSession s = RawSession.open(target)) {
            assertTrue(s.pings(), "the server still serves new connections");
        }
    }

    /**
     * A write that fails still takes a zxid, unless ZooKeeper trips over the null before it
     * makes the request a transaction: a deleteContainer without a path and a multi with a null
     * ACL list take none. Each bad write sits between two good creates on one session.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void failedNullWritesTakeAZxidExactlyWhenZooKeeperDoes(Target target) throws Exception {
        String base = Clients.uniquePath("null-zxid");
        record Bad(String name, int opCode, byte[] body, boolean takesZxid) {
        }
        List<Bad> bad = List.of(
                new Bad("create null path", CREATE, new Frame().str(null).buf(null).openAcl().i32(0).bytes(), true),
                new Bad("delete null path", DELETE, new Frame().str(null).i32(-1).bytes(), true),
                new Bad("deleteContainer null path", DELETE_CONTAINER, new Frame().buf(null).bytes(), false),
                new Bad("setData null path", SET_DATA, new Frame().str(null).buf(null).i32(-1).bytes(), true),
                new Bad("create null ACL", CREATE, new Frame().str(base + "/x").buf(null).count(-1).i32(0).bytes(), true),
                new Bad("create world null id", CREATE,
                        new Frame().str(base + "/y").buf(null).count(1).acl(31, "world", null).i32(0).bytes(), true),
                new Bad("multi null path", MULTI, end(op(multi(), DELETE).str(null).i32(-1)), true),
                new Bad("multi null ACL", MULTI, end(op(multi(), CREATE).str(base + "/z").buf(null).count(-1).i32(0)), false),
                new Bad("multi null ACL and null path", MULTI, end(op(op(multi(), DELETE).str(null).i32(-1), CREATE)
                        .str(base + "/z").buf(null).count(-1).i32(0)), false),
                new Bad("multi world null id", MULTI,
                        end(op(multi(), CREATE).str(base + "/w").buf(null).count(1).acl(31, "world", null).i32(0)), true));
        List<String> mismatches = new ArrayList<>();
        try (RawSession s = RawSession.open(target)) {
            long before = s.call(CREATE, new Frame().str(base).buf(null).openAcl().i32(0).bytes()).zxid();
            int n = 0;
            for (Bad b : bad) {
                RawSession.Reply reply = s.call(b.opCode(), b.body());
                long after = s.call(CREATE, new Frame().str(base + "/n" + n++).buf(null).openAcl().i32(0).bytes()).zxid();
                boolean tookZxid = after - before == 2;
                if (tookZxid != b.takesZxid() || reply.zxid() != (b.takesZxid() ? before + 1 : before)) {
                    mismatches.add(b.name() + ": reply zxid +" + (reply.zxid() - before) + ", next write +" + (after - before));
                }
                before = after;
            }
        }
        assertEquals(List.of(), mismatches, "zxids of failed writes on " + target.name());
    }

    /**
     * What a reply made before the request reaches the tree carries as its zxid: {@code check}
     * (op 13) exists only inside a multi, and sent on its own, like an op code ZooKeeper does not
     * know, it is answered UNIMPLEMENTED with zxid -1; a body that does not decode is answered
     * MARSHALLINGERROR with the server's last zxid. Either closes the connection.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void repliesBeforeTheTreeCarryZooKeepersZxid(Target target) throws Exception {
        String base = Clients.uniquePath("check");
        long last;
        try (RawSession s = RawSession.open(target)) {
            last = s.call(CREATE, new Frame().str(base).buf(null).openAcl().i32(0).bytes()).zxid();
            RawSession.Reply reply = s.call(CHECK, new Frame().str(base).i32(0).bytes());
            assertEquals(List.of(-6, -1L), List.of(reply.err(), reply.zxid()), "a check outside a multi");
            assertTrue(s.endsUnasked(), "the connection is closed");
        }
        try (RawSession s = RawSession.open(target)) {
            RawSession.Reply reply = s.call(999, new byte[] {1, 2});
            assertEquals(List.of(-6, -1L), List.of(reply.err(), reply.zxid()), "an unknown op code");
        }
        try (RawSession s = RawSession.open(target)) {
            last = s.call(CREATE, new Frame().str(base + "/m").buf(null).openAcl().i32(0).bytes()).zxid();
            RawSession.Reply reply = s.call(CREATE, new byte[] {0, 0, 0, 9, 1});
            assertEquals(List.of(MARSHALLING, last), List.of(reply.err(), reply.zxid()), "a create that does not decode");
        }
    }

    /**
     * A ConnectRequest's password may be null: for a new session it is not used; for an
     * existing session id it is a wrong password (the session-expired answer, then a close).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void aHandshakeWithANullPasswordIsAnsweredAsZooKeeperDoes(Target target) throws Exception {
        RawSession.Handshake fresh = RawSession.tryHandshake(target, 0, null);
        assertTrue(fresh.timeoutMs() > 0 && fresh.open(), "new session with a null password: " + fresh);
        try (ZooKeeper zk = Clients.connect(target)) {
            assertEquals(new RawSession.Handshake(0, false), RawSession.tryHandshake(target, zk.getSessionId(), null),
                    "existing session with a null password");
        }
    }

    /** Null data is stored as null: it reads back as a null buffer, with dataLength 0. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void nullDataReadsBackAsNull(Target target) throws Exception {
        String path = Clients.uniquePath("null-data");
        try (RawSession s = RawSession.open(target)) {
            assertEquals(open(OK), s.send(CREATE, new Frame().str(path).buf(null).openAcl().i32(0).bytes()));
            RawSession.Reply reply = s.call(GET_DATA, new Frame().str(path).bool(false).bytes());
            assertEquals(OK, reply.err());
            DataInputStream body = new DataInputStream(new ByteArrayInputStream(reply.body()));
            assertEquals(-1, body.readInt(), "data length on the wire");
        }
        try (ZooKeeper zk = Clients.connect(target)) {
            assertNull(zk.getData(path, false, null), "the official client's view of null data");
            assertEquals(0, zk.exists(path, false).getDataLength());
        }
    }

    /** addWatch keeps a watch on a null path: checkWatches and removeWatches then find it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void aWatchOnANullPathCanBeCheckedAndRemoved(Target target) throws Exception {
        try (RawSession s = RawSession.open(target)) {
            assertEquals(open(OK), s.send(ADD_WATCH, new Frame().str(null).i32(1).bytes()));
            assertEquals(open(OK), s.send(CHECK_WATCHES, new Frame().str(null).i32(3).bytes()));
            assertEquals(open(OK), s.send(REMOVE_WATCHES, new Frame().str(null).i32(3).bytes()));
            assertEquals(open(NO_WATCHER), s.send(CHECK_WATCHES, new Frame().str(null).i32(3).bytes()));
            assertEquals(open(OK), s.send(SET_WATCHES2, new Frame().i64(0).strings(NONE).strings(NONE).strings(NONE)
                    .strings(ONE_NULL).strings(NONE).bytes()));
            assertEquals(open(OK), s.send(CHECK_WATCHES, new Frame().str(null).i32(3).bytes()));
        }
    }

    /**
     * kazoo's CREATOR_ALL_ACL (`auth` with a null id), sent here by the official client: the
     * node gets the session's digest id, as in ZooKeeper, and only that session may read it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TARGETS)
    void authSchemeWithANullIdIsTheSessionsDigestIds(Target target) throws Exception {
        try (ZooKeeper alice = Clients.connect(target); ZooKeeper stranger = Clients.connect(target)) {
            alice.addAuthInfo("digest", (USER + ":" + PASSWORD).getBytes(UTF_8));
            String path = Clients.uniquePath("creator-all");
            // A mutable list: the client's check calls contains(null), which List.of refuses.
            alice.create(path, "mine".getBytes(UTF_8), new ArrayList<>(List.of(new ACL(Perms.ALL, new Id("auth", null)))),
                    CreateMode.PERSISTENT);
            assertEquals(List.of(new ACL(Perms.ALL, new Id("digest", TargetSettings.digestId(USER, PASSWORD)))),
                    alice.getACL(path, new Stat()));
            assertArrayEquals("mine".getBytes(UTF_8), alice.getData(path, false, null));
            assertThrows(KeeperException.NoAuthException.class,
                    () -> stranger.getData(path, false, null));
            alice.setACL(path, new ArrayList<>(List.of(new ACL(Perms.READ, new Id("auth", null)))), -1);
            // READ without ADMIN: the digest is shown masked.
            assertEquals(List.of(new ACL(Perms.READ, new Id("digest", USER + ":x"))), alice.getACL(path, new Stat()));
        }
    }
}
