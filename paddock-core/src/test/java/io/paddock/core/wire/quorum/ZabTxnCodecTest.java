package io.paddock.core.wire.quorum;

import static io.paddock.core.wire.quorum.QuorumPacketCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.tree.NodeDigest;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.server.TxnLogEntry;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.Util;
import org.apache.zookeeper.server.util.SerializeUtils;
import org.apache.zookeeper.txn.CheckVersionTxn;
import org.apache.zookeeper.txn.CloseSessionTxn;
import org.apache.zookeeper.txn.CreateContainerTxn;
import org.apache.zookeeper.txn.CreateSessionTxn;
import org.apache.zookeeper.txn.CreateTTLTxn;
import org.apache.zookeeper.txn.CreateTxn;
import org.apache.zookeeper.txn.DeleteTxn;
import org.apache.zookeeper.txn.ErrorTxn;
import org.apache.zookeeper.txn.MultiTxn;
import org.apache.zookeeper.txn.SetACLTxn;
import org.apache.zookeeper.txn.SetDataTxn;
import org.apache.zookeeper.txn.TxnHeader;
import org.junit.jupiter.api.Test;

/**
 * Proves ZabTxnCodec against ZooKeeper 3.9.5's own classes, both ways, for every kind of txn:
 * our bytes are what {@code Util.marshallTxnEntry} writes for the ZooKeeper records we map to, and
 * {@code SerializeUtils.deserializeTxn} reads them back to those records; ZooKeeper's bytes, with
 * and without a TxnDigest, decode to our envelope; the forms only ZooKeeper writes
 * (CloseSessionTxn paths, a failed multi with the real txns before the failure) decode as its
 * DataTree reads them; every truncation is refused; passwords are ZooKeeperServer's; what the
 * bytes cannot carry fails loudly both ways.
 */
class ZabTxnCodecTest {
    private static final long SID = 0x1000_0000_0000_0007L;
    private static final long ZXID = 0x3_0000_0011L;
    private static final long TIME = 1_700_000_000_123L;
    private static final byte[] DATA = "hello".getBytes(StandardCharsets.UTF_8);
    private static final List<Acl> ACLS = List.of(new Acl(Acl.ALL, new Id("digest", "bob:x8Hq4oBQRQ8Mh0CyJr2xPqWJ4CU=")),
            new Acl(Acl.READ, Id.ANYONE), new Acl(Acl.READ | Acl.WRITE, new Id("ip", "10.0.0.0/8")));

