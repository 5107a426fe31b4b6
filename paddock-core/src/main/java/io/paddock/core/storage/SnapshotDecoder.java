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
    /** First size of the payload buffer; it grows only as bytes actually arrive. */
    private static final int FRAME_CHUNK_BYTES = 64 * 1024;

    private final ByteSource in;
    private final String fileName;
    private final CRC32C fileCrc = new CRC32C();
    private final PreorderCheck order = new PreorderCheck();
    private final byte[] head = new byte[SnapshotFormat.FRAME_HEADER_BYTES];
    /** The current frame's payload; see {@link #readPayload}. */
    private byte[] payload = new byte[FRAME_CHUNK_BYTES];
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
        byte[] preamble = new byte[SnapshotFormat.PREAMBLE_BYTES];
        int got = readUpTo(preamble, preamble.length);
        if (got < preamble.length) {
            throw corrupt("truncated: preamble cut after " + got + " bytes");
        }
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
        int headBytes = readUpTo(head, SnapshotFormat.FRAME_HEADER_BYTES);
        if (headBytes == 0) {
            throw corrupt("truncated: " + ifMissing);
        }
        if (headBytes < SnapshotFormat.FRAME_HEADER_BYTES) {
            throw corrupt("truncated: frame header cut after " + headBytes + " bytes");
        }
        int length = LogFormat.intAt(head, 0);
        if (length < 1 || length > SnapshotFormat.FRAME_BYTES_MAX) {
            throw corrupt("impossible frame length " + length);
        }
        int got = readPayload(length);
        if (got < length) {
            throw corrupt("truncated: frame of " + length + " bytes cut after " + got + " bytes");
        }
        if (LogFormat.intAt(head, 4) != Checksums.crc32c(payload, 0, length)) {
            throw corrupt("frame CRC mismatch");
        }
        return new JuteReader(payload, 0, length);
    }

    /**
     * Reads up to {@code length} bytes into the payload buffer, which is reused for every frame
     * (items copy what they keep) and grows only as bytes actually arrive, so a damaged length
     * field cannot make us allocate more than the file holds.
     */
    private int readPayload(int length) {
        int filled = 0;
        while (filled < length) {
            if (filled == payload.length) {
                payload = Arrays.copyOf(payload, (int) Math.min(SnapshotFormat.FRAME_BYTES_MAX, 2L * payload.length));
            }
            int n = readSome(payload, filled, Math.min(length, payload.length) - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        fileCrc.update(payload, 0, filled);
        offset += filled;
        return filled;
    }

    /** Fills {@code dst} up to {@code length}, fewer only at the end of input; returns the count. */
    private int readUpTo(byte[] dst, int length) {
        int filled = 0;
        while (filled < length) {
            int n = readSome(dst, filled, length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        fileCrc.update(dst, 0, filled);
        offset += filled;
        return filled;
    }

    private int readSome(byte[] dst, int at, int length) {
        int n = in.read(dst, at, length);
        if (n == 0) {
            throw new IllegalStateException("ByteSource read 0 bytes: it must block or report the end");
        }
        return n;
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
