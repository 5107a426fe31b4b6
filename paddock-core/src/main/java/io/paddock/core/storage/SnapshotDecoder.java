package io.paddock.core.storage;

import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.WireException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads a {@link SnapshotFormat} file frame by frame from a {@link ByteSource} and feeds a
 * {@link SnapshotSink}. Every frame's CRC is checked before any item in it reaches the sink; the
 * END frame's counts and whole-file CRC are checked last, and nothing may follow it. Any
 * truncation, damage or order violation throws {@link CorruptSnapshotException} naming the file
 * and the offset of the frame where it was found. Memory stays bounded by one frame and the depth
 * of the tree.
 */
public final class SnapshotDecoder {
    /** First allocation for a frame's payload; it grows only as bytes actually arrive. */
    private static final int FRAME_CHUNK_BYTES = 64 * 1024;

    private final ByteSource in;
    private final String fileName;
    private final CRC32C fileCrc = new CRC32C();
    private final PreorderCheck order = new PreorderCheck();
    private long offset;
    private long frameOffset;
    private int sessionCount;

    private SnapshotDecoder(ByteSource in, String fileName) {
        this.in = in;
        this.fileName = fileName;
    }

    /** Decodes the whole snapshot into {@code sink}; throws if anything about it is wrong. */
    public static SnapshotSummary decode(ByteSource in, String fileName, SnapshotSink sink)
            throws CorruptSnapshotException {
        return new SnapshotDecoder(in, fileName).run(sink);
    }

    /** Reads only the preamble and HEADER frame: which zxid a snapshot covers, without loading it. */
    public static SnapshotHeader readHeader(ByteSource in, String fileName) throws CorruptSnapshotException {
        SnapshotDecoder decoder = new SnapshotDecoder(in, fileName);
        return decoder.readHeaderFrame(decoder.readPreamble());
    }

    private SnapshotSummary run(SnapshotSink sink) throws CorruptSnapshotException {
        SnapshotHeader header = readHeaderFrame(readPreamble());
        sink.header(header);
        boolean inNodes = false;
        while (true) {
            int crcBefore = (int) fileCrc.getValue();
            JuteReader frame = readFrame("END frame missing");
            byte type = frame.readByte();
            if (type == SnapshotFormat.FRAME_SESSIONS && !inNodes) {
                readSessions(frame, sink);
            } else if (type == SnapshotFormat.FRAME_NODES) {
                inNodes = true;
                readNodes(frame, sink);
            } else if (type == SnapshotFormat.FRAME_END) {
                checkEnd(frame, crcBefore);
                return new SnapshotSummary(header, sessionCount, order.count());
            } else {
                throw corrupt("unexpected frame type " + type + (inNodes ? " after nodes" : ""));
            }
        }
    }

    private int readPreamble() throws CorruptSnapshotException {
        byte[] preamble = readExactly(SnapshotFormat.PREAMBLE_BYTES, "preamble");
        if (LogFormat.intAt(preamble, 0) != SnapshotFormat.MAGIC) {
            throw corrupt("not a paddock snapshot: bad magic 0x" + Integer.toHexString(LogFormat.intAt(preamble, 0)));
        }
        int version = LogFormat.intAt(preamble, 4);
        if (version != SnapshotFormat.VERSION) {
            throw corrupt("unsupported snapshot format version " + version);
        }
        return version;
    }

    private SnapshotHeader readHeaderFrame(int version) throws CorruptSnapshotException {
        JuteReader frame = readFrame("HEADER frame missing");
        try {
            if (frame.readByte() != SnapshotFormat.FRAME_HEADER) {
                throw corrupt("first frame is not the HEADER");
            }
            SnapshotHeader header = new SnapshotHeader(version, frame.readLong(), frame.readLong());
            requireConsumed(frame);
            return header;
        } catch (WireException e) {
            throw corrupt("bad HEADER frame: " + e.getMessage());
        }
    }