    /** One txn: ours, the ZooKeeper header and record it maps to, and what decoding gives back. */
    record Case(String name, TxnEnvelope ours, TxnHeader zkHeader, Record zkTxn, TxnEnvelope decoded) {
        Case(String name, TxnEnvelope ours, TxnHeader zkHeader, Record zkTxn) {
            this(name, ours, zkHeader, zkTxn, ours);
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("createSession",
                env(SID, 0, new Txn.CreateSession(SID, 30_000, ZabTxnCodec.zooKeeperPassword(SID))),
                header(SID, 0, OpCode.CREATE_SESSION), new CreateSessionTxn(30_000)));
        cases.add(new Case("closeSession", env(SID, 9, new Txn.CloseSession(SID)),
                header(SID, 9, OpCode.CLOSE_SESSION), null));
        cases.add(new Case("create persistent",
                env(SID, 1, new Txn.Create("/a", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 3, false)),
                header(SID, 1, OpCode.CREATE), new CreateTxn("/a", DATA, zk(Acl.OPEN), false, 3)));
        cases.add(new Case("create2 persistent, null data, three ACLs",
                env(SID, 2, new Txn.Create("/b", null, ACLS, NodeKind.PERSISTENT, 0, 0, 0, true)),
                header(SID, 2, OpCode.CREATE2), new CreateTxn("/b", null, zk(ACLS), false, 0)));
        cases.add(new Case("create ephemeral sequential",
                env(SID, 3, new Txn.Create("/q/lock-0000000007", new byte[0], Acl.OPEN, NodeKind.EPHEMERAL, SID, 0, 8,
                        false)),
                header(SID, 3, OpCode.CREATE), new CreateTxn("/q/lock-0000000007", new byte[0], zk(Acl.OPEN), true, 8)));
        cases.add(new Case("create2 ephemeral, non-ASCII path",
                env(SID, 4, new Txn.Create("/ü/日本", DATA, Acl.READ_ONLY, NodeKind.EPHEMERAL, SID, 0, 1, true)),
                header(SID, 4, OpCode.CREATE2), new CreateTxn("/ü/日本", DATA, zk(Acl.READ_ONLY), true, 1)));
        cases.add(new Case("createContainer",
                env(SID, 5, new Txn.Create("/c", DATA, Acl.OPEN, NodeKind.CONTAINER, 0, 0, 2, true)),
                header(SID, 5, OpCode.CREATE_CONTAINER), new CreateContainerTxn("/c", DATA, zk(Acl.OPEN), 2)));
        cases.add(new Case("createTTL sequential",
                env(SID, 6, new Txn.Create("/t0000000001", DATA, Acl.OPEN, NodeKind.TTL, 0, 5_000, 2, true)),
                header(SID, 6, OpCode.CREATE_TTL), new CreateTTLTxn("/t0000000001", DATA, zk(Acl.OPEN), 2, 5_000)));
        cases.add(new Case("createTTL, largest TTL",
                env(SID, 7, new Txn.Create("/t", DATA, Acl.OPEN, NodeKind.TTL, 0, NodeKind.TTL_MS_MAX, -1, true)),
                header(SID, 7, OpCode.CREATE_TTL), new CreateTTLTxn("/t", DATA, zk(Acl.OPEN), -1, NodeKind.TTL_MS_MAX)));
        cases.add(new Case("delete", env(SID, 8, new Txn.Delete("/a")), header(SID, 8, OpCode.DELETE),
                new DeleteTxn("/a")));
        cases.add(new Case("sweep delete (ContainerManager: session 0, cxid 0)", env(0, 0, new Txn.Delete("/c")),
                header(0, 0, OpCode.DELETE_CONTAINER), new DeleteTxn("/c")));
        cases.add(new Case("setData", env(SID, 10, new Txn.SetData("/a", DATA, 4)), header(SID, 10, OpCode.SET_DATA),
                new SetDataTxn("/a", DATA, 4)));
        cases.add(new Case("setData null data", env(SID, 11, new Txn.SetData("/a", null, Integer.MIN_VALUE)),
                header(SID, 11, OpCode.SET_DATA), new SetDataTxn("/a", null, Integer.MIN_VALUE)));
        cases.add(new Case("setACL", env(SID, 12, new Txn.SetAcl("/a", ACLS, 2)), header(SID, 12, OpCode.SET_ACL),
                new SetACLTxn("/a", zk(ACLS), 2)));
        cases.add(new Case("error", env(SID, 13, new Txn.Error(Code.NO_NODE)), header(SID, 13, OpCode.ERROR),
                new ErrorTxn(Code.NO_NODE)));
        cases.add(new Case("multi of every inner kind", env(SID, 14, new Txn.Multi(List.of(
                new Txn.Create("/m", null, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 5, false),
                new Txn.Create("/m/e0000000000", DATA, Acl.OPEN, NodeKind.EPHEMERAL, SID, 0, 1, true),
                new Txn.Create("/m/c", DATA, Acl.OPEN, NodeKind.CONTAINER, 0, 0, 2, true),
                new Txn.Create("/m/t", DATA, ACLS, NodeKind.TTL, 0, 1, 3, true),
                new Txn.Delete("/x"),
                new Txn.SetData("/m", DATA, 1),
                new Txn.Check("/m", -1)))),
                header(SID, 14, OpCode.MULTI), new MultiTxn(List.of(
                        inner(OpCode.CREATE, new CreateTxn("/m", null, zk(Acl.OPEN), false, 5)),
                        inner(OpCode.CREATE2, new CreateTxn("/m/e0000000000", DATA, zk(Acl.OPEN), true, 1)),
                        inner(OpCode.CREATE_CONTAINER, new CreateContainerTxn("/m/c", DATA, zk(Acl.OPEN), 2)),
                        inner(OpCode.CREATE_TTL, new CreateTTLTxn("/m/t", DATA, zk(ACLS), 3, 1)),
                        inner(OpCode.DELETE, new DeleteTxn("/x")),
                        inner(OpCode.SET_DATA, new SetDataTxn("/m", DATA, 1)),
                        inner(OpCode.CHECK, new CheckVersionTxn("/m", -1))))));
        cases.add(new Case("empty multi", env(SID, 15, new Txn.Multi(List.of())), header(SID, 15, OpCode.MULTI),
                new MultiTxn(List.of())));
        cases.add(new Case("failed multi (our form: every op an ErrorTxn)",
                env(SID, 16, new Txn.MultiError(List.of(0, Code.NODE_EXISTS, -2), List.of(OpCode.CREATE, 1, 5))),
                header(SID, 16, OpCode.MULTI),
                new MultiTxn(List.of(inner(OpCode.ERROR, new ErrorTxn(0)), inner(OpCode.ERROR,
                        new ErrorTxn(Code.NODE_EXISTS)), inner(OpCode.ERROR, new ErrorTxn(-2)))),
                env(SID, 16, new Txn.MultiError(List.of(0, Code.NODE_EXISTS, -2), List.of(-1, -1, -1)))));
        return cases;
    }

