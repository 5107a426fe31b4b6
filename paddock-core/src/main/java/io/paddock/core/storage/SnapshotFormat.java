package io.paddock.core.storage;

import io.paddock.core.wire.JuteWriter;

/**
 * The snapshot file format (ours, not ZooKeeper's). All integers are big-endian.
 *
 * <pre>
 * preamble (8 bytes): magic "PDKS" | version int
 * frames, repeated:   length int | crc int (CRC32C of the payload) | payload (length bytes)
 * payload:            type byte | body
 *   HEADER   (1)  lastZxid long | timeMs long                        exactly once, first
 *   SESSIONS (2)  count int | count x (id long | timeoutMs int | passwd buffer)
 *   NODES    (3)  count int | count x node (see {@link SnapshotNode}: path, data, acl, kind,
 *                 ephemeralOwner, ttlMs, czxid, mzxid, ctime, mtime, version, cversion, aversion, pzxid)
 *   END      (4)  sessionCount int | nodeCount int | fileCrc int     exactly once, last
 *                 (fileCrc = CRC32C of every byte of the file before the END frame)
 * </pre>
 * Frames come as HEADER, SESSIONS*, NODES+, END and nothing follows END. Nodes are depth-first,
 * root first, siblings in ascending name order, so a reader rebuilds parent-first and the same
 * tree always gives the same bytes. The per-frame CRC lets a streaming reader hand out items
 * only from verified frames; the END frame proves the file is complete.
 *
 * <p><b>Taking a snapshot without stopping writes.</b> No fuzzy snapshot: a snapshot is exactly
 * the state after {@code lastZxid}, so recovery is "load snapshot, replay log records with
 * larger zxids", never "replay over a half-changed tree". The server reads the state out with
 * {@link TreeCapture}, copy-on-write per node: the loop records the nodes as references at the
 * snapshot's zxid, a writer thread asks it for a few thousand records at a time, and a node whose
 * fields are about to change before it was read out is copied first (the tree's ChangeGuard).
 * Data arrays and ACL lists are shared, never copied: the tree replaces them on change and never
 * writes into them. {@link TreeSnapshot#capture} is the eager form (one record per node at once),
 * kept for tests and tools. Either way the {@link SnapshotSource} is encoded by {@link
 * SnapshotEncoder} in bounded pieces while new transactions keep being applied to the live tree.
 */
public final class SnapshotFormat {
    /** "PDKS" as a big-endian int. */
    public static final int MAGIC = 0x50444B53;
    public static final int VERSION = 1;
    public static final int PREAMBLE_BYTES = 8;
    public static final int FRAME_HEADER_BYTES = 8;
    /** The encoder closes a frame once its payload reaches this size (one item may overshoot it). */
    public static final int FRAME_BYTES_TARGET = 1024 * 1024;
    /** The largest frame payload accepted: a frame holding one node bigger than this cannot be written. */
    public static final int FRAME_BYTES_MAX = 256 * 1024 * 1024;
    /** Items per frame when encoding in one go. */
    public static final int ITEMS_PER_FRAME_DEFAULT = 4096;

    static final byte FRAME_HEADER = 1;
    static final byte FRAME_SESSIONS = 2;
    static final byte FRAME_NODES = 3;
    static final byte FRAME_END = 4;

    /**
     * The streaming encoder hands its buffer to the sink once it holds this much (it holds at
     * most one frame more: frames are written whole, since their header carries their CRC).
     */
    static final int SINK_PIECE_BYTES = 256 * 1024;
    /** The piece buffer's size: a piece just under the hand-over size plus one frame at the byte target fit. */
    static final int PIECE_BUFFER_BYTES = SINK_PIECE_BYTES + FRAME_BYTES_TARGET + 64 * 1024;

    private SnapshotFormat() {}

    /** Encodes a whole snapshot at once (tests, the simulator, small trees). */
    public static byte[] encode(SnapshotSource source) {
        JuteWriter out = new JuteWriter(4096);
        SnapshotEncoder encoder = new SnapshotEncoder(source);
        while (!encoder.writeNext(out, ITEMS_PER_FRAME_DEFAULT)) {
            // each call appends one bounded frame
        }
        return out.toByteArray();
    }

    /**
     * Encodes a whole snapshot into {@code sink}, the same bytes as {@link #encode(SnapshotSource)},
     * holding at most about one frame in memory: one buffer, reused for every piece.
     */
    public static void encode(SnapshotSource source, ByteSink sink) {
        JuteWriter out = new JuteWriter(PIECE_BUFFER_BYTES);
        SnapshotEncoder encoder = new SnapshotEncoder(source);
        boolean done = false;
        while (!done) {
            done = encoder.writeNext(out, ITEMS_PER_FRAME_DEFAULT);
            if (done || out.size() >= SINK_PIECE_BYTES) {
                sink.write(out.array(), 0, out.size());
                out.reset(PIECE_BUFFER_BYTES);
            }
        }
    }
}
