package io.paddock.server.admin;

import io.paddock.server.ServerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The texts of the four-letter words, line for line as ZooKeeper 3.9 prints them. */
final class WordTexts {
    private WordTexts() {}

    /** {@code srvr} (no client list) and {@code stat} (with it); ZooKeeper's StatCommand. */
    static String stat(AdminView view, boolean withClients) {
        StringBuilder out = new StringBuilder();
        out.append("Zookeeper version: ").append(PaddockVersion.fullVersion()).append('\n');
        if (withClients) {
            out.append("Clients:\n");
            for (ConnectionInfo c : view.connections()) {
                c.appendTo(out, true);
                out.append('\n');
            }
            out.append('\n');
        }
        LatencyStats latency = view.latency();
        out.append("Latency min/avg/max: ").append(latency.minMs()).append('/')
            .append(latency.avgMs()).append('/').append(latency.maxMs()).append('\n');
        out.append("Received: ").append(view.packetsReceived()).append('\n');
        out.append("Sent: ").append(view.packetsSent()).append('\n');
        out.append("Connections: ").append(view.aliveConnectionCount()).append('\n');
        out.append("Outstanding: ").append(view.outstandingRequests()).append('\n');
        out.append("Zxid: 0x").append(Long.toHexString(view.lastProcessedZxid())).append('\n');
        out.append("Mode: ").append(view.serverState()).append('\n');
        out.append("Node count: ").append(view.nodeCount()).append('\n');
        String proposalSizes = view.proposalSizes();
        if (proposalSizes != null) {
            out.append("Proposal sizes last/min/max: ").append(proposalSizes).append('\n');
        }
        return out.toString();
    }

    /** {@code cons}: every connection in full, one per line, then an empty line. */
    static String cons(AdminView view) {
        StringBuilder out = new StringBuilder();
        for (ConnectionInfo c : view.connections()) {
            c.appendTo(out, false);
            out.append('\n');
        }
        return out.append('\n').toString();
    }