    @Test
    void ourBytesAreMarshallTxnEntrysAndZooKeeperReadsThemBack() throws Exception {
        for (Case c : cases()) {
            byte[] ours = ZabTxnCodec.encode(c.ours());
            assertEquals(hex(Util.marshallTxnEntry(c.zkHeader(), c.zkTxn(), null)), hex(ours), c.name());
            TxnLogEntry read = SerializeUtils.deserializeTxn(ours);
            assertEquals(c.zkHeader(), read.getHeader(), c.name());
            assertEquals(c.zkTxn(), read.getTxn(), c.name());
            assertNull(read.getDigest(), c.name());
        }
    }

    @Test
    void zooKeepersBytesDecodeWithAndWithoutDigest() throws Exception {
        org.apache.zookeeper.txn.TxnDigest zkDigest = new org.apache.zookeeper.txn.TxnDigest(2, 0x0123_4567_89ab_cdefL);
        for (Case c : cases()) {
            ZabTxnCodec.Decoded plain = ZabTxnCodec.decode(Util.marshallTxnEntry(c.zkHeader(), c.zkTxn(), null));
            assertEquals(c.decoded(), plain.envelope(), c.name());
            assertNull(plain.digest(), c.name());
            assertNull(pathsOf(plain), c.name());
            byte[] withDigest = Util.marshallTxnEntry(c.zkHeader(), c.zkTxn(), zkDigest);
            if (c.zkTxn() != null) {
                // Not for a body-less closeSession: ZooKeeper's reader takes the digest for a
                // CloseSessionTxn there (here: "Unreasonable length"), which is why our closeSession
                // with a digest always has its CloseSessionTxn (see the next test).
                assertEquals(zkDigest, SerializeUtils.deserializeTxn(withDigest).getDigest(), "ZooKeeper reads its digest");
            }
            ZabTxnCodec.Decoded digested = ZabTxnCodec.decode(withDigest);
            assertEquals(c.decoded(), digested.envelope(), c.name());
            assertEquals(new TxnDigest(2, 0x0123_4567_89ab_cdefL), digested.digest(), c.name());
        }
    }

