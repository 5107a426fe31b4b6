package io.paddock.server.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/** A settable AdminView for testing the four-letter words alone (subclass it to override more). */
class FakeAdminView implements AdminView {
    boolean serving = true;
    String state = "standalone";
    long zxid;
    long nodes;
    long watches;
    long ephemeralCount;
    long dataSize;
    long sessions;
    long received;
    long sent;
    long outstanding;
    int alive;
    LatencyStats latency = LatencyStats.EMPTY;
    long uptime;
    int port = 2181;
    long dataDirSize;
    long logDirSize;
    List<ConnectionInfo> connections = new ArrayList<>();
    SortedMap<Long, SortedSet<String>> dataWatches = new TreeMap<>();
    List<SessionExpiryBucket> buckets = new ArrayList<>();
    SortedMap<Long, SortedSet<String>> ephemerals = new TreeMap<>();
    SortedMap<Long, Integer> timeouts = new TreeMap<>();
    SortedMap<Long, Long> digests = new TreeMap<>();
    Map<String, Object> extra = new LinkedHashMap<>();
    long openFds = -1;
    long maxFds = -1;
    int serverStatsResets;
    int connectionStatsResets;

    @Override public boolean isServing() { return serving; }
    @Override public String serverState() { return state; }
    @Override public long lastProcessedZxid() { return zxid; }
    @Override public long nodeCount() { return nodes; }
    @Override public long watchCount() { return watches; }
    @Override public long ephemeralsCount() { return ephemeralCount; }
    @Override public long approximateDataSize() { return dataSize; }
    @Override public long sessionCount() { return sessions; }
    @Override public long packetsReceived() { return received; }
    @Override public long packetsSent() { return sent; }
    @Override public long outstandingRequests() { return outstanding; }
    @Override public int aliveConnectionCount() { return alive; }
    @Override public LatencyStats latency() { return latency; }
    @Override public long uptimeMs() { return uptime; }
    @Override public int boundClientPort() { return port; }
    @Override public long dataDirSizeBytes() { return dataDirSize; }
    @Override public long logDirSizeBytes() { return logDirSize; }
    @Override public List<ConnectionInfo> connections() { return connections; }
    @Override public SortedMap<Long, SortedSet<String>> dataWatchesBySession() { return dataWatches; }
    @Override public List<SessionExpiryBucket> sessionExpiryBuckets() { return buckets; }
    @Override public SortedMap<Long, Integer> sessionTimeouts() { return timeouts; }
    @Override public SortedMap<Long, SortedSet<String>> ephemeralsBySession() { return ephemerals; }
    @Override public void resetServerStats() { serverStatsResets++; }
    @Override public void resetConnectionStats() { connectionStatsResets++; }
    @Override public SortedMap<Long, Long> digestLog() { return digests; }
    @Override public Map<String, Object> extraMonitorValues() { return extra; }
    @Override public long openFileDescriptorCount() { return openFds; }
    @Override public long maxFileDescriptorCount() { return maxFds; }
}
