package io.paddock.server.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotEncoder;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotHeader;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.quorum.DecodeResult;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import io.paddock.core.wire.quorum.ZooKeeperSnapWriter;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketDecoder;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.paddock.server.quorum.RecordingInbound.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the quorum transport on loopback, several transports in one JVM: notifications travel
 * both ways between every pair whichever side connects first (ZooKeeper's rule: the higher sid
 * keeps the connection it initiated); learner packets go to the leader's quorum port, the first
 * naming the learner, and back; a closed learner connection is one PeerDown; garbage or an unknown
 * protocol version drops only that connection; a restarted peer is reached again; and a peer that
 * is down does not delay notifications to the others.
 */
class ElectionTransportTest {
    private static final long WAIT_MS = 10_000;

    private final Map<Long, PeerAddress> members = new TreeMap<>();
    private final Map<Long, BlockingQueue<Received>> inboxes = new TreeMap<>();
    private final List<QuorumTransport> started = new ArrayList<>();
    /** What each transport reported unreachable, apart from its inbox (reports come at any time). */
    private final Map<Long, BlockingQueue<Long>> unreachableReports = new TreeMap<>();
    /** Whom each transport reported a snapshot stream moving with (a learner's leader, or a leader's learner). */
    private final Map<Long, BlockingQueue<Long>> streamingReports = new TreeMap<>();

    @BeforeEach
    void ports() throws IOException {
        for (long sid = 1; sid <= 3; sid++) {
            members.put(sid, new PeerAddress(sid, "127.0.0.1", freePort(), freePort()));
            inboxes.put(sid, new LinkedBlockingQueue<>());
            unreachableReports.put(sid, new LinkedBlockingQueue<>());
            streamingReports.put(sid, new LinkedBlockingQueue<>());
        }
    }

    @AfterEach
    void stop() {
        started.forEach(QuorumTransport::close);
    }

    private static int freePort() throws IOException {
        return PeerPorts.free();
    }

    private QuorumTransport start(long sid) throws IOException {
        return start(sid, InetAddress::getByName);
    }

    private QuorumTransport start(long sid, QuorumTransport.HostLookup lookup) throws IOException {
        BlockingQueue<Received> inbox = inboxes.get(sid);
        QuorumTransport t = new QuorumTransport(sid, members, false, 3, QuorumTransport.Security.PLAIN,
                new RecordingInbound(inbox, unreachableReports.get(sid), streamingReports.get(sid)), lookup);
        t.start();
        started.add(t);
        return t;
    }

    private static NotificationMessage vote(long leader, long round) {
        return RecordingInbound.vote(leader, round);
    }

    private Received next(long sid) throws InterruptedException {
        return RecordingInbound.next(inboxes.get(sid), sid, WAIT_MS);
    }

    @Test
    void notificationsTravelBothWaysBetweenEveryPair() throws Exception {
        QuorumTransport[] t = {null, start(1), start(2), start(3)};
        for (long from = 1; from <= 3; from++) {
            for (long to = 1; to <= 3; to++) {
                if (from != to) {
                    t[(int) from].sendElection(to, vote(from, 10 * from + to));
                }
            }
        }
        for (long to = 1; to <= 3; to++) {
            Map<Long, NotificationMessage> got = new TreeMap<>();
            while (got.size() < 2) {
                Received r = next(to);
                assertEquals("election", r.kind());
                got.put(r.from(), (NotificationMessage) r.what());
            }
            for (Map.Entry<Long, NotificationMessage> e : got.entrySet()) {
                assertEquals(vote(e.getKey(), 10 * e.getKey() + to), e.getValue());
            }
        }
    }

    /**
     * What lets an election skip its finalize wait for a server that is down: a refused connection
     * to its election port is reported, and so is an open election connection that breaks.
     */
    @Test
    void aRefusedOrBrokenElectionConnectionIsReportedUnreachable() throws Exception {
        QuorumTransport one = start(1);
        one.sendElection(3, vote(1, 1)); // server 3 never started: the connection is refused
        assertEquals(3L, unreachableReports.get(1L).poll(WAIT_MS, TimeUnit.MILLISECONDS));
        QuorumTransport two = start(2);
        two.sendElection(1, vote(2, 1));
        one.sendElection(2, vote(1, 1));
        assertEquals("election", next(1).kind());
        assertEquals("election", next(2).kind());
        unreachableReports.get(1L).removeIf(sid -> sid == 3L); // its retries may report it again
        two.close();
        Long broken = unreachableReports.get(1L).poll(WAIT_MS, TimeUnit.MILLISECONDS);
        while (broken != null && broken == 3L) {
            broken = unreachableReports.get(1L).poll(WAIT_MS, TimeUnit.MILLISECONDS);
        }
        assertEquals(2L, broken, "server 2's election connection broke");
    }

