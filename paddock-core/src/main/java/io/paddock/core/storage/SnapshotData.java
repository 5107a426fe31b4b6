package io.paddock.core.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole snapshot decoded into memory: for tests, the simulator, the dump tool and small trees.
 * The server rebuilds a large tree through a {@link SnapshotSink} instead.
 */
public record SnapshotData(String fileName, SnapshotHeader header, List<SnapshotSession> sessions,
                           List<SnapshotNode> nodes) {
    public SnapshotData {
        sessions = List.copyOf(sessions);
        nodes = List.copyOf(nodes);
    }

    public static SnapshotData decode(byte[] fileBytes, String fileName) throws CorruptSnapshotException {
        Collector collector = new Collector();
        SnapshotSummary summary = SnapshotDecoder.decode(ByteSource.of(fileBytes), fileName, collector);
        return new SnapshotData(fileName, summary.header(), collector.sessions, collector.nodes);
    }

    /** A source that replays this data, e.g. to write it again. */
    public SnapshotSource asSource() {
        return new ListSnapshotSource(header.lastZxid(), header.timeMs(), sessions, nodes);
    }

    private static final class Collector implements SnapshotSink {
        final List<SnapshotSession> sessions = new ArrayList<>();
        final List<SnapshotNode> nodes = new ArrayList<>();

        @Override
        public void header(SnapshotHeader header) {
            // SnapshotSummary carries it once the decode is verified
        }

        @Override
        public void session(SnapshotSession session) {
            sessions.add(session);
        }

        @Override
        public void node(SnapshotNode node) {
            nodes.add(node);
        }
    }
}