    /**
     * {@code conf}: ZooKeeperServer.dumpConf's keys, with the bound port and live disk sizes; on an
     * ensemble member, QuorumZooKeeperServer's lines after them.
     */
    static String conf(ServerConfig config, AdminView view) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : config.asMap().entrySet()) {
            lines.put(e.getKey(), e.getValue());
            if (e.getKey().equals("dataDir")) {
                lines.put("dataDirSize", String.valueOf(view.dataDirSizeBytes()));
            } else if (e.getKey().equals("dataLogDir")) {
                lines.put("dataLogSize", String.valueOf(view.logDirSizeBytes()));
            }
        }
        lines.put("clientPort", String.valueOf(view.boundClientPort()));
        lines.put("secureClientPort", String.valueOf(view.boundSecureClientPort()));
        lines.put("serverId", String.valueOf(view.serverId()));
        StringBuilder out = new StringBuilder();
        lines.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        String quorum = view.quorumConf();
        return quorum == null ? out.toString() : out.append(quorum).toString();
    }

    /** {@code mntr}: tab-separated {@code zk_*} lines; integers as integers, other numbers as doubles. */
    static String mntr(AdminView view) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("version", PaddockVersion.fullVersion());
        values.put("server_state", view.serverState());
        LatencyStats latency = view.latency();
        values.put("avg_latency", latency.avgMs());
        values.put("max_latency", latency.maxMs());
        values.put("min_latency", latency.minMs());
        values.put("packets_received", view.packetsReceived());
        values.put("packets_sent", view.packetsSent());
        values.put("num_alive_connections", view.aliveConnectionCount());
        values.put("outstanding_requests", view.outstandingRequests());
        values.put("uptime", view.uptimeMs());
        values.put("znode_count", view.nodeCount());
        values.put("watch_count", view.watchCount());
        values.put("ephemerals_count", view.ephemeralsCount());
        values.put("approximate_data_size", view.approximateDataSize());
        values.put("global_sessions", view.sessionCount());
        values.put("local_sessions", 0L);
        putIfKnown(values, "open_file_descriptor_count", view.openFileDescriptorCount());
        putIfKnown(values, "max_file_descriptor_count", view.maxFileDescriptorCount());
        values.putAll(view.extraMonitorValues());
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> out.append("zk_").append(k).append('\t').append(monitorValue(v)).append('\n'));
        return out.toString();
    }

    private static void putIfKnown(Map<String, Object> values, String key, long value) {
        if (value >= 0) {
            values.put(key, value);
        }
    }

    /** As ZooKeeper's MonitorCommand: Long/Integer plain, other numbers via doubleValue(). */
    private static String monitorValue(Object v) {
        if (v == null || v instanceof Long || v instanceof Integer) {
            return String.valueOf(v);
        }
        if (v instanceof Number n) {
            return String.valueOf(n.doubleValue());
        }
        return v.toString();
    }

    /** {@code wchs}: WatchManager.toString, then a newline. */
    static String watchSummary(AdminView view) {
        SortedMap<Long, SortedSet<String>> bySession = view.dataWatchesBySession();
        SortedSet<String> paths = new TreeSet<>(AdminView.PATH_ORDER);
        long total = 0;
        for (SortedSet<String> p : bySession.values()) {
            paths.addAll(p);
            total += p.size();
        }
        return bySession.size() + " connections watching " + paths.size() + " paths\n"
            + "Total watches:" + total + "\n";
    }

    /** {@code wchc}: each session, then its paths indented by a tab. */
    static String watchesBySession(AdminView view) {
        StringBuilder out = new StringBuilder();
        view.dataWatchesBySession().forEach((sessionId, paths) -> {
            out.append("0x").append(Long.toHexString(sessionId)).append('\n');
            paths.forEach(path -> out.append('\t').append(path).append('\n'));
        });
        return out.append('\n').toString();
    }

    /** {@code wchp}: each path, then the sessions watching it indented by a tab. */
    static String watchesByPath(AdminView view) {
        SortedMap<String, SortedSet<Long>> byPath = new TreeMap<>(AdminView.PATH_ORDER);
        view.dataWatchesBySession().forEach((sessionId, paths) ->
            paths.forEach(path -> byPath.computeIfAbsent(path, p -> new TreeSet<>()).add(sessionId)));
        StringBuilder out = new StringBuilder();
        byPath.forEach((path, sessions) -> {
            out.append(path).append('\n');
            sessions.forEach(id -> out.append("\t0x").append(Long.toHexString(id)).append('\n'));
        });
        return out.append('\n').toString();
    }

    /**
     * {@code dump}: session expiry buckets (a follower's or observer's: every session with its
     * timeout, as ZooKeeper's LearnerSessionTracker prints them, since the leader expires them),
     * then ephemerals by session. The "Connections dump:" section stays empty, as with ZooKeeper's
     * Netty server (only its NIO server fills it).
     */
    static String dump(AdminView view) {
        StringBuilder out = new StringBuilder("SessionTracker dump:\n");
        if (view.serverState().equals("follower") || view.serverState().equals("observer")) {
            SortedMap<Long, Integer> timeouts = view.sessionTimeouts();
            out.append("Global Sessions(").append(timeouts.size()).append("):\n");
            timeouts.forEach((id, timeoutMs) -> out.append("0x").append(Long.toHexString(id)).append('\t')
                .append(timeoutMs).append("ms\n"));
        } else {
            long sessions = view.sessionExpiryBuckets().stream().mapToLong(b -> b.sessionIds().size()).sum();
            out.append("Session Sets (").append(view.sessionExpiryBuckets().size()).append(")/(")
                .append(sessions).append("):\n");
            for (SessionExpiryBucket bucket : view.sessionExpiryBuckets()) {
                out.append(bucket.sessionIds().size()).append(" expire at ")
                    .append(new Date(bucket.expiresAtMs())).append(":\n");
                bucket.sessionIds().forEach(id -> out.append("\t0x").append(Long.toHexString(id)).append('\n'));
            }
        }
        out.append("ephemeral nodes dump:\n");
        SortedMap<Long, SortedSet<String>> ephemerals = view.ephemeralsBySession();
        out.append("Sessions with Ephemerals (").append(ephemerals.size()).append("):\n");
        ephemerals.forEach((sessionId, paths) -> {
            out.append("0x").append(Long.toHexString(sessionId)).append(":\n");
            paths.forEach(path -> out.append('\t').append(path).append('\n'));
        });
        return out.append("Connections dump:\n").toString();
    }

    /** {@code dirs}: bytes under dataDir and dataLogDir. */
    static String dirs(AdminView view) {
        return "datadir_size: " + view.dataDirSizeBytes() + "\nlogdir_size: " + view.logDirSizeBytes() + "\n";
    }

    /** {@code hash}: recent tree digests, {@code <zxid hex>: <digest>} per line. */
    static String hash(AdminView view) {
        StringBuilder out = new StringBuilder();
        view.digestLog().forEach((zxid, digest) ->
            out.append(Long.toHexString(zxid)).append(": ").append(digest).append('\n'));
        return out.toString();
    }

    /** {@code envi}: ZooKeeper's Environment.list, with Paddock's version. */
    static String envi() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("zookeeper.version", PaddockVersion.fullVersion());
        env.put("host.name", HostName.CANONICAL);
        for (String key : new String[] {"java.version", "java.vendor", "java.home", "java.class.path",
                "java.library.path", "java.io.tmpdir", "java.compiler", "os.name", "os.arch", "os.version",
                "user.name", "user.home", "user.dir"}) {
            env.put(key, System.getProperty(key, "<NA>"));
        }
        Runtime runtime = Runtime.getRuntime();
        long mb = 1024 * 1024;
        env.put("os.memory.free", runtime.freeMemory() / mb + "MB");
        env.put("os.memory.max", runtime.maxMemory() / mb + "MB");
        env.put("os.memory.total", runtime.totalMemory() / mb + "MB");
        StringBuilder out = new StringBuilder("Environment:\n");
        env.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    /** Looked up once, on first use: a DNS lookup per {@code envi} could stall the caller. */
    private static final class HostName {
        static final String CANONICAL = lookUp();

        private static String lookUp() {
            try {
                return InetAddress.getLocalHost().getCanonicalHostName();
            } catch (UnknownHostException e) {
                return "<NA>";
            }
        }
    }
}
