package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.session.SessionTable;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves snapshots round-trip a real DataTree and SessionTable with every stored field, that
 * encoding in small pieces, or streaming into a sink through one bounded buffer, gives the same
 * bytes as encoding at once (and the same tree always the same bytes), that the streaming
 * decoder feeds a sink in order, and that every truncation, every changed byte, trailing data and out-of-order nodes fail with CorruptSnapshotException
 * naming the file and offset.
 */
class SnapshotFormatTest {
    private static final String FILE = "snapshot.300000010";
    private static final long SESSION = 0x300000000001L;

    private static DataTree sampleTree() {
        DataTree tree = new DataTree();
        long zxid = 0x300000001L;
        tree.create("/app", "v1".getBytes(StandardCharsets.UTF_8), Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 1000);
        tree.create("/app/b", null, StorageSamples.MIXED_ACL, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 1001);
        tree.create("/app/a", new byte[0], Acl.READ_ONLY, NodeKind.EPHEMERAL, SESSION, 0, -1, zxid++, 1002);
        tree.create("/app/gone", new byte[3], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, -1, zxid++, 1003);
        tree.delete("/app/gone", zxid++);
        tree.create("/box", StorageSamples.allByteValues(), Acl.OPEN, NodeKind.CONTAINER, 0, 0, -1, zxid++, 1004);
        tree.create("/box/ünï日本", new byte[] {1}, Acl.OPEN, NodeKind.TTL, 0, 60_000, -1, zxid++, 1005);
        tree.setData("/app", new byte[700], 5, zxid++, 2000);
        tree.setAcl("/app/b", Acl.READ_ONLY, 3);
        return tree;
    }

    private static SessionTable sampleSessions() {
        SessionTable sessions = new SessionTable(2000);
        sessions.add(SESSION, 30_000, new byte[16], 0);
        sessions.add(0x300000000002L, 4_000, "pw".getBytes(StandardCharsets.UTF_8), 0);
        return sessions;
    }

    private static SnapshotSource sampleSource() {
        return TreeSnapshot.capture(sampleTree(), sampleSessions(), 0x300000010L, 1_700_000_000_000L);
    }

    private static byte[] sampleBytes() {
        return SnapshotFormat.encode(sampleSource());
    }

    @Test
    void roundTripsEveryStoredFieldOfARealTree() throws CorruptSnapshotException {
        DataTree tree = sampleTree();
        SnapshotData data = SnapshotData.decode(sampleBytes(), FILE);
        assertEquals(new SnapshotHeader(SnapshotFormat.VERSION, 0x300000010L, 1_700_000_000_000L), data.header());
        assertEquals(List.of(new SnapshotSession(SESSION, 30_000, new byte[16]),
                new SnapshotSession(0x300000000002L, 4_000, "pw".getBytes(StandardCharsets.UTF_8))), data.sessions());
        List<SnapshotNode> expected = new ArrayList<>();
        tree.forEach((path, node) -> expected.add(TreeSnapshot.nodeOf(path, node)));
        assertEquals(expected, data.nodes());
        assertEquals(tree.nodeCount(), data.nodes().size());
        SnapshotNode app = data.nodes().get(1);
        assertEquals("/app", app.path());
        assertEquals(3, app.cversion(), "stored child creations (b, a, gone)");
        assertEquals(4, tree.get("/app").stat().cversion(), "not the client cversion, which counts the delete");
        assertEquals(tree.get("/app").stat().pzxid(), app.pzxid());
        SnapshotNode ttl = data.nodes().get(5);
        assertEquals("/box/ünï日本", ttl.path());
        assertEquals(NodeKind.TTL, ttl.kind());
        assertEquals(60_000, ttl.ttlMs());
        assertEquals(-1, data.nodes().stream().filter(n -> n.path().equals("/zookeeper/config")).findFirst()
                .orElseThrow().aversion());
        assertArrayEquals(sampleBytes(), SnapshotFormat.encode(data.asSource()), "re-encoding gives the same bytes");
    }