    /**
     * A leader's proposal as a 3.9 leader writes it (digests on, closeSessionTxn on, the
     * defaults): the txn, its CloseSessionTxn for a closeSession, then the TxnDigest; ZooKeeper
     * reads back the same header, record and digest, and so do we. A proposal cut inside its
     * digest: ZooKeeper reads the txn and no digest (its EOF is "no digest"); we refuse it.
     */
    @Test
    void ourProposalsWithDigestAreWhatAZooKeeperLeaderWrites() throws Exception {
        TxnDigest digest = new TxnDigest(NodeDigest.VERSION, 0xfedc_ba98_7654_3210L);
        var zkDigest = new org.apache.zookeeper.txn.TxnDigest(NodeDigest.VERSION, 0xfedc_ba98_7654_3210L);
        List<String> paths = List.of("/e1", "/q/lock-0000000003");
        for (Case c : cases()) {
            boolean close = c.zkHeader().getType() == OpCode.CLOSE_SESSION;
            Record zkTxn = close ? new CloseSessionTxn(paths) : c.zkTxn();
            byte[] ours = ZabTxnCodec.encode(withPaths(c.ours(), close ? paths : null), digest);
            assertEquals(hex(Util.marshallTxnEntry(c.zkHeader(), zkTxn, zkDigest)), hex(ours), c.name());
            TxnLogEntry read = SerializeUtils.deserializeTxn(ours);
            assertEquals(c.zkHeader(), read.getHeader(), c.name());
            assertEquals(zkTxn, read.getTxn(), c.name());
            assertEquals(zkDigest, read.getDigest(), c.name());
            ZabTxnCodec.Decoded decoded = ZabTxnCodec.decode(ours);
            assertEquals(withPaths(c.decoded(), close ? paths : null), decoded.envelope(), c.name());
            assertEquals(digest, decoded.digest(), c.name());
            assertEquals(close ? paths : null, pathsOf(decoded), c.name());

            int bodyEnd = ours.length - TxnDigest.BYTES;
            for (int length = bodyEnd + 1; length < ours.length; length++) {
                byte[] prefix = Arrays.copyOf(ours, length);
                assertThrows(PeerProtocolException.class, () -> ZabTxnCodec.decode(prefix), c.name() + " cut at " + length);
                TxnLogEntry zkCut = SerializeUtils.deserializeTxn(prefix);
                assertEquals(zkTxn, zkCut.getTxn(), c.name() + " cut at " + length);
                assertNull(zkCut.getDigest(), c.name() + " cut at " + length);
            }
            ZabTxnCodec.Decoded undigested = ZabTxnCodec.decode(Arrays.copyOf(ours, bodyEnd));
            assertEquals(withPaths(c.decoded(), close ? paths : null), undigested.envelope(), c.name());
            assertNull(undigested.digest(), c.name());
            for (int length = 0; length < bodyEnd; length++) {
                byte[] prefix = Arrays.copyOf(ours, length);
                if (close && (length == TXN_HEADER_BYTES || length == TXN_HEADER_BYTES + TxnDigest.BYTES)) {
                    // the header alone, or with 12 bytes that are no CloseSessionTxn: a body-less
                    // closeSession (the pre-3.6 form), with a digest as a leader with closeSessionTxn
                    // off writes it (see closeSessionTxnPathsAreReturnedNotLost)
                    assertNull(pathsOf(ZabTxnCodec.decode(prefix)));
                    continue;
                }
                assertThrows(PeerProtocolException.class, () -> ZabTxnCodec.decode(prefix), c.name() + " cut at " + length);
            }
        }
        // Without a digest, a closeSession keeps its paths; without either, it has no body (a DIFF).
        TxnEnvelope close = env(SID, 9, new Txn.CloseSession(SID));
        assertEquals(hex(Util.marshallTxnEntry(header(SID, 9, OpCode.CLOSE_SESSION), new CloseSessionTxn(paths), null)),
                hex(ZabTxnCodec.encode(withPaths(close, paths), null)));
        assertEquals(hex(Util.marshallTxnEntry(header(SID, 9, OpCode.CLOSE_SESSION), new CloseSessionTxn(List.of()),
                zkDigest)), hex(ZabTxnCodec.encode(close, digest)), "a digest brings an empty CloseSessionTxn");
        assertEquals(hex(Util.marshallTxnEntry(header(SID, 9, OpCode.CLOSE_SESSION), null, null)),
                hex(ZabTxnCodec.encode(close, null)));
    }

    private static final int TXN_HEADER_BYTES = 32;

