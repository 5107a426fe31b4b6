package io.paddock.core.wire.quorum;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-made seeds for {@link PeerStreamFuzzTest}: what each port carries in a real conversation,
 * built with our encoders (which ZooKeeper's classes are proved to read, see the codec tests).
 */
public final class PeerStreamSeeds {
    private PeerStreamSeeds() {}

    /** Learner connections: the discovery handshake from both sides, pings, and odd packets. */
    public static Map<String, byte[]> quorumPort() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        LearnerInfo info = new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0);
        seeds.put("follower-side", concat(
                LearnerHandshake.followerInfo(1, info).encode(),
                LearnerHandshake.ackEpoch(1, 0x1_0000_0005L).encode(),
                Ping.reply(Ping.fromLeader(0x2_0000_0000L), List.of(new Ping.SessionTouch(0x1234L, 30_000))).encode()));
        seeds.put("leader-side", concat(
                LearnerHandshake.leaderInfo(2, LearnerInfo.PROTOCOL_VERSION).encode(),
                Ping.fromLeader(0x2_0000_0000L).encode(),
                Ping.fromLeader(0x2_0000_0001L).encode()));
        seeds.put("observer-info", LearnerHandshake.observerInfo(3, new LearnerInfo(Long.MAX_VALUE,
                LearnerInfo.PROTOCOL_VERSION, 7)).encode());
        seeds.put("epoch-already-accepted", LearnerHandshake.ackEpoch(LearnerHandshake.EPOCH_ALREADY_ACCEPTED, 0).encode());
        seeds.put("proposal-with-txn-header", new QuorumPacket(QuorumPacketType.PROPOSAL, 0x2_0000_0001L,
                new TxnHeader(0x1234L, 7, 0x2_0000_0001L, 1_700_000_000_000L, 1).toBytes(), null).encode());
        seeds.put("request-with-authinfo", new QuorumPacket(QuorumPacketType.REQUEST, 0, new byte[] {1, 2, 3},
                List.of(new Id("digest", "user:hash"), Id.ANYONE)).encode());
        seeds.put("null-data-empty-authinfo", new QuorumPacket(QuorumPacketType.COMMIT, 9, null, List.of()).encode());
        seeds.put("unknown-type", new QuorumPacket(99, -1, new byte[0], null).encode());
        seeds.put("proposals-of-txns", concat(
                proposal(new Txn.CreateSession(SESSION, 30_000, ZabTxnCodec.zooKeeperPassword(SESSION))),
                proposal(new Txn.Create("/q/lock-0000000001", new byte[] {1}, Acl.OPEN, NodeKind.EPHEMERAL, SESSION, 0, 2,
                        true)),
                proposal(new Txn.SetAcl("/q", List.of(new Acl(Acl.READ, new Id("ip", "10.0.0.1"))), 1)),
                proposal(new Txn.CloseSession(SESSION))));
        seeds.put("proposal-of-multi", proposal(new Txn.Multi(List.of(
                new Txn.Create("/m", null, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, false),
                new Txn.Create("/m/t", new byte[0], Acl.OPEN, NodeKind.TTL, 0, 5_000, 1, true),
                new Txn.SetData("/m", new byte[] {2}, 1), new Txn.Check("/m", 1), new Txn.Delete("/m/t")))));
        seeds.put("proposal-of-failed-multi", proposal(new Txn.MultiError(List.of(0, -101, -2), List.of(1, 2, 5))));
        seeds.put("learner-forwards-and-revalidates", concat(
                new ForwardedRequest(SESSION, 4, 2, new byte[] {0, 0, 0, 2, '/', 'm', -1, -1, -1, -1},
                        List.of(Id.ANYONE)).toPacket().encode(),
                Revalidate.ask(SESSION, 30_000).encode()));
        seeds.put("leader-answers-revalidate", Revalidate.answer(Revalidate.ask(SESSION, 30_000), SESSION, true).encode());
        return seeds;
    }

    private static final long SESSION = 0x1000_0000_0000_0001L;

    private static byte[] proposal(Txn txn) {
        long zxid = 0x2_0000_0001L;
        return new QuorumPacket(QuorumPacketType.PROPOSAL, zxid,
                ZabTxnCodec.encode(new TxnEnvelope(zxid, SESSION, 3, 1_700_000_000_000L, txn)), null).encode();
    }

    /**
     * Snapshots as a leader streams them after SNAP (ZooKeeper's format): a bare tree, and one with
     * sessions, ACLs of several kinds and a node of every kind.
     */
    public static Map<String, byte[]> zooKeeperSnapshots() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        io.paddock.core.tree.DataTree bare = new io.paddock.core.tree.DataTree();
        seeds.put("bare-tree", zooKeeperSnapshot(bare, new io.paddock.core.session.SessionTable(2000)));
        io.paddock.core.tree.DataTree tree = new io.paddock.core.tree.DataTree();
        List<Acl> ip = List.of(new Acl(Acl.READ | Acl.WRITE, new Id("ip", "10.0.0.1")));
        tree.restoreNode("/app", new byte[] {1, 2}, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 2, 3, 10, 11, 1, 4, 0, 7);
        tree.restoreNode("/app/lock", null, ip, NodeKind.EPHEMERAL, SESSION, 0, 4, 4, 12, 12, 0, 0, 0, 4);
        tree.restoreNode("/app/box", new byte[0], Acl.READ_ONLY, NodeKind.CONTAINER, 0, 0, 5, 5, 13, 13, 0, 0, 0, 5);
        tree.restoreNode("/app/ttl", new byte[] {3}, List.of(new Acl(Acl.ALL, new Id("digest", "bob:hash"))),
                NodeKind.TTL, 0, 60_000, 6, 6, 14, 14, 0, 0, 2, 6);
        io.paddock.core.session.SessionTable sessions = new io.paddock.core.session.SessionTable(2000);
        sessions.add(SESSION, 30_000, ZabTxnCodec.zooKeeperPassword(SESSION), 0);
        sessions.add(0x77L, 4_000, ZabTxnCodec.zooKeeperPassword(0x77L), 0);
        seeds.put("tree-with-sessions-and-acls", zooKeeperSnapshot(tree, sessions));
        return seeds;
    }

    private static byte[] zooKeeperSnapshot(io.paddock.core.tree.DataTree tree, io.paddock.core.session.SessionTable sessions) {
        io.paddock.core.storage.SnapshotEncoder encoder = new io.paddock.core.storage.SnapshotEncoder(
                io.paddock.core.storage.TreeSnapshot.capture(tree, sessions, 0x2_0000_0007L, 1_700_000_000_000L));
        io.paddock.core.wire.JuteWriter ours = new io.paddock.core.wire.JuteWriter(4096);
        while (!encoder.writeNext(ours, 64)) {
            // bounded frames
        }
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        try {
            ZooKeeperSnapWriter.write(ours.toByteArray(), "seed", 1 << 16, stream::writeBytes);
        } catch (io.paddock.core.storage.CorruptSnapshotException e) {
            throw new IllegalStateException(e);
        }
        return stream.toByteArray();
    }

    /** Election connections: each form of the initial message, then notifications. */
    public static Map<String, byte[]> electionPort() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] looking = ElectionFrame.encode(NotificationMessage.current(NotificationMessage.LOOKING, 3, 0x1_0000_0002L,
                4, 1, new byte[0]));
        byte[] following = ElectionFrame.encode(NotificationMessage.current(NotificationMessage.FOLLOWING, 3,
                0x1_0000_0002L, 4, 1, "server.1=127.0.0.1:2888:3888:participant\nversion=0".getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)));
        seeds.put("v1-then-votes", concat(InitialMessage.v1(2, new ElectionAddress("127.0.0.1", 3888)).encode(),
                looking, following));
        seeds.put("v2-two-addresses", concat(new InitialMessage(InitialMessage.Form.V2, 5,
                List.of(new ElectionAddress("::1", 3888), new ElectionAddress("localhost", 3889))).encode(), looking));
        seeds.put("sid-only", concat(InitialMessage.sidOnly(4).encode(), looking));
        // ZooKeeper's older notification bodies: 28 bytes (no peer epoch) and 40 bytes.
        byte[] current = NotificationMessage.current(NotificationMessage.LEADING, 1, 5, 2, 1, new byte[0]).encode();
        seeds.put("old-bodies", concat(InitialMessage.v1(1, new ElectionAddress("127.0.0.1", 3888)).encode(),
                frame(java.util.Arrays.copyOf(current, 28)), frame(java.util.Arrays.copyOf(current, 40))));
        return seeds;
    }

    private static byte[] frame(byte[] body) {
        return concat(new byte[] {(byte) (body.length >>> 24), (byte) (body.length >>> 16),
            (byte) (body.length >>> 8), (byte) body.length}, body);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
