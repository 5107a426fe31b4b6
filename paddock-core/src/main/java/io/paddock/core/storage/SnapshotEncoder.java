package io.paddock.core.storage;

import io.paddock.core.wire.JuteWriter;
import java.util.Iterator;
import java.util.zip.CRC32C;

/**
 * Encodes one {@link SnapshotSource} into the {@link SnapshotFormat} in bounded pieces: each
 * {@link #writeNext} appends at most one frame of sessions or nodes (plus the preamble and header
 * the first time, and the END frame the last time). The pieces, concatenated in order, are the
 * file. Not thread-safe; one encoder per snapshot.
 */
public final class SnapshotEncoder {
    private final SnapshotSource source;
    private final Iterator<SnapshotSession> sessions;
    private final Iterator<SnapshotNode> nodes;
    private final PreorderCheck order = new PreorderCheck();
    private final CRC32C fileCrc = new CRC32C();
    private boolean started;
    private boolean done;
    private int sessionCount;

    public SnapshotEncoder(SnapshotSource source) {
        this.source = source;
        this.sessions = source.sessions();
        this.nodes = source.nodes();
    }

    /**
     * Appends the next piece to {@code out}, holding at most {@code maxItems} sessions or nodes.
     * Returns true once the END frame has been written; calling again after that is an error.
     */
    public boolean writeNext(JuteWriter out, int maxItems) {
        if (done) {
            throw new IllegalStateException("snapshot already complete");
        }
        if (maxItems <= 0) {
            throw new IllegalArgumentException("maxItems must be positive: " + maxItems);
        }
        int start = out.size();
        if (!started) {
            started = true;
            out.writeInt(SnapshotFormat.MAGIC).writeInt(SnapshotFormat.VERSION);
            int frame = beginFrame(out, SnapshotFormat.FRAME_HEADER);
            out.writeLong(source.lastZxid()).writeLong(source.timeMs());
            endFrame(out, frame);
        } else if (sessions.hasNext()) {
            writeSessions(out, maxItems);
        } else if (nodes.hasNext()) {
            writeNodes(out, maxItems);
        }
        fileCrc.update(out.array(), start, out.size() - start);
        if (started && !sessions.hasNext() && !nodes.hasNext()) {
            writeEnd(out);
            done = true;
        }
        return done;
    }

    public boolean done() {
        return done;
    }

    public int nodesWritten() {
        return order.count();
    }

    public int sessionsWritten() {
        return sessionCount;
    }

    private void writeSessions(JuteWriter out, int maxItems) {
        int frame = beginFrame(out, SnapshotFormat.FRAME_SESSIONS);
        int countAt = out.size();
        out.writeInt(0);
        int count = 0;
        while (count < maxItems && sessions.hasNext() && !full(out, frame)) {
            sessions.next().write(out);
            count++;
        }
        out.putInt(countAt, count);
        sessionCount += count;
        endFrame(out, frame);
    }

    private void writeNodes(JuteWriter out, int maxItems) {
        if (order.count() == 0) {
            requireNoMoreSessions();
        }
        int frame = beginFrame(out, SnapshotFormat.FRAME_NODES);
        int countAt = out.size();
        out.writeInt(0);
        int count = 0;
        while (count < maxItems && nodes.hasNext() && !full(out, frame)) {
            SnapshotNode node = nodes.next();
            String problem = order.next(node.path());
            if (problem != null) {
                throw new IllegalStateException("snapshot source out of order: " + problem);
            }
            node.write(out);
            count++;
        }
        out.putInt(countAt, count);
        endFrame(out, frame);
    }

    private void requireNoMoreSessions() {
        if (sessions.hasNext()) {
            throw new IllegalStateException("sessions must all come before nodes");
        }
    }

    private void writeEnd(JuteWriter out) {
        if (order.count() == 0) {
            throw new IllegalStateException("snapshot source has no nodes, not even the root");
        }
        int crcBeforeEnd = (int) fileCrc.getValue();
        int frame = beginFrame(out, SnapshotFormat.FRAME_END);
        out.writeInt(sessionCount).writeInt(order.count()).writeInt(crcBeforeEnd);
        endFrame(out, frame);
    }

    private static boolean full(JuteWriter out, int frame) {
        return out.size() - frame - SnapshotFormat.FRAME_HEADER_BYTES >= SnapshotFormat.FRAME_BYTES_TARGET;
    }

    /** Writes a placeholder frame header and the type byte; returns where the frame starts. */
    private static int beginFrame(JuteWriter out, byte type) {
        int frame = out.size();
        out.writeInt(0).writeInt(0).writeByte(type);
        return frame;
    }

    private static void endFrame(JuteWriter out, int frame) {
        int payloadStart = frame + SnapshotFormat.FRAME_HEADER_BYTES;
        int length = out.size() - payloadStart;
        if (length > SnapshotFormat.FRAME_BYTES_MAX) {
            throw new IllegalStateException("snapshot frame of " + length + " bytes exceeds "
                    + SnapshotFormat.FRAME_BYTES_MAX);
        }
        out.putInt(frame, length);
        out.putInt(frame + 4, Checksums.crc32c(out.array(), payloadStart, length));
    }
}