    /** A closeSession with {@code paths} (null: none); any other txn as it is. */
    private static TxnEnvelope withPaths(TxnEnvelope env, List<String> paths) {
        if (env.txn() instanceof Txn.CloseSession close) {
            return new TxnEnvelope(env.zxid(), env.sessionId(), env.cxid(), env.timeMs(),
                    new Txn.CloseSession(close.sessionId(), paths));
        }
        return env;
    }

    /** A decoded closeSession's paths; null for none and for any other txn. */
    private static List<String> pathsOf(ZabTxnCodec.Decoded d) {
        return d.envelope().txn() instanceof Txn.CloseSession close ? close.paths() : null;
    }

    @Test
    void everyTruncationIsRefused() throws Exception {
        org.apache.zookeeper.txn.TxnDigest zkDigest = new org.apache.zookeeper.txn.TxnDigest(1, -1);
        for (Case c : cases()) {
            byte[] ours = ZabTxnCodec.encode(c.ours());
            for (int length = 0; length < ours.length; length++) {
                byte[] prefix = Arrays.copyOf(ours, length);
                assertThrows(PeerProtocolException.class, () -> ZabTxnCodec.decode(prefix), c.name() + " cut at " + length);
            }
            byte[] digested = Util.marshallTxnEntry(c.zkHeader(), c.zkTxn(), zkDigest);
            for (int length = ours.length + 1; length < digested.length; length++) {
                byte[] prefix = Arrays.copyOf(digested, length);
                if (c.zkHeader().getType() == OpCode.CLOSE_SESSION) {
                    continue; // a cut digest there would be read as CloseSessionTxn bytes: refused or not, see below
                }
                assertThrows(PeerProtocolException.class, () -> ZabTxnCodec.decode(prefix), c.name() + " cut at " + length);
            }
            byte[] longer = Arrays.copyOf(digested, digested.length + 1);
            assertThrows(PeerProtocolException.class, () -> ZabTxnCodec.decode(longer), c.name() + " plus a byte");
        }
        assertThrows(PeerProtocolException.class, () -> ZabTxnCodec.decode(null));
    }

    /** A 3.9 leader's closeSession carries the paths it deletes; so that they are not lost, we return them. */
    @Test
    void closeSessionTxnPathsAreReturnedNotLost() throws Exception {
        TxnHeader h = header(SID, 3, OpCode.CLOSE_SESSION);
        org.apache.zookeeper.txn.TxnDigest zkDigest = new org.apache.zookeeper.txn.TxnDigest(2, 77);
        for (List<String> paths : List.of(List.of("/e1", "/q/lock-0000000003"), List.<String>of(), List.of("/ab"))) {
            for (var digest : Arrays.asList(null, zkDigest)) {
                byte[] zk = Util.marshallTxnEntry(h, new CloseSessionTxn(paths), digest);
                ZabTxnCodec.Decoded d = ZabTxnCodec.decode(zk);
                assertEquals(new TxnEnvelope(ZXID, SID, 3, TIME, new Txn.CloseSession(SID, paths)), d.envelope());
                assertEquals(paths, pathsOf(d));
                assertEquals(digest == null ? null : new TxnDigest(2, 77), d.digest());
                CloseSessionTxn zkRead = (CloseSessionTxn) SerializeUtils.deserializeTxn(zk).getTxn();
                assertEquals(paths, zkRead.getPaths2Delete(), "ZooKeeper reads the same paths");
            }
        }
        // closeSessionTxn.enabled=false with digests on: header then a digest alone, read as such by both.
        // (ZooKeeper itself reads those 12 bytes as a CloseSessionTxn first: here 2 paths, "" then a
        // cut one, so EOF, no txn and the digest lost; other digests make it throw.)
        byte[] digestOnly = Util.marshallTxnEntry(h, null, zkDigest);
        ZabTxnCodec.Decoded d = ZabTxnCodec.decode(digestOnly);
        assertNull(pathsOf(d));
        assertEquals(new TxnDigest(2, 77), d.digest());
        assertNull(SerializeUtils.deserializeTxn(digestOnly).getTxn());
    }