    /** Server 2 connects to server 1's quorum port as a learner; its FOLLOWERINFO arrives first. */
    private void learnerConnects(QuorumTransport learner) throws InterruptedException {
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0));
        learner.sendQuorum(1, info);
        assertEquals(new Received("quorum", 2, info), next(1));
    }

    /** As {@link #learnerConnects}, then the leader's LEADERINFO reaches it (a leader's first packet on a connection). */
    private void learnerConnects(QuorumTransport leader, QuorumTransport learner) throws InterruptedException {
        learnerConnects(learner);
        QuorumPacket leaderInfo = LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION);
        leader.sendQuorum(2, leaderInfo);
        assertEquals(new Received("quorum", 1, leaderInfo), next(2));
    }

    @Test
    void learnerPacketsReachTheLeaderAndAClosedLearnerIsOnePeerDown() throws Exception {
        QuorumTransport leader = start(1);
        QuorumTransport learner = start(2);
        learnerConnects(learner);
        QuorumPacket leaderInfo = LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION);
        leader.sendQuorum(2, leaderInfo);
        assertEquals(new Received("quorum", 1, leaderInfo), next(2));
        learner.close();
        assertEquals(new Received("down", 2, null), next(1));
    }

    /**
     * A leader's packet to a learner whose connection is gone is dropped: only a learner opens a
     * quorum connection. (The leader used to connect to the dropped learner's quorum port as if it
     * were its learner, and that server refused it: "expected FOLLOWERINFO, got PROPOSAL".)
     */
    @Test
    void aLeaderDoesNotConnectToALearnerItLost() throws Exception {
        QuorumTransport leader = start(1);
        QuorumTransport learner = start(2);
        start(3);
        learnerConnects(learner);
        learner.close();
        assertEquals(new Received("down", 2, null), next(1));
        PeerAddress two = members.get(2L);
        try (ServerSocket quorumPortOfTwo = new ServerSocket()) {
            quorumPortOfTwo.bind(new InetSocketAddress(two.host(), two.quorumPort()));
            quorumPortOfTwo.setSoTimeout(300);
            leader.sendQuorum(2, new QuorumPacket(QuorumPacketType.PROPOSAL, 5, new byte[16], null));
            // The transport's loop runs tasks in order: once this notification reached server 3,
            // the PROPOSAL's task ran, and a connection it opened would already be waiting here.
            leader.sendElection(3, vote(1, 1));
            assertEquals("election", next(3).kind());
            assertThrows(SocketTimeoutException.class, quorumPortOfTwo::accept,
                    "the leader connected to the quorum port of the learner it lost");
        }
    }

    /**
     * A large batch (8 MiB, well within the send bound) handed over at once reaches a learner that reads,
     * every packet in order, and the connection stays up.
     */
    @Test
    void aLargeBatchReachesAPeerThatReadsInOrder() throws Exception {
        QuorumTransport leader = start(1);
        learnerConnects(leader, start(2));
        int count = 8 * 1024;
        assertTrue(count * 1024 < QuorumTransport.SEND_BUFFER_BYTES_MAX / 4, "well within the send bound");
        List<QuorumTransport.Outgoing> burst = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            burst.add(new QuorumTransport.Outgoing(2, new QuorumPacket(
                    io.paddock.core.wire.quorum.QuorumPacketType.PROPOSAL, i, new byte[1024], null)));
        }
        leader.sendQuorum(burst);
        for (int i = 0; i < count; i++) {
            Received r = next(2);
            assertEquals("quorum", r.kind(), "packet " + i + " of " + count);
            assertEquals(i, ((QuorumPacket) r.what()).zxid());
        }
    }

    /**
     * A learner that sends faster than the leader's core takes its packets (here the core takes
     * none) fills the inbox up to its bound, then waits in its socket: the leader stops reading
     * from every quorum connection, holding at most the bound and one packet more, not the flood.
     * Once the core has taken what it holds, reading resumes and the rest arrives, in order.
     */
    @Test
    void aFloodingPeerWaitsInItsSocketOnceTheInboxIsFull() throws Exception {
        QuorumTransport leader = start(1);
        QuorumTransport learner = start(2);
        learnerConnects(leader, learner);
        int size = 1024 * 1024;
        int count = (int) (QuorumTransport.INBOX_BYTES_MAX / size) + 36; // past the bound, within the send bound after it
        // In bursts of 8 MiB that the learner's own send bound allows, each once the one before arrived
        // (or the leader stopped reading: the rest then waits in the learner's send buffer, under its bound).
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        for (int sent = 0; sent < count; ) {
            List<QuorumTransport.Outgoing> burst = new ArrayList<>();
            for (int i = 0; i < 8 && sent < count; i++, sent++) {
                burst.add(new QuorumTransport.Outgoing(1, new QuorumPacket(QuorumPacketType.REQUEST, sent, new byte[size], null)));
            }
            learner.sendQuorum(burst);
            while (!leader.readingPaused() && inboxes.get(1L).size() < sent && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        while (!leader.readingPaused() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(leader.readingPaused(), "reading paused once the inbox passed its bound");
        int held = inboxes.get(1L).size();
        long perPacket = size + QuorumTransport.INBOX_PACKET_OVERHEAD_BYTES;
        assertTrue(held * perPacket <= QuorumTransport.INBOX_BYTES_MAX + perPacket && held < count,
                held + " packets of " + count + " handed to the core");
        List<QuorumPacket> got = new ArrayList<>();
        while (got.size() < count) {
            Received r = next(1);
            assertEquals("quorum", r.kind());
            QuorumPacket p = (QuorumPacket) r.what();
            assertEquals(got.size(), p.zxid(), "in order");
            got.add(p);
            leader.taken(p);
        }
        assertFalse(leader.readingPaused(), "reading resumed");
    }

    /**
     * A leader's snapshot may be larger than the send bound: it goes out as ZooKeeper's leaders send
     * it (SNAP with null data, then the stream), reaches the learner whole, the packets after it
     * too, in order, and the connection stays up (the bound dropped it at the next packet, and a
     * learner refused any SNAP over 2 MiB). The learner's transport reads the stream as it arrives and
     * hands the core the snapshot, with the same nodes and sessions. Sent as a leader's core sends it (a stream
     * read out piece by piece, in a batch, with a packet sent later while it streams following it),
     * and as a SNAP whose data is the whole stream, on its own.
     */
    @Test
    void aSnapLargerThanTheSendBoundStreamsToTheLearnerWithThePacketsAfterIt() throws Exception {
        int nodes = QuorumTransport.SEND_BUFFER_BYTES_MAX / (1 << 20) + 8;
        assertTrue(Runtime.getRuntime().maxMemory() / QuorumTransport.SNAP_HEAP_FRACTION > (long) (nodes + 1) << 20,
                "the test JVM's heap lets a learner take a snapshot of " + nodes + " MiB");
        QuorumTransport leader = start(1);
        learnerConnects(leader, start(2));
        List<SnapshotNode> list = new ArrayList<>();
        list.add(new SnapshotNode("/", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2));
        for (int i = 0; i < nodes; i++) {
            byte[] data = new byte[1 << 20];
            data[i] = (byte) i;
            list.add(new SnapshotNode(String.format("/n%03d", i), data, Acl.READ_ONLY, NodeKind.PERSISTENT, 0, 0,
                    i + 1, i + 1, 1000 + i, 1000 + i, 0, 0, 0, i + 1));
        }
        SnapshotData data = new SnapshotData("test", new SnapshotHeader(SnapshotFormat.VERSION, 0x100000007L, 5),
                List.of(new SnapshotSession(0x77L, 30_000, ZabTxnCodec.zooKeeperPassword(0x77L))), list);
        SnapshotEncoder encoder = new SnapshotEncoder(data.asSource());
        JuteWriter bytes = new JuteWriter(1 << 20);
        while (!encoder.writeNext(bytes, 16)) {
            // bounded frames
        }
        List<byte[]> pieces = new ArrayList<>();
        ZooKeeperSnapWriter.write(bytes.toByteArray(), "test", QuorumTransport.SNAP_PIECE_BYTES, pieces::add);
        PieceStream stream = new PieceStream(pieces);
        QuorumPacket head = new QuorumPacket(QuorumPacketType.SNAP, 0x100000007L, null, null);
        QuorumPacket before = new QuorumPacket(QuorumPacketType.DIFF, 0x100000006L, null, null);
        QuorumPacket after = new QuorumPacket(QuorumPacketType.NEWLEADER, 0x100000000L, null, null);
        QuorumPacket later = new QuorumPacket(QuorumPacketType.PING, 0x100000007L, null, null);
        leader.sendQuorum(List.of(new QuorumTransport.Outgoing(2, before), new QuorumTransport.Outgoing(2, head, stream),
                new QuorumTransport.Outgoing(2, after)));
        leader.sendQuorum(2, later); // sent while the stream is under way: it follows the stream too
        assertEquals(new Received("quorum", 1, before), next(2));
        assertSameSnapshot(data, inboxes.get(2L).poll(60, TimeUnit.SECONDS));
        assertEquals(new Received("quorum", 1, after), next(2));
        assertEquals(new Received("quorum", 1, later), next(2));
        assertEquals(pieces.size() + 1, stream.calls, "read out piece by piece, then its end");
        assertTrue(!stream.abandoned, "a stream read to its end is not abandoned");
        assertTrue(streamingReports.get(1L).contains(2L), "the leader's core heard that its learner takes the stream");

        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        pieces.forEach(whole::writeBytes);
        leader.sendQuorum(2, new QuorumPacket(QuorumPacketType.SNAP, 0x100000007L, whole.toByteArray(), null));
        leader.sendQuorum(2, after);
        assertSameSnapshot(data, inboxes.get(2L).poll(60, TimeUnit.SECONDS));
        assertEquals(new Received("quorum", 1, after), next(2));
        assertNull(inboxes.get(1L).poll(200, TimeUnit.MILLISECONDS), "the leader lost no learner");
    }

    /**
     * A learner whose connection the leader drops while its SNAP streams: the stream is abandoned
     * (the tree stops keeping nodes for it) and not read from again.
     */
    @Test
    void aLearnerDroppedWhileItsSnapStreamsAbandonsTheStream() throws Exception {
        QuorumTransport leader = start(1);
        learnerConnects(leader, start(2));
        CountDownLatch firstPiece = new CountDownLatch(1);
        CountDownLatch abandoned = new CountDownLatch(1);
        int[] callsAfterAbandon = {0};
        io.paddock.core.wire.quorum.SnapStream endless = new io.paddock.core.wire.quorum.SnapStream() {
            private boolean gone;
            private boolean headDone;

            @Override
            public byte[] next(int pieceBytes) {
                if (gone) {
                    callsAfterAbandon[0]++;
                    return null;
                }
                firstPiece.countDown();
                if (!headDone) {
                    headDone = true;
                    JuteWriter w = new JuteWriter(64);
                    w.writeInt(0).writeInt(0).writeString("").writeBuffer(new byte[0]).writeLong(-1);
                    for (int i = 0; i < 6; i++) {
                        w.writeLong(0);
                    }
                    w.writeInt(0).writeInt(0).writeInt(0).writeLong(0).writeLong(0);
                    return w.toByteArray();
                }
                return new byte[0]; // nothing more yet: the learner waits for the rest
            }

            @Override
            public void abandon() {
                gone = true;
                abandoned.countDown();
            }
        };
        leader.sendQuorum(List.of(new QuorumTransport.Outgoing(2,
                new QuorumPacket(QuorumPacketType.SNAP, 0x100000007L, null, null), endless)));
        assertTrue(firstPiece.await(WAIT_MS, TimeUnit.MILLISECONDS));
        leader.dropPeer(2);
        assertTrue(abandoned.await(WAIT_MS, TimeUnit.MILLISECONDS), "the stream was abandoned");
        assertEquals(new Received("down", 1, null), next(2));
        leader.sendQuorum(2, new QuorumPacket(QuorumPacketType.PING, 1, null, null)); // a task on the loop after the drop
        assertNull(inboxes.get(2L).poll(200, TimeUnit.MILLISECONDS));
        assertEquals(0, callsAfterAbandon[0]);
    }

    /**
     * A SNAP whose stream cannot be sent lets the tree go: one for a server with no connection is
     * abandoned; one whose data is a snapshot in our own format (no learner reads that after a
     * SNAP) drops the connection instead of sending bytes the learner would choke on.
     */
    @Test
    void aSnapThatCannotBeSentIsAbandonedOrDropsTheConnection() throws Exception {
        QuorumTransport leader = start(1);
        PieceStream nowhere = new PieceStream(List.of(new byte[] {1}));
        leader.sendQuorum(List.of(new QuorumTransport.Outgoing(3,
                new QuorumPacket(QuorumPacketType.SNAP, 0x100000007L, null, null), nowhere)));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!nowhere.abandoned && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(nowhere.abandoned, "the stream for a server with no connection was abandoned");
        assertEquals(0, nowhere.calls);

        learnerConnects(leader, start(2));
        SnapshotData data = new SnapshotData("ours", new SnapshotHeader(SnapshotFormat.VERSION, 0x100000007L, 5),
                List.of(), List.of(new SnapshotNode("/", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0)));
        SnapshotEncoder encoder = new SnapshotEncoder(data.asSource());
        JuteWriter ours = new JuteWriter(256);
        while (!encoder.writeNext(ours, 16)) {
            // bounded frames
        }
        leader.sendQuorum(2, new QuorumPacket(QuorumPacketType.SNAP, 0x100000007L, ours.toByteArray(), null));
        assertEquals(new Received("down", 1, null), next(2));
    }

    /**
     * A learner that vanishes mid-SNAP (a raw socket that reads the head and a little of the stream,
     * then closes) is one PeerDown on the leader, and its stream is abandoned: the leader stops
     * reading its tree for it and keeps nothing queued.
     */
    @Test
    void aLearnerThatVanishesMidSnapIsDroppedAndItsStreamAbandoned() throws Exception {
        QuorumTransport leader = start(1);
        PeerAddress one = members.get(1L);
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            pieces.add(new byte[QuorumTransport.SNAP_PIECE_BYTES]); // far more than the socket buffers take unread
        }
        PieceStream stream = new PieceStream(pieces);
        try (Socket learner = new Socket(one.host(), one.quorumPort())) {
            QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0));
            learner.getOutputStream().write(info.encode());
            learner.getOutputStream().flush();
            assertEquals(new Received("quorum", 2, info), next(1));
            leader.sendQuorum(List.of(new QuorumTransport.Outgoing(2, LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION)),
                    new QuorumTransport.Outgoing(2, new QuorumPacket(QuorumPacketType.SNAP, 0x100000007L, null, null), stream),
                    new QuorumTransport.Outgoing(2, new QuorumPacket(QuorumPacketType.NEWLEADER, 0x100000000L, null, null))));
            learner.setSoTimeout((int) WAIT_MS);
            byte[] some = new byte[64 * 1024];
            int read = 0;
            while (read < some.length) {
                int n = learner.getInputStream().read(some, read, some.length - read);
                assertTrue(n > 0, "the stream began");
                read += n;
            }
        } // closed mid-stream
        assertEquals(new Received("down", 2, null), next(1));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!stream.abandoned && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(stream.abandoned, "the stream of a learner that vanished was abandoned");
        assertTrue(stream.calls < pieces.size() + 1, "not read to its end: " + stream.calls + " calls");
    }

    /** A stream of pieces made before; counts the calls (on the transport's thread). */
    private static final class PieceStream implements io.paddock.core.wire.quorum.SnapStream {
        private final List<byte[]> pieces;
        volatile int calls;
        volatile boolean abandoned;

        PieceStream(List<byte[]> pieces) {
            this.pieces = pieces;
        }

        @Override
        public byte[] next(int pieceBytes) {
            int i = calls++;
            return i < pieces.size() ? pieces.get(i) : null;
        }

        @Override
        public void abandon() {
            abandoned = true;
        }
    }

    private static void assertSameSnapshot(SnapshotData sent, Received got) {
        assertNotNull(got, "the SNAP arrived");
        assertEquals("snapshot", got.kind(), "read from the stream as it came: " + got);
        assertEquals(1L, got.from());
        SnapshotData received = (SnapshotData) got.what();
        assertEquals(sent.header().lastZxid(), received.header().lastZxid());
        assertEquals(sent.nodes(), received.nodes(), "every node, whole");
        assertEquals(sent.sessions(), received.sessions());
    }

    /**
     * A sync may be larger than the send bound (a restarted leader DIFFs its whole log since its
     * last snapshot). A learner that reads nothing while 72 MiB of DIFF is written to it is kept
     * (the bound dropped it mid-burst), then reads every packet, in order; once the leader sends
     * UPTODATE the bound holds again, and the next packet past it drops the learner.
     */
    @Test
    void aSyncLargerThanTheSendBoundReachesASlowLearnerAndUptodateEndsTheAllowance() throws Exception {
        QuorumTransport leader = start(1);
        PeerAddress one = members.get(1L);
        try (Socket learner = new Socket(one.host(), one.quorumPort())) {
            QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0));
            learner.getOutputStream().write(info.encode());
            learner.getOutputStream().flush();
            assertEquals(new Received("quorum", 2, info), next(1));
            int count = QuorumTransport.SEND_BUFFER_BYTES_MAX / (1 << 20) + 8;
            List<QuorumTransport.Outgoing> sync = new ArrayList<>();
            sync.add(new QuorumTransport.Outgoing(2, LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION)));
            sync.add(new QuorumTransport.Outgoing(2, new QuorumPacket(QuorumPacketType.DIFF, 0x100000000L + count, null, null)));
            for (int i = 1; i <= count; i++) {
                sync.add(new QuorumTransport.Outgoing(2,
                        new QuorumPacket(QuorumPacketType.PROPOSAL, 0x100000000L + i, new byte[1 << 20], null)));
            }
            sync.add(new QuorumTransport.Outgoing(2, new QuorumPacket(QuorumPacketType.NEWLEADER, 0x100000000L, null, null)));
            leader.sendQuorum(sync);
            assertNull(inboxes.get(1L).poll(300, TimeUnit.MILLISECONDS), "kept while being synced, reading nothing");

            InputStream in = learner.getInputStream();
            QuorumPacketDecoder decoder = QuorumPacketDecoder.withDefaultLimits();
            byte[] buffer = new byte[4 << 20];
            int have = 0;
            for (QuorumTransport.Outgoing o : sync) {
                while (true) {
                    DecodeResult<QuorumPacket> r = decoder.decode(buffer, 0, have);
                    if (r instanceof DecodeResult.Complete<QuorumPacket> c) {
                        assertEquals(o.packet().type(), c.value().type());
                        assertEquals(o.packet().zxid(), c.value().zxid());
                        System.arraycopy(buffer, c.length(), buffer, 0, have - c.length());
                        have -= c.length();
                        break;
                    }
                    int n = in.read(buffer, have, buffer.length - have);
                    assertTrue(n > 0, "the stream ended before packet 0x" + Long.toHexString(o.packet().zxid()));
                    have += n;
                }
            }
            assertNull(inboxes.get(1L).poll(100, TimeUnit.MILLISECONDS), "the leader lost no learner");

            leader.sendQuorum(2, new QuorumPacket(QuorumPacketType.UPTODATE, 0, null, null));
            List<QuorumTransport.Outgoing> after = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                after.add(new QuorumTransport.Outgoing(2,
                        new QuorumPacket(QuorumPacketType.PROPOSAL, 0x100000100L + i, new byte[1 << 20], null)));
            }
            leader.sendQuorum(after);
            assertEquals(new Received("down", 2, null), next(1), "dropped past the send bound once synced");
        }
    }

    @Test
    void aSecondConnectionFromALearnerIsPrecededByPeerDownOfTheFirst() throws Exception {
        start(1);
        PeerAddress one = members.get(1L);
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(2, LearnerInfo.PROTOCOL_VERSION, 0));
        try (Socket first = new Socket("127.0.0.1", one.quorumPort());
                Socket second = new Socket("127.0.0.1", one.quorumPort())) {
            first.getOutputStream().write(info.encode());
            assertEquals(new Received("quorum", 2, info), next(1));
            second.getOutputStream().write(info.encode());
            assertEquals(new Received("down", 2, null), next(1), "the core never mixes two connections");
            assertEquals(new Received("quorum", 2, info), next(1));
            first.setSoTimeout((int) WAIT_MS);
            assertEquals(-1, first.getInputStream().read(), "the older connection is closed");
        }
    }

    /**
     * A connection to a learner's quorum port that names the learner's own leader is refused: it
     * does not replace the connection the learner opened to its leader, and nothing it sends reaches
     * the core as the leader's. (It did: the learner lost its leader and took the stranger's DIFF.)
     */
    @Test
    void aConnectionNamingTheLearnersLeaderDoesNotReplaceItsOwn() throws Exception {
        QuorumTransport leader = start(1);
        QuorumTransport learner = start(2);
        learnerConnects(leader, learner);
        try (Socket stranger = new Socket("127.0.0.1", members.get(2L).quorumPort())) {
            OutputStream out = stranger.getOutputStream();
            out.write(LearnerHandshake.followerInfo(0, new LearnerInfo(1, LearnerInfo.PROTOCOL_VERSION, 0)).encode());
            out.write(new QuorumPacket(QuorumPacketType.DIFF, 0x1_0000_0000L, null, null).encode());
            out.flush();
            stranger.setSoTimeout((int) WAIT_MS);
            assertEquals(-1, stranger.getInputStream().read(), "the stranger's connection is closed");
        }
        assertNull(inboxes.get(2L).poll(100, TimeUnit.MILLISECONDS), "the learner heard from the stranger");
        QuorumPacket ping = new QuorumPacket(QuorumPacketType.PING, 7, null, null);
        leader.sendQuorum(2, ping);
        assertEquals(new Received("quorum", 1, ping), next(2), "its own connection to the leader stays");
        QuorumPacket ack = LearnerHandshake.ackEpoch(0, 0);
        learner.sendQuorum(1, ack);
        assertEquals(new Received("quorum", 2, ack), next(1));
    }

    /**
     * A leader's first packet on a learner's connection is LEADERINFO: what the core sent before it
     * was meant for that server's earlier connection (the core had not yet heard it was replaced)
     * and is dropped, a SNAP's stream abandoned, so a learner that only just said who it is gets no
     * stale sync; from LEADERINFO on, packets flow.
     */
    @Test
    void packetsBeforeLeaderInfoOnANewConnectionAreForTheOldOneAndDropped() throws Exception {
        QuorumTransport leader = start(1);
        learnerConnects(start(2));
        PieceStream stale = new PieceStream(List.of(new byte[] {1}));
        leader.sendQuorum(List.of(new QuorumTransport.Outgoing(2, new QuorumPacket(QuorumPacketType.DIFF, 5, null, null)),
                new QuorumTransport.Outgoing(2, new QuorumPacket(QuorumPacketType.SNAP, 5, null, null), stale),
                new QuorumTransport.Outgoing(2, new QuorumPacket(QuorumPacketType.NEWLEADER, 0x100000000L, null, null))));
        QuorumPacket leaderInfo = LearnerHandshake.leaderInfo(1, LearnerInfo.PROTOCOL_VERSION);
        QuorumPacket ping = new QuorumPacket(QuorumPacketType.PING, 7, null, null);
        leader.sendQuorum(List.of(new QuorumTransport.Outgoing(2, leaderInfo), new QuorumTransport.Outgoing(2, ping)));
        assertEquals(new Received("quorum", 1, leaderInfo), next(2), "LEADERINFO first: the stale sync was dropped");
        assertEquals(new Received("quorum", 1, ping), next(2));
        assertTrue(stale.abandoned, "the stale SNAP's stream was let go");
        assertEquals(0, stale.calls);
        assertNull(inboxes.get(1L).poll(100, TimeUnit.MILLISECONDS), "the connection stays up");
    }

    @Test
    void garbageDropsOnlyThatConnection() throws Exception {
        start(1);
        QuorumTransport two = start(2);
        PeerAddress one = members.get(1L);
        // An unknown election protocol version, then a learner connection whose first packet is not FOLLOWERINFO.
        assertClosedAfterSending(one.electionPort(), new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 7, 1, 2, 3});
        assertClosedAfterSending(one.quorumPort(), new QuorumPacket(5, 0).encode());
        two.sendElection(1, vote(2, 1));
        assertEquals(new Received("election", 2, vote(2, 1)), next(1));
    }

    private static void assertClosedAfterSending(int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT_MS);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "the server closes a connection that sends garbage");
        }
    }

    @Test
    void aRestartedPeerIsReachedAgain() throws Exception {
        QuorumTransport one = start(1);
        QuorumTransport three = start(3);
        one.sendElection(3, vote(1, 1));
        assertEquals(new Received("election", 1, vote(1, 1)), next(3));
        three.close();
        started.remove(three);
        three = start(3);
        long deadline = System.currentTimeMillis() + WAIT_MS;
        Received r = null;
        while (r == null && System.currentTimeMillis() < deadline) {
            one.sendElection(3, vote(1, 2)); // the core re-sends with back-off; so does this test
            r = inboxes.get(3L).poll(200, TimeUnit.MILLISECONDS);
        }
        assertEquals(new Received("election", 1, vote(1, 2)), r);
        three.sendElection(1, vote(3, 2));
        assertEquals(new Received("election", 3, vote(3, 2)), next(1));
    }

    /**
     * A peer whose packets vanish (a machine gone, a partition) does not refuse: the connection
     * attempt hangs until {@link QuorumTransport#CONNECT_TIMEOUT_MS}. It is made on loopback by a
     * listening socket that never accepts and whose accept queue is full, so the kernel drops
     * further SYNs. Connecting is asynchronous: the notification to the live peer arrives while
     * the attempt to the silent one is still pending (no unreachable report yet), and the silent
     * one is reported unreachable once the attempt times out. (ZooKeeper's sender connects
     * synchronously and waits its connect timeout, 5 s by default, for each such peer.)
     */
    @Test
    void aPeerThatDropsEveryPacketDoesNotDelayTheOthers() throws Exception {
        PeerAddress three = members.get(3L);
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(three.host(), three.electionPort()), 1);
            assertTrue(fillAcceptQueue(silent, queued), "could not fill the accept queue of a loopback socket");
            QuorumTransport one = start(1);
            start(2);
            one.sendElection(3, vote(1, 1));
            one.sendElection(2, vote(1, 1));
            assertEquals(new Received("election", 1, vote(1, 1)), next(2));
            assertNull(unreachableReports.get(1L).poll(), "server 3's connection attempt ended before server 2 was sent to");
            Long reported = unreachableReports.get(1L).poll(QuorumTransport.CONNECT_TIMEOUT_MS + WAIT_MS,
                    TimeUnit.MILLISECONDS);
            assertEquals(3L, reported, "the silent server is reported unreachable once its attempt times out");
        } finally {
            for (Socket s : queued) {
                s.close();
            }
        }
    }

    /** Connects to {@code listener} (which never accepts) until an attempt hangs: its queue is full. */
    private static boolean fillAcceptQueue(ServerSocket listener, List<Socket> queued) throws IOException {
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(listener.getLocalSocketAddress(), 300);
                queued.add(s);
            } catch (SocketTimeoutException e) {
                s.close();
                return true;
            }
        }
        return false;
    }

    /**
     * The transport's thread is also the member's replica loop: a host name whose lookup hangs (a
     * slow or unreachable name server) must hold up neither the other peers nor that thread, however
     * often it is tried (one lookup per name at a time). When the lookup fails, the peer counts as
     * unreachable, as a refused connection does.
     */
    @Test
    void aHostNameWhoseLookupHangsHoldsUpNothingElse() throws Exception {
        members.put(4L, new PeerAddress(4, "hangs.peer.invalid", freePort(), freePort()));
        CountDownLatch answer = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger hangingLookups = new java.util.concurrent.atomic.AtomicInteger();
        QuorumTransport one = start(1, host -> {
            if (!host.equals("hangs.peer.invalid")) {
                return InetAddress.getByName(host);
            }
            hangingLookups.incrementAndGet();
            try {
                answer.await(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host);
        });
        start(2);
        try {
            one.sendElection(4, vote(1, 1)); // its lookup hangs until the latch opens
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (hangingLookups.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(1, hangingLookups.get(), "the lookup started");
            // A learner retrying that server as its leader: a new connection attempt each time.
            QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(1, LearnerInfo.PROTOCOL_VERSION, 0));
            for (int attempt = 0; attempt < 2 * QuorumTransport.LOOKUP_THREADS_MAX; attempt++) {
                one.sendQuorum(4, info);
                one.dropPeer(4);
            }
            one.sendElection(2, vote(1, 1));
            assertEquals(new Received("election", 1, vote(1, 1)), next(2));
            assertEquals(1, hangingLookups.get(), "one lookup of the hanging name at a time");
            assertTrue(one.eventLoop().submit(() -> true).get(1, TimeUnit.SECONDS),
                    "the transport's thread answers while a lookup hangs");
            assertNull(unreachableReports.get(1L).poll(100, TimeUnit.MILLISECONDS), "nothing failed yet");
        } finally {
            answer.countDown();
        }
        assertEquals(4L, unreachableReports.get(1L).poll(WAIT_MS, TimeUnit.MILLISECONDS),
                "a name that does not resolve makes its peer unreachable");
    }

    @Test
    void aPeerThatIsDownDoesNotDelayTheOthers() throws Exception {
        QuorumTransport one = start(1);
        start(2);
        // Server 3 is down (nothing listens on its ports); send to it first.
        long startNanos = System.nanoTime();
        one.sendElection(3, vote(1, 1));
        one.sendElection(2, vote(1, 1));
        assertEquals(new Received("election", 1, vote(1, 1)), next(2));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        assertTrue(tookMs < 1000, "a notification to a live peer took " + tookMs + " ms");
    }
}
