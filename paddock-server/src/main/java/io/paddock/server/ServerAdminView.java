package io.paddock.server;

import io.paddock.core.zab.ElectionText;
import java.util.LinkedHashMap;
import java.util.TreeSet;
import io.paddock.core.Replica;
import io.paddock.core.election.ServerState;
import io.paddock.core.session.Session;
import io.paddock.server.admin.AdminView;
import io.paddock.server.admin.ConnectionInfo;
import io.paddock.server.admin.LatencyStats;
import io.paddock.server.admin.SessionExpiryBucket;
import io.paddock.server.quorum.PeerShell;
import io.paddock.server.net.LatencyRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The four-letter words' view of a running server. It reads the core directly, so it must only
 * be used on the loop thread (the transport runs the words there).
 */
final class ServerAdminView implements AdminView {
    private final PaddockServer server;

    ServerAdminView(PaddockServer server) {
        this.server = server;
    }

    private Replica core() {
        return server.replica();
    }

    @Override
    public boolean isServing() {
        var peer = server.peer();
        return peer == null || peer.status().established();
    }

    /** A leader's {@code Proposal sizes last/min/max:}, -1/-1/-1 before its first proposal (ZooKeeper's BufferStats). */
    @Override
    public String proposalSizes() {
        var peer = server.peer();
        var leader = peer == null ? null : peer.status().leader();
        return leader == null ? null : leader.proposalSizes();
    }

    @Override
    public long serverId() {
        return server.myId();
    }

    /** QuorumZooKeeperServer.dumpConf's lines after serverId; null when standalone. */
    @Override
    public String quorumConf() {
        ServerConfig config = server.config();
        if (server.peer() == null) {
            return null;
        }
        QuorumServer me = config.servers().stream().filter(q -> q.id() == server.myId()).findFirst().orElseThrow();
        return "initLimit=" + config.initLimit() + "\n"
                + "syncLimit=" + config.syncLimit() + "\n"
                + "electionAlg=3\n" // fast leader election, the only one ZooKeeper 3.9 has
                + "electionPort=" + me.electionPort() + "\n"
                + "quorumPort=" + me.quorumPort() + "\n"
                + "peerType=" + (me.observer() ? 1 : 0) + "\n" // LearnerType's ordinal
                + "membership: \n"
                + config.membershipText();
    }

    @Override
    public String serverState() {
        var peer = server.peer();
        return peer == null ? "standalone" : peer.status().mode();
    }

    /**
     * The last applied zxid; on a leader established in epoch e that has applied nothing of e yet,
     * e:0, as ZooKeeper's leader says once established (tools read the epoch from srvr's Zxid).
     */
    @Override
    public long lastProcessedZxid() {
        long applied = core().lastAppliedZxid();
        var peer = server.peer();
        if (peer != null) {
            PeerShell.Status st = peer.status();
            if (st.state() == ServerState.LEADING && st.established()) {
                return Math.max(applied, st.establishedEpoch() << 32);
            }
        }
        return applied;
    }

    @Override
    public long nodeCount() {
        return core().tree().reportedNodeCount();
    }

    @Override
    public long watchCount() {
        return core().tree().watches().watchCount();
    }

    @Override
    public long ephemeralsCount() {
        return core().tree().ephemeralCount();
    }

    @Override
    public long approximateDataSize() {
        return core().tree().approximateDataSize();
    }

    @Override
    public long sessionCount() {
        return core().sessions().size();
    }

    @Override
    public long packetsReceived() {
        return server.connections().packetsReceived();
    }

    @Override
    public long packetsSent() {
        return server.connections().packetsSent();
    }

    @Override
    public long outstandingRequests() {
        return server.connections().outstandingRequests();
    }

    @Override
    public int aliveConnectionCount() {
        return server.connections().size();
    }

    @Override
    public LatencyStats latency() {
        LatencyRecorder r = server.connections().latency();
        return new LatencyStats(r.count(), r.totalMs(), r.minMs(), r.maxMs());
    }

    @Override
    public long uptimeMs() {
        // ZooKeeper's zk_uptime: since this server's current role began (each role has its own
        // server and stats); a standalone server's since it started.
        var peer = server.peer();
        long roleSince = peer == null ? -1 : peer.status().roleSinceMs();
        return roleSince < 0 ? server.uptimeMs() : System.nanoTime() / 1_000_000 - roleSince;
    }

    @Override
    public int boundClientPort() {
        return server.servesClientPort() ? server.clientPort() : -1;
    }

    @Override
    public int boundSecureClientPort() {
        return server.servesSecureClientPort() ? server.secureClientPort() : -1;
    }