    /** ZooKeeper's failed multi keeps the txns before the failure; DataTree answers them 0, later ones -2. */
    @Test
    void zooKeepersFailedMultiDecodesAsItsDataTreeReadsIt() throws Exception {
        MultiTxn zk = new MultiTxn(List.of(
                inner(OpCode.CREATE, new CreateTxn("/m", DATA, zk(Acl.OPEN), false, 1)),
                inner(OpCode.SET_DATA, new SetDataTxn("/m", DATA, 2)),
                inner(OpCode.ERROR, new ErrorTxn(Code.BAD_VERSION)),
                inner(OpCode.ERROR, new ErrorTxn(Code.RUNTIME_INCONSISTENCY)),
                inner(OpCode.DELETE, new DeleteTxn("/m"))));
        ZabTxnCodec.Decoded d = ZabTxnCodec.decode(Util.marshallTxnEntry(header(SID, 4, OpCode.MULTI), zk, null));
        assertEquals(new Txn.MultiError(List.of(0, 0, Code.BAD_VERSION, -2, -2),
                List.of(OpCode.CREATE, OpCode.SET_DATA, -1, -1, OpCode.DELETE)), d.envelope().txn());
    }

    /** deleteContainer applies as delete (processTxn), so a client's deleteContainer re-encodes as delete. */
    @Test
    void deleteContainerFromAClientSessionIsADelete() throws Exception {
        byte[] zk = Util.marshallTxnEntry(header(SID, 4, OpCode.DELETE_CONTAINER), new DeleteTxn("/c"), null);
        TxnEnvelope env = ZabTxnCodec.decode(zk).envelope();
        assertEquals(new TxnEnvelope(ZXID, SID, 4, TIME, new Txn.Delete("/c")), env);
        assertEquals(OpCode.DELETE, SerializeUtils.deserializeTxn(ZabTxnCodec.encode(env)).getHeader().getType());
        TxnEnvelope inMulti = ZabTxnCodec.decode(Util.marshallTxnEntry(header(SID, 4, OpCode.MULTI),
                new MultiTxn(List.of(inner(OpCode.DELETE_CONTAINER, new DeleteTxn("/c")))), null)).envelope();
        assertEquals(new Txn.Multi(List.of(new Txn.Delete("/c"))), inMulti.txn());
    }

    @Test
    void passwordsAreZooKeeperServersGeneratePasswd() throws Exception {
        assertEquals(ZabTxnCodec.PASSWORD_SECRET, ZkQuorumOracle.staticField(ZooKeeperServer.class, "superSecret"));
        Method generatePasswd = ZooKeeperServer.class.getDeclaredMethod("generatePasswd", long.class);
        generatePasswd.setAccessible(true);
        ZooKeeperServer zks = new ZooKeeperServer();
        Random ids = new Random(42);
        List<Long> sessionIds = new ArrayList<>(List.of(0L, 1L, -1L, SID, ZabTxnCodec.PASSWORD_SECRET, Long.MIN_VALUE,
                Long.MAX_VALUE, 0x0100_0000_0000_0000L));
        for (int i = 0; i < 1000; i++) {
            sessionIds.add(ids.nextLong());
        }
        for (long id : sessionIds) {
            byte[] zk = (byte[]) generatePasswd.invoke(zks, id);
            assertArrayEquals(zk, ZabTxnCodec.zooKeeperPassword(id), () -> "session 0x" + Long.toHexString(id));
            byte[] sameCall = new byte[16];
            new Random(id ^ 0xB3415C00L).nextBytes(sameCall);
            assertArrayEquals(sameCall, zk);
        }
    }

