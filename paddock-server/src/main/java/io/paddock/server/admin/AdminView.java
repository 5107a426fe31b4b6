package io.paddock.server.admin;

import io.paddock.core.zab.ElectionText;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * What the four-letter words read from a running server. The server implements it; each call
 * should return a consistent, current value (the words run rarely, so taking a snapshot on the
 * server's loop thread is fine). Sorted collections keep the output stable.
 */
public interface AdminView {

    /**
     * False while the server cannot serve clients (starting, shutting down, no quorum). Most
     * words then answer ZooKeeper's "This ZooKeeper instance is not currently serving requests".
     */
    boolean isServing();

    /** ZooKeeper's {@code Mode:}: "standalone", "leader", "follower" or "observer". */
    String serverState();

    /** The zxid of the last transaction applied to the tree. */
    long lastProcessedZxid();

    /** Znodes in the tree, including {@code /zookeeper} and its children. */
    long nodeCount();

    /** Data and child watches together, as {@code zk_watch_count}. */
    long watchCount();

    /** Ephemeral znodes over all sessions. */
    long ephemeralsCount();

    /** Sum of path lengths and data sizes, as ZooKeeper's {@code approximateDataSize}. */
    long approximateDataSize();

    /** Live sessions ({@code zk_global_sessions}). */
    long sessionCount();

    long packetsReceived();

    long packetsSent();

    /** Requests received and not yet answered, over all connections. */
    long outstandingRequests();

    int aliveConnectionCount();

    /** Server-wide request latencies since start or the last {@code srst}. */
    LatencyStats latency();

    long uptimeMs();

    /** The port actually bound (useful when the configuration asked for port 0); -1 when none is served. */
    int boundClientPort();

    /** The secureClientPort actually bound, or -1 when none is served. */
    default int boundSecureClientPort() {
        return -1;
    }

    long dataDirSizeBytes();

    long logDirSizeBytes();

    /** Live client connections, for {@code cons} and {@code stat}. */
    List<ConnectionInfo> connections();

    /**
     * The order of watched paths in the watch words: natural, with null first. A watch path may
     * be null (addWatch of a jute null string, kept as in ZooKeeper), which prints as "null".
     */
    Comparator<String> PATH_ORDER = Comparator.nullsFirst(Comparator.naturalOrder());

    /**
     * Data watches: session id to watched paths ({@code wchc}, {@code wchp}, {@code wchs}),
     * ordered by {@link #PATH_ORDER}.
     */
    SortedMap<Long, SortedSet<String>> dataWatchesBySession();

    /** Session expiry buckets, earliest first, for {@code dump}. */
    List<SessionExpiryBucket> sessionExpiryBuckets();

    /** Every session this server knows, by id, with its timeout in ms (a learner's dump lists them so). */
    default SortedMap<Long, Integer> sessionTimeouts() {
        return java.util.Collections.emptySortedMap();
    }

    /** Session id to its ephemeral paths, for {@code dump}. */
    SortedMap<Long, SortedSet<String>> ephemeralsBySession();

    /** {@code srst}: resets the server-wide latency and packet counters. */
    void resetServerStats();

    /** {@code crst}: resets every connection's counters. */
    void resetConnectionStats();

    /** Recent tree digests, zxid to digest, for {@code hash}; empty when digests are off. */
    default SortedMap<Long, Long> digestLog() {
        return java.util.Collections.emptySortedMap();
    }

    /** The leader's {@code Proposal sizes last/min/max:} value, or null on other servers. */
    default String proposalSizes() {
        return null;
    }

    /** {@code conf}'s serverId: the myid of an ensemble member, 0 when standalone (as ZooKeeper prints). */
    default long serverId() {
        return 0;
    }

    /**
     * What {@code conf} prints after serverId on an ensemble member (initLimit, syncLimit, electionAlg,
     * electionPort, quorumPort, peerType, then {@code membership: } and the membership text, with no
     * newline at the end, as ZooKeeper prints it), or null when standalone.
     */
    default String quorumConf() {
        return null;
    }

    /** Role-specific {@code mntr} lines (e.g. {@code followers}, {@code synced_followers}), without the zk_ prefix. */
    default Map<String, Object> extraMonitorValues() {
        return Map.of();
    }

    /**
     * {@code elec}: this server's last elections as a table ({@link ElectionText#table}, fed by an
     * {@link io.paddock.core.zab.ElectionHistory} on the loop thread, ticks converted with the
     * server's milliseconds per tick). A standalone server never elects: {@link ElectionText#STANDALONE}.
     */
    default String electionHistory() {
        return ElectionText.STANDALONE;
    }

    /** Open file descriptors of this process, or -1 where the platform does not tell. */
    default long openFileDescriptorCount() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getOpenFileDescriptorCount();
        }
        return -1;
    }

    /** The process's file descriptor limit, or -1 where the platform does not tell. */
    default long maxFileDescriptorCount() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
