package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.request.Caller;
import io.paddock.core.request.PendingChanges;
import io.paddock.core.request.RequestPrep;
import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeDigest;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.tree.Znode;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.CheckVersionRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateTTLRequest;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.MultiOp;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetACLRequest;
import io.paddock.core.wire.SetDataRequest;
import io.paddock.core.wire.quorum.TxnDigest;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.zookeeper.server.TxnLogEntry;
import org.apache.zookeeper.server.util.SerializeUtils;
import org.apache.zookeeper.txn.CloseSessionTxn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the digest a leader proposes is the tree digest ZooKeeper 3.9.5 ends with: random
 * client writes (every create kind, sequential names, deletes, setData, setACL, multis that
 * succeed and that fail, checks, failing single writes, session creation and closing with
 * ephemerals, the server's container and TTL sweep) are prepared as a leader prepares them,
 * several ahead of the tree (so the digest comes from pending changes on top of the tree), and
 * encoded as proposals. ZooKeeper's own reader takes each proposal's bytes apart and its own
 * DataTree applies them; after each one, ZooKeeper's tree digest, ours and the proposal's
 * TxnDigest are equal, and a closeSession's CloseSessionTxn names exactly the ephemerals
 * ZooKeeper deletes. A write that fails on its own carries no digest, as in ZooKeeper.
 */
class ProposalDigestTest {
    private static final String EXTENDED_TYPES = "zookeeper.extendedTypesEnabled";
    private static final long[] SESSIONS = {0x100L, 0x200L, 0x300L};
    private static final String[] NAMES = {"a", "b", "c"};
    private static final List<List<Acl>> ACLS = List.of(Acl.OPEN, Acl.READ_ONLY,
            List.of(new Acl(Acl.ALL, Id.ANYONE), new Acl(Acl.READ, new Id("ip", "10.0.0.1"))));

    @BeforeAll
    static void enableTtlNodesInZooKeeper() {
        System.setProperty(EXTENDED_TYPES, "true");
    }

    @AfterAll
    static void restoreZooKeeperDefaults() {
        System.clearProperty(EXTENDED_TYPES);
    }

    @Test
    void everyProposalsDigestIsZooKeepersTreeDigestAfterIt() throws Exception {
        Map<String, Integer> kinds = new TreeMap<>();
        for (int seed = 1; seed <= 40; seed++) {
            new Run(seed, kinds).run(250);
        }
        // The histories must reach every kind of txn, or agreement proves little.
        for (String kind : List.of("createSession", "closeSession with ephemerals", "create", "delete", "setData",
                "setAcl", "multi", "multi error", "error", "sweep")) {
            assertTrue(kinds.getOrDefault(kind, 0) > 10, kind + " seen " + kinds.getOrDefault(kind, 0) + " times: " + kinds);
        }
    }

    private static final class Run {
        final long seed;
        final Random rnd;
        final Map<String, Integer> kinds;
        final DataTree ours = new DataTree();
        final SessionTable sessions = new SessionTable(2_000);
        final TxnApplier applier = new TxnApplier(ours, sessions);
        final PendingChanges pending = new PendingChanges();
        final RequestPrep prep = new RequestPrep(new TreeLookup(ours), pending, true);
        final org.apache.zookeeper.server.DataTree zk = new org.apache.zookeeper.server.DataTree();
        final Deque<byte[]> proposed = new ArrayDeque<>();
        final Deque<TxnEnvelope> unapplied = new ArrayDeque<>();
        /** Sessions created and not closed (as proposed). */
        final TreeSet<Long> live = new TreeSet<>();
        long zxid = 0x1_0000_0000L;
        long time = 1_700_000_000_000L;

        Run(long seed, Map<String, Integer> kinds) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.kinds = kinds;
        }

        void run(int steps) throws Exception {
            for (int i = 0; i < steps; i++) {
                propose();
                if (rnd.nextInt(3) == 0) { // let up to a few txns pile up before the tree applies them
                    applyAll();
                }
            }
            applyAll();
            ours.checkInvariants();
        }

        void propose() {
            zxid++;
            time += rnd.nextInt(5);
            long session = SESSIONS[rnd.nextInt(SESSIONS.length)];
            Txn txn;
            long envSession = session;
            int draw = rnd.nextInt(20);
            if (draw <= 1 && live.contains(session) == (draw == 0)) {
                zxid--; // only a new session is created, only a live one closed
                return;
            }
            if (draw == 0) {
                txn = new Txn.CreateSession(session, 4_000, ZabTxnCodec.zooKeeperPassword(session));
                live.add(session);
            } else if (draw == 1) {
                txn = prep.prepareCloseSession(zxid, session);
                live.remove(session);
            } else if (draw == 2) {
                String path = sweepable();
                txn = path == null ? null : prep.prepareSweepDelete(zxid, path);
                if (txn == null) {
                    zxid--;
                    return;
                }
                envSession = 0;
            } else {
                int[] opCode = new int[1];
                JuteRecord request = request(draw, opCode);
                txn = prep.prepare(zxid, time, new Caller(session, List.of(), false), opCode[0], request);
            }
            TxnEnvelope env = new TxnEnvelope(zxid, envSession, rnd.nextInt(100), time, txn);
            TxnDigest digest = txn instanceof Txn.Error ? null : new TxnDigest(NodeDigest.VERSION, prep.treeDigest());
            List<String> closed = txn instanceof Txn.CloseSession close ? close.paths() : null;
            proposed.addLast(ZabTxnCodec.encode(env, digest));
            unapplied.addLast(env);
            count(env, closed);
        }

        private void count(TxnEnvelope env, List<String> closed) {
            Txn txn = env.txn();
            String kind = txn instanceof Txn.CreateSession ? "createSession"
                    : txn instanceof Txn.CloseSession ? (closed.isEmpty() ? "closeSession" : "closeSession with ephemerals")
                    : txn instanceof Txn.Create ? "create"
                    : txn instanceof Txn.Delete ? (env.sessionId() == 0 ? "sweep" : "delete")
                    : txn instanceof Txn.SetData ? "setData"
                    : txn instanceof Txn.SetAcl ? "setAcl"
                    : txn instanceof Txn.Multi ? "multi"
                    : txn instanceof Txn.MultiError ? "multi error"
                    : txn instanceof Txn.Error ? "error" : txn.toString();
            kinds.merge(kind, 1, Integer::sum);
        }

        /** A random write; mostly to paths that exist or could (so most succeed), some that fail. */
        private JuteRecord request(int draw, int[] opCode) {
            String path = candidatePath();
            byte[] data = rnd.nextInt(8) == 0 ? null : ("d" + rnd.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
            int version = rnd.nextInt(4) == 0 ? rnd.nextInt(3) : -1;
            switch (draw) {
                case 3, 4, 5, 6, 7 -> {
                    int flags = rnd.nextInt(7);
                    if (flags == 5 || flags == 6) {
                        opCode[0] = OpCode.CREATE_TTL;
                        return new CreateTTLRequest(path, data, pick(ACLS), flags, 1 + rnd.nextInt(5_000));
                    }
                    opCode[0] = flags == 4 ? OpCode.CREATE_CONTAINER : rnd.nextBoolean() ? OpCode.CREATE : OpCode.CREATE2;
                    return new CreateRequest(path, data, pick(ACLS), flags);
                }
                case 8, 9 -> {
                    opCode[0] = OpCode.DELETE;
                    return new DeleteRequest(existingPath(), version);
                }
                case 10, 11, 12 -> {
                    opCode[0] = OpCode.SET_DATA;
                    return new SetDataRequest(rnd.nextInt(10) == 0 ? "/" : existingPath(), data, version);
                }
                case 13 -> {
                    opCode[0] = OpCode.SET_ACL;
                    return new SetACLRequest(existingPath(), pick(ACLS), rnd.nextInt(4) == 0 ? 0 : -1);
                }
                default -> {
                    opCode[0] = OpCode.MULTI;
                    List<MultiOp> ops = new ArrayList<>();
                    for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                        String p = rnd.nextBoolean() ? candidatePath() : existingPath();
                        ops.add(switch (rnd.nextInt(5)) {
                            case 0, 1 -> new MultiOp(OpCode.CREATE, new CreateRequest(p, data, Acl.OPEN, rnd.nextInt(4)));
                            case 2 -> new MultiOp(OpCode.DELETE, new DeleteRequest(p, -1));
                            case 3 -> new MultiOp(OpCode.SET_DATA, new SetDataRequest(p, data, -1));
                            default -> new MultiOp(OpCode.CHECK, new CheckVersionRequest(p, rnd.nextInt(3) - 1));
                        });
                    }
                    return new MultiRequest(ops);
                }
            }
        }

        /** A child of an existing node (the tree as applied; pending txns may have changed it). */
        private String candidatePath() {
            List<String> parents = new ArrayList<>();
            ours.forEach((p, n) -> {
                if (!p.startsWith("/zookeeper/") && p.split("/").length < 4) {
                    parents.add(p);
                }
            });
            String parent = pick(parents);
            return (parent.equals("/") ? "" : parent) + "/" + pick(List.of(NAMES));
        }

        private String existingPath() {
            List<String> paths = new ArrayList<>();
            ours.forEach((p, n) -> paths.add(p));
            return pick(paths);
        }

        private String sweepable() {
            List<String> paths = new ArrayList<>();
            ours.forEach((p, n) -> {
                if ((n.kind() == NodeKind.CONTAINER || n.kind() == NodeKind.TTL) && n.numChildren() == 0) {
                    paths.add(p);
                }
            });
            return paths.isEmpty() ? null : pick(paths);
        }

        /** Applies every proposed txn: ZooKeeper from the proposal's bytes, ours from the envelope. */
        void applyAll() throws Exception {
            while (!unapplied.isEmpty()) {
                TxnEnvelope env = unapplied.pollFirst();
                byte[] bytes = proposed.pollFirst();
                TxnLogEntry entry = SerializeUtils.deserializeTxn(bytes);
                String where = "seed " + seed + " zxid 0x" + Long.toHexString(env.zxid()) + " " + env.txn();
                if (entry.getTxn() instanceof CloseSessionTxn close) {
                    assertEquals(new TreeSet<>(zk.getEphemerals(env.sessionId())), new TreeSet<>(close.getPaths2Delete()),
                            where + ": the CloseSessionTxn's paths are the ephemerals ZooKeeper holds");
                }
                zk.processTxn(entry.getHeader(), entry.getTxn(), entry.getDigest());
                applier.apply(env, -1);
                pending.applied(env.zxid());
                assertEquals(zk.getTreeDigest(), ours.treeDigest(), where + ": tree digests");
                if (env.txn() instanceof Txn.Error) {
                    assertNull(entry.getDigest(), where + ": a failed write carries no digest");
                } else {
                    assertEquals(NodeDigest.VERSION, entry.getDigest().getVersion(), where);
                    assertEquals(zk.getTreeDigest(), entry.getDigest().getTreeDigest(), where + ": the proposal's digest");
                }
            }
            assertEquals(zk.getTreeDigest(), prep.treeDigest(), "seed " + seed + ": nothing pending");
            ours.forEach((path, node) -> assertNodeAgrees(path, node));
        }

        private void assertNodeAgrees(String path, Znode node) {
            if (!NodeDigest.isExcluded(path)) {
                assertEquals(zk.getNode(path).getDigest(), node.digest(), "seed " + seed + ": digest of " + path);
            }
        }

        private <T> T pick(List<T> list) {
            return list.get(rnd.nextInt(list.size()));
        }
    }
}