    @Test
    void whatTheBytesCannotCarryFailsLoudlyOnEncode() {
        List<Txn> refused = List.of(
                new Txn.CreateSession(SID, 30_000, new byte[16]),
                new Txn.CreateSession(SID + 1, 30_000, ZabTxnCodec.zooKeeperPassword(SID + 1)),
                new Txn.CloseSession(SID + 1),
                new Txn.Check("/a", 1),
                new Txn.Create("/e", DATA, Acl.OPEN, NodeKind.EPHEMERAL, SID + 1, 0, 1, false),
                new Txn.Create("/p", DATA, Acl.OPEN, NodeKind.PERSISTENT, SID, 0, 1, false),
                new Txn.Create("/p", DATA, Acl.OPEN, NodeKind.PERSISTENT, 0, 10, 1, false),
                new Txn.Create("/c", DATA, Acl.OPEN, NodeKind.CONTAINER, 0, 0, 1, false),
                new Txn.Create("/t", DATA, Acl.OPEN, NodeKind.TTL, 0, 10, 1, false),
                new Txn.Create("/t", DATA, Acl.OPEN, NodeKind.TTL, 0, 0, 1, true),
                new Txn.Create("/t", DATA, Acl.OPEN, NodeKind.TTL, 0, NodeKind.TTL_MS_MAX + 1, 1, true),
                new Txn.Create("/n", DATA, null, NodeKind.PERSISTENT, 0, 0, 1, false),
                new Txn.Delete(null),
                new Txn.Multi(List.of(new Txn.SetAcl("/a", Acl.OPEN, 1))),
                new Txn.Multi(List.of(new Txn.Error(Code.NO_NODE))),
                new Txn.Multi(List.of(new Txn.Multi(List.of()))),
                new Txn.Multi(List.of(new Txn.CloseSession(SID))),
                new Txn.Multi(List.of(new Txn.MultiError(List.of(1), List.of(1)))),
                new Txn.MultiError(List.of(0, 1), List.of(1)));
        for (Txn txn : refused) {
            assertThrows(IllegalArgumentException.class, () -> ZabTxnCodec.encode(env(SID, 1, txn)), txn::toString);
        }
        Txn ephemeral = new Txn.Create("/e", DATA, Acl.OPEN, NodeKind.EPHEMERAL, 0, 0, 1, false);
        assertThrows(IllegalArgumentException.class, () -> ZabTxnCodec.encode(env(0, 1, ephemeral)));
    }