    @Test
    void encodingInSmallPiecesGivesTheSameSnapshot() throws CorruptSnapshotException {
        SnapshotData atOnce = SnapshotData.decode(sampleBytes(), FILE);
        for (int maxItems : new int[] {1, 2, 3, 4, SnapshotFormat.ITEMS_PER_FRAME_DEFAULT}) {
            SnapshotEncoder encoder = new SnapshotEncoder(sampleSource());
            List<byte[]> pieces = new ArrayList<>();
            boolean done = false;
            while (!done) {
                JuteWriter piece = new JuteWriter();
                done = encoder.writeNext(piece, maxItems);
                pieces.add(piece.toByteArray());
            }
            byte[] joined = StorageSamples.concat(pieces.toArray(new byte[0][]));
            assertEquals(atOnce, SnapshotData.decode(joined, FILE), "maxItems " + maxItems);
            if (maxItems == SnapshotFormat.ITEMS_PER_FRAME_DEFAULT) {
                assertArrayEquals(sampleBytes(), joined, "same frames, same bytes");
            }
            assertEquals(sampleTree().nodeCount(), encoder.nodesWritten());
            assertEquals(2, encoder.sessionsWritten());
            assertTrue(pieces.size() >= 2 + (sampleTree().nodeCount() + maxItems - 1) / maxItems, "one bounded frame per call");
            SnapshotEncoder finished = encoder;
            assertThrows(IllegalStateException.class, () -> finished.writeNext(new JuteWriter(), 1));
        }
    }

    @Test
    void streamingIntoASinkGivesTheSameBytesInBoundedPieces() throws CorruptSnapshotException {
        List<SnapshotNode> nodes = new ArrayList<>(List.of(node("/")));
        for (int i = 0; i < 20_000; i++) {
            nodes.add(bigNode(String.format("/n-%06d", i), new byte[64]));
        }
        SnapshotSource source = new ListSnapshotSource(9, 9, List.of(), nodes);
        byte[] atOnce = SnapshotFormat.encode(source);
        List<byte[]> pieces = new ArrayList<>();
        byte[][] lastArray = new byte[1][];
        SnapshotFormat.encode(source, (bytes, offset, length) -> {
            assertTrue(length <= SnapshotFormat.SINK_PIECE_BYTES + SnapshotFormat.FRAME_BYTES_TARGET + 1024,
                    "piece of " + length + " bytes");
            assertTrue(lastArray[0] == null || lastArray[0] == bytes, "one buffer, reused");
            lastArray[0] = bytes;
            pieces.add(Arrays.copyOfRange(bytes, offset, offset + length));
        });
        assertTrue(pieces.size() > 3, "handed over in pieces: " + pieces.size());
        assertArrayEquals(atOnce, StorageSamples.concat(pieces.toArray(new byte[0][])));
        assertEquals(nodes, SnapshotData.decode(atOnce, FILE).nodes());
        assertArrayEquals(sampleBytes(), streamed(sampleSource()), "a small tree: one piece, same bytes");
    }

    private static byte[] streamed(SnapshotSource source) {
        List<byte[]> pieces = new ArrayList<>();
        SnapshotFormat.encode(source, (bytes, offset, length) -> pieces.add(Arrays.copyOfRange(bytes, offset, offset + length)));
        return StorageSamples.concat(pieces.toArray(new byte[0][]));
    }

    @Test
    void framesCloseOnceTheyReachTheByteTarget() throws CorruptSnapshotException {
        byte[] big = new byte[600 * 1024];
        List<SnapshotNode> nodes = List.of(node("/"), bigNode("/a", big), bigNode("/b", big), bigNode("/c", big));
        SnapshotEncoder encoder = new SnapshotEncoder(new ListSnapshotSource(1, 1, List.of(), nodes));
        JuteWriter out = new JuteWriter();
        int calls = 0;
        while (!encoder.writeNext(out, 100)) {
            calls++;
        }
        assertEquals(2, calls, "header; then root, /a, /b (over 1 MiB); then /c and END");
        assertEquals(nodes, SnapshotData.decode(out.toByteArray(), FILE).nodes());
    }

    private static SnapshotNode bigNode(String path, byte[] data) {
        return new SnapshotNode(path, data, Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1);
    }

    @Test
    void streamsIntoASinkInOrderFromSmallReads() throws CorruptSnapshotException {
        byte[] bytes = sampleBytes();
        ByteSource whole = ByteSource.of(bytes);
        ByteSource trickle = (dst, offset, length) -> whole.read(dst, offset, Math.min(length, 7));
        List<String> calls = new ArrayList<>();
        SnapshotSummary summary = SnapshotDecoder.decode(trickle, FILE, new SnapshotSink() {
            @Override
            public void header(SnapshotHeader header) {
                calls.add("header");
            }

            @Override
            public void session(SnapshotSession session) {
                calls.add("session");
            }

            @Override
            public void node(SnapshotNode node) {
                calls.add(node.path());
            }
        });
        assertEquals(List.of("header", "session", "session", "/", "/app", "/app/a", "/app/b", "/box", "/box/ünï日本",
                "/zookeeper", "/zookeeper/config", "/zookeeper/quota"), calls);
        assertEquals(new SnapshotSummary(new SnapshotHeader(1, 0x300000010L, 1_700_000_000_000L), 2, 9), summary);
        assertEquals(0x300000010L, SnapshotDecoder.readHeader(ByteSource.of(bytes), FILE).lastZxid());
    }