    @Override
    public long dataDirSizeBytes() {
        return sizeOf(server.config().dataDir());
    }

    @Override
    public long logDirSizeBytes() {
        return sizeOf(server.config().dataLogDir());
    }

    private static long sizeOf(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public List<ConnectionInfo> connections() {
        return server.connections().describe(core()::sessionIdOf, core()::sessionTimeoutOf);
    }

    @Override
    public SortedMap<Long, SortedSet<String>> dataWatchesBySession() {
        SortedMap<Long, SortedSet<String>> out = new TreeMap<>();
        core().tree().watches().pathsByWatcher().forEach((connId, paths) ->
                out.computeIfAbsent(core().sessionIdOf(connId), k -> new TreeSet<>(AdminView.PATH_ORDER)).addAll(paths));
        return out;
    }

    @Override
    public List<SessionExpiryBucket> sessionExpiryBuckets() {
        TreeMap<Long, List<Long>> buckets = new TreeMap<>();
        for (Session s : core().sessions().all()) {
            buckets.computeIfAbsent(s.expiresAtMs(), k -> new ArrayList<>()).add(s.id());
        }
        List<SessionExpiryBucket> out = new ArrayList<>();
        for (Map.Entry<Long, List<Long>> e : buckets.entrySet()) {
            e.getValue().sort(null);
            out.add(new SessionExpiryBucket(e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public SortedMap<Long, Integer> sessionTimeouts() {
        SortedMap<Long, Integer> out = new TreeMap<>();
        for (Session s : core().sessions().all()) {
            out.put(s.id(), s.timeoutMs());
        }
        return out;
    }

    @Override
    public SortedMap<Long, SortedSet<String>> ephemeralsBySession() {
        return core().tree().ephemeralsBySession();
    }

    @Override
    public String electionHistory() {
        var peer = server.peer();
        return peer == null ? ElectionText.STANDALONE : peer.electionTable();
    }

    @Override
    public SortedMap<Long, Long> digestLog() {
        return core().digestLog().entries();
    }

    /**
     * mntr lines beyond the common ones (zk_ is prefixed by the formatter): ZooKeeper's
     * digest_mismatches_count and a quorum peer's gauges, then Paddock's own (the log's group commit).
     */
    @Override
    public Map<String, Object> extraMonitorValues() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("digest_mismatches_count", core().digestMismatches());
        var peer = server.peer();
        if (peer != null) {
            // QuorumZooKeeperServer's peer_state, then the leader's gauges as ZooKeeper 3.9 names them.
            var status = peer.status();
            values.put("peer_state", status.peerState());
            values.put("quorum_size", status.quorumSize());
            if (status.state() == ServerState.OBSERVING) {
                // ObserverZooKeeperServer's: the server it observes through (the leader here; -1 before one).
                values.put("observer_master_id", status.leaderSid());
            }
            var leader = status.leader();
            if (leader != null) {
                values.put("learners", leader.learners());
                values.put("synced_followers", leader.syncedFollowers());
                values.put("synced_non_voting_followers", 0);
                values.put("synced_observers", leader.syncedObservers());
                values.put("pending_syncs", leader.pendingSyncs());
                values.put("leader_uptime", leader.uptimeMs(System.nanoTime() / 1_000_000));
                values.put("last_proposal_size", leader.lastProposalSize());
                values.put("min_proposal_size", leader.minProposalSize());
                values.put("max_proposal_size", leader.maxProposalSize());
            }
            values.put("paddock_current_epoch", status.currentEpoch());
            values.put("paddock_accepted_epoch", status.acceptedEpoch());
            // A follower's requests sent again to a new leader instead of closing their connections.
            values.put("paddock_requests_resent", core().requestsResent());
            values.put("paddock_connections_closed_in_flight", core().closedInFlight());
        }
        var log = server.fileLog();
        if (log == null) {
            return values;
        }
        values.put("paddock_log_records_written", log.recordsWritten());
        values.put("paddock_log_sync_count", log.syncCount());
        values.put("paddock_log_sync_time_ms", log.syncTimeMs());
        return values;
    }

    @Override
    public void resetServerStats() {
        server.connections().latency().reset();
        server.connections().resetCounters();
        var peer = server.peer();
        var core = core().peer();
        if (peer != null && core != null && core.role() instanceof io.paddock.core.zab.LeaderRole leader) {
            leader.resetProposalSizes(); // as ZooKeeper's srst does on a leader
            peer.refreshStatus(core);
        }
    }

    @Override
    public void resetConnectionStats() {
        server.connections().resetConnectionCounters();
    }
}