    @Test
    void badPeerBytesAreRefused() throws Exception {
        List<byte[]> refused = new ArrayList<>();
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.RECONFIG), new SetDataTxn("/zookeeper/config", DATA, 1), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.CHECK), new CheckVersionTxn("/a", 1), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, 99), new DeleteTxn("/a"), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.SET_WATCHES), new DeleteTxn("/a"), null));
        TxnHeader zeroZxid = header(SID, 1, OpCode.DELETE);
        zeroZxid.setZxid(0);
        refused.add(Util.marshallTxnEntry(zeroZxid, new DeleteTxn("/a"), null));
        refused.add(Util.marshallTxnEntry(header(0, 1, OpCode.CREATE), new CreateTxn("/e", DATA, zk(Acl.OPEN), true, 1), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.CREATE_TTL), new CreateTTLTxn("/t", DATA, zk(Acl.OPEN), 1, 0), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.CREATE_TTL),
                new CreateTTLTxn("/t", DATA, zk(Acl.OPEN), 1, NodeKind.TTL_MS_MAX + 1), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.CREATE), new CreateTxn("/n", DATA, null, false, 1), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.DELETE), new DeleteTxn(null), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.MULTI), new MultiTxn(null), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.MULTI),
                new MultiTxn(List.of(new org.apache.zookeeper.txn.Txn(OpCode.DELETE, null))), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.MULTI),
                new MultiTxn(List.of(inner(OpCode.SET_ACL, new SetACLTxn("/a", zk(Acl.OPEN), 1)))), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.MULTI),
                new MultiTxn(List.of(inner(OpCode.MULTI, new MultiTxn(List.of())))), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.MULTI), new MultiTxn(List.of(
                new org.apache.zookeeper.txn.Txn(OpCode.DELETE, ZkQuorumOracle.bytes(new SetDataTxn("/a", DATA, 1))))), null));
        refused.add(Util.marshallTxnEntry(header(SID, 1, OpCode.CLOSE_SESSION), new CloseSessionTxn(null), null));
        byte[] create = Util.marshallTxnEntry(header(SID, 1, OpCode.CREATE), new CreateTxn("/a", DATA, zk(Acl.OPEN), false, 1), null);
        create[create.length - 5] = 2; // the ephemeral boolean
        refused.add(create);
        // Hostile counts: each far beyond the bytes that follow, refused before any allocation.
        refused.add(withBody(OpCode.MULTI, new JuteWriter().writeInt(Integer.MAX_VALUE).writeInt(0)));
        refused.add(withBody(OpCode.MULTI, new JuteWriter().writeInt(-2)));
        refused.add(withBody(OpCode.CLOSE_SESSION, new JuteWriter().writeInt(Integer.MAX_VALUE).writeLong(0).writeLong(0)));
        refused.add(withBody(OpCode.SET_ACL, new JuteWriter().writeString("/a").writeInt(Integer.MAX_VALUE).writeInt(0)));
        refused.add(withBody(OpCode.DELETE, new JuteWriter().writeInt(Integer.MAX_VALUE)));
        refused.add(withBody(OpCode.SET_DATA, new JuteWriter().writeString("/a").writeInt(0x7fff_0000).writeInt(0)));
        for (byte[] bytes : refused) {
            assertThrows(PeerProtocolException.class, () -> ZabTxnCodec.decode(bytes), () -> hex(bytes));
        }
    }

    /**
     * Random damage to valid txns: only PeerProtocolException escapes, and whatever decodes
     * re-encodes and settles (see {@link #assertRefusedOrStable}).
     */
    @Test
    void damagedTxnsAreRefusedCleanlyOrRoundTrip() {
        Random random = new Random(7);
        List<byte[]> valid = new ArrayList<>();
        for (Case c : cases()) {
            try {
                valid.add(Util.marshallTxnEntry(c.zkHeader(), c.zkTxn(), new org.apache.zookeeper.txn.TxnDigest(2, 5)));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = valid.get(random.nextInt(valid.size())).clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            assertRefusedOrStable(bytes);
        }
    }

    /**
     * {@code bytes} are refused with PeerProtocolException, or decode to a txn that encodes (a
     * decoded txn is always one we can write) to bytes that decode, after which decode and encode
     * are each other's inverse. Not at once: a MultiError's opTypes are not carried, and strings
     * settle after one round as in {@link PeerStreamFuzzTest#quorumPort}.
     */
    static void assertRefusedOrStable(byte[] bytes) {
        ZabTxnCodec.Decoded first;
        try {
            first = ZabTxnCodec.decode(bytes);
        } catch (PeerProtocolException refused) {
            return;
        }
        try {
            TxnEnvelope settled = ZabTxnCodec.decode(ZabTxnCodec.encode(first.envelope())).envelope();
            byte[] settledBytes = ZabTxnCodec.encode(settled);
            assertEquals(settled, ZabTxnCodec.decode(settledBytes).envelope(), () -> hex(bytes));
            assertEquals(first.envelope().zxid(), settled.zxid());
        } catch (PeerProtocolException e) {
            throw new AssertionError("a decoded txn re-encodes to bytes that do not decode: " + hex(bytes), e);
        }
    }

    private static byte[] withBody(int type, JuteWriter body) {
        JuteWriter out = new JuteWriter();
        new io.paddock.core.wire.quorum.TxnHeader(SID, 1, ZXID, TIME, type).write(out);
        byte[] b = body.toByteArray();
        return out.writeRaw(b, 0, b.length).toByteArray();
    }

    private static TxnEnvelope env(long sessionId, int cxid, Txn txn) {
        return new TxnEnvelope(ZXID, sessionId, cxid, TIME, txn);
    }

    private static TxnHeader header(long clientId, int cxid, int type) {
        return new TxnHeader(clientId, cxid, ZXID, TIME, type);
    }

    private static org.apache.zookeeper.txn.Txn inner(int type, Record record) {
        return new org.apache.zookeeper.txn.Txn(type, ZkQuorumOracle.bytes(record));
    }

    private static List<ACL> zk(List<Acl> acls) {
        return acls.stream().map(a -> new ACL(a.perms(), new org.apache.zookeeper.data.Id(a.id().scheme(), a.id().id())))
                .toList();
    }
}