    @Test
    void everyTruncationIsReported() {
        byte[] bytes = sampleBytes();
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                    () -> SnapshotData.decode(truncated, FILE), "cut at " + cut);
            assertEquals(FILE, e.fileName());
            assertTrue(e.reason().startsWith("truncated"), e.getMessage());
            assertTrue(e.offset() <= cut, e.getMessage());
        }
    }

    @Test
    void everyChangedByteIsReported() {
        byte[] bytes = sampleBytes();
        for (int i = 0; i < bytes.length; i++) {
            byte[] damaged = bytes.clone();
            damaged[i] ^= (byte) (1 << (i % 8));
            int at = i;
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                    () -> SnapshotData.decode(damaged, FILE), () -> "flip at " + at);
            assertTrue(e.offset() <= i, e.getMessage());
            assertTrue(e.getMessage().contains(FILE) && e.getMessage().contains("offset " + e.offset()), e.getMessage());
        }
    }

    @Test
    void trailingDataAndOtherVersionsAreReported() {
        byte[] trailing = StorageSamples.concat(sampleBytes(), new byte[1]);
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> SnapshotData.decode(trailing, FILE));
        assertTrue(e.reason().contains("after the END"), e.getMessage());
        byte[] version2 = sampleBytes();
        version2[7] = 2;
        e = assertThrows(CorruptSnapshotException.class, () -> SnapshotData.decode(version2, FILE));
        assertTrue(e.reason().contains("version 2"), e.getMessage());
    }

    @Test
    void nodesOutOfOrderAreReportedEvenWithGoodChecksums() {
        SnapshotNode root = node("/");
        List<List<SnapshotNode>> bad = List.of(
                List.of(node("/a")),
                List.of(root, node("/a/b")),
                List.of(root, node("/b"), node("/a")),
                List.of(root, node("/a"), node("/a")),
                List.of(root, node("/a/")),
                List.of());
        for (List<SnapshotNode> nodes : bad) {
            byte[] bytes = handMade(nodes);
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                    () -> SnapshotData.decode(bytes, FILE), nodes::toString);
            assertTrue(e.offset() > 0, e.getMessage());
        }
    }

    @Test
    void theEncoderRefusesASourceOutOfOrder() {
        SnapshotSource childFirst = new ListSnapshotSource(1, 1, List.of(), List.of(node("/"), node("/a/b"), node("/a")));
        assertThrows(IllegalStateException.class, () -> SnapshotFormat.encode(childFirst));
        SnapshotSource empty = new ListSnapshotSource(1, 1, List.of(), List.of());
        assertThrows(IllegalStateException.class, () -> SnapshotFormat.encode(empty));
    }

    private static SnapshotNode node(String path) {
        return new SnapshotNode(path, new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1);
    }

    /** A snapshot written frame by frame without the encoder's checks, all checksums right. */
    private static byte[] handMade(List<SnapshotNode> nodes) {
        JuteWriter out = new JuteWriter();
        out.writeInt(SnapshotFormat.MAGIC).writeInt(SnapshotFormat.VERSION);
        frame(out, new JuteWriter().writeByte(SnapshotFormat.FRAME_HEADER).writeLong(1).writeLong(1));
        JuteWriter body = new JuteWriter().writeByte(SnapshotFormat.FRAME_NODES).writeInt(nodes.size());
        nodes.forEach(n -> n.write(body));
        frame(out, body);
        int crc = Checksums.crc32c(out.array(), 0, out.size());
        frame(out, new JuteWriter().writeByte(SnapshotFormat.FRAME_END).writeInt(0).writeInt(nodes.size()).writeInt(crc));
        return out.toByteArray();
    }

    private static void frame(JuteWriter out, JuteWriter payload) {
        out.writeInt(payload.size()).writeInt(Checksums.crc32c(payload.array(), 0, payload.size()));
        out.writeRaw(payload.array(), 0, payload.size());
    }
}
