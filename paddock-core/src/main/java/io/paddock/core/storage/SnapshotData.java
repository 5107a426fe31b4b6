package io.paddock.core.storage;

import io.paddock.core.tree.NodeKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    /**
     * Why this snapshot cannot be installed as a tree and session table, or null if it can: each
     * session id once; each node's kind agreeing with its owner and TTL (an ephemeral has an owner,
     * no other kind has one; a TTL node's TTL is in (0, {@link NodeKind#TTL_MS_MAX}], no other
     * kind has one); no node under an ephemeral. A leader's snapshot is the peer's bytes: the
     * learner checks this before it drops its own state, so a bad one costs a sync, not the
     * process. (Paths and their order are checked by the decoder.)
     */
    public String installProblem() {
        Set<Long> ids = new HashSet<>();
        for (SnapshotSession s : sessions) {
            if (!ids.add(s.id())) {
                return "session 0x" + Long.toHexString(s.id()) + " twice";
            }
        }
        Set<String> ephemerals = new HashSet<>();
        for (SnapshotNode n : nodes) {
            boolean owned = n.kind() == NodeKind.EPHEMERAL;
            if (owned ? n.ephemeralOwner() == 0 : n.ephemeralOwner() != 0) {
                return n.kind() + " node " + n.path() + " with ephemeral owner 0x" + Long.toHexString(n.ephemeralOwner());
            }
            if (n.kind() == NodeKind.TTL ? n.ttlMs() <= 0 || n.ttlMs() > NodeKind.TTL_MS_MAX : n.ttlMs() != 0) {
                return n.kind() + " node " + n.path() + " with ttl " + n.ttlMs();
            }
            int slash = n.path().lastIndexOf('/');
            if (slash >= 0 && !n.path().equals("/") && ephemerals.contains(slash == 0 ? "/" : n.path().substring(0, slash))) {
                return "node " + n.path() + " under an ephemeral node";
            }
            if (owned) {
                ephemerals.add(n.path());
            }
        }
        return null;
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