    private void readSessions(JuteReader frame, SnapshotSink sink) throws CorruptSnapshotException {
        try {
            int count = readCount(frame);
            for (int i = 0; i < count; i++) {
                sink.session(SnapshotSession.read(frame));
            }
            sessionCount += count;
            requireConsumed(frame);
        } catch (WireException e) {
            throw corrupt("bad SESSIONS frame: " + e.getMessage());
        }
    }

    private void readNodes(JuteReader frame, SnapshotSink sink) throws CorruptSnapshotException {
        SnapshotNode[] nodes;
        try {
            nodes = new SnapshotNode[readCount(frame)];
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = SnapshotNode.read(frame);
            }
            requireConsumed(frame);
        } catch (WireException e) {
            throw corrupt("bad NODES frame: " + e.getMessage());
        }
        for (SnapshotNode node : nodes) {
            String problem = order.next(node.path());
            if (problem != null) {
                throw corrupt("node order: " + problem);
            }
            sink.node(node);
        }
    }

    private void checkEnd(JuteReader frame, int crcBefore) throws CorruptSnapshotException {
        int sessions;
        int nodes;
        int crc;
        try {
            sessions = frame.readInt();
            nodes = frame.readInt();
            crc = frame.readInt();
            requireConsumed(frame);
        } catch (WireException e) {
            throw corrupt("bad END frame: " + e.getMessage());
        }
        if (sessions != sessionCount || nodes != order.count()) {
            throw corrupt("END counts " + sessions + " sessions, " + nodes + " nodes; file holds "
                    + sessionCount + " and " + order.count());
        }
        if (nodes == 0) {
            throw corrupt("snapshot holds no root node");
        }
        if (crc != crcBefore) {
            throw corrupt("whole-file CRC mismatch");
        }
        frameOffset = offset;
        if (in.read(new byte[1], 0, 1) > 0) {
            throw corrupt("data after the END frame");
        }
    }

    /** Reads one frame, checks its length and CRC, and returns a reader over its payload. */
    private JuteReader readFrame(String ifMissing) throws CorruptSnapshotException {
        frameOffset = offset;
        byte[] head = readUpTo(SnapshotFormat.FRAME_HEADER_BYTES);
        if (head.length == 0) {
            throw corrupt("truncated: " + ifMissing);
        }
        if (head.length < SnapshotFormat.FRAME_HEADER_BYTES) {
            throw corrupt("truncated: frame header cut after " + head.length + " bytes");
        }
        int length = LogFormat.intAt(head, 0);
        if (length < 1 || length > SnapshotFormat.FRAME_BYTES_MAX) {
            throw corrupt("impossible frame length " + length);
        }
        byte[] payload = readExactly(length, "frame of " + length + " bytes");
        if (LogFormat.intAt(head, 4) != Checksums.crc32c(payload, 0, length)) {
            throw corrupt("frame CRC mismatch");
        }
        return new JuteReader(payload);
    }

    private byte[] readExactly(int length, String what) throws CorruptSnapshotException {
        byte[] bytes = readUpTo(length);
        if (bytes.length < length) {
            throw corrupt("truncated: " + what + " cut after " + bytes.length + " bytes");
        }
        return bytes;
    }

    /** Up to {@code length} bytes, fewer only at the end of input; allocates as bytes arrive. */
    private byte[] readUpTo(int length) {
        byte[] buffer = new byte[Math.min(length, FRAME_CHUNK_BYTES)];
        int filled = 0;
        while (filled < length) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(length, 2L * buffer.length));
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                throw new IllegalStateException("ByteSource read 0 bytes: it must block or report the end");
            }
            filled += n;
        }
        fileCrc.update(buffer, 0, filled);
        offset += filled;
        return filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled);
    }

    private static int readCount(JuteReader frame) {
        int count = frame.readInt();
        if (count < 0 || count > frame.remaining()) {
            throw new WireException("bad item count " + count + " with " + frame.remaining() + " bytes left");
        }
        return count;
    }

    private static void requireConsumed(JuteReader frame) {
        if (frame.hasRemaining()) {
            throw new WireException(frame.remaining() + " trailing bytes");
        }
    }

    private CorruptSnapshotException corrupt(String reason) {
        return new CorruptSnapshotException(fileName, frameOffset, reason);
    }
}
