package io.paddock.core.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The live sessions and their expiry, bucketed by tick like ZooKeeper's expiry queue: a
 * session's deadline is rounded up to the next multiple of the tick, so one tick's sweep finds
 * every session that expired in it without scanning the others. Pure: time comes in as numbers.
 */
public final class SessionTable {
    private final long tickMs;
    private final Map<Long, Session> sessions = new HashMap<>();
    /** Bucket deadline -> the sessions due then (insertion-ordered for deterministic output). */
    private final TreeMap<Long, Set<Long>> buckets = new TreeMap<>();
    /** While false (no quorum, or recovering) nothing expires: sessions are held, not lost. */
    private boolean expiryEnabled = true;

    public SessionTable(long tickMs) {
        if (tickMs <= 0) {
            throw new IllegalArgumentException("tickMs must be positive: " + tickMs);
        }
        this.tickMs = tickMs;
    }

    /** Adds a session (from a createSession transaction or from recovery) and arms its expiry. */
    public Session add(long id, int timeoutMs, byte[] passwd, long nowMs) {
        if (sessions.containsKey(id)) {
            throw new IllegalStateException("session 0x" + Long.toHexString(id) + " exists already");
        }
        Session s = new Session(id, timeoutMs, passwd);
        sessions.put(id, s);
        touch(s, nowMs);
        return s;
    }

    public Session get(long id) {
        return sessions.get(id);
    }

    public boolean contains(long id) {
        return sessions.containsKey(id);
    }

    public int size() {
        return sessions.size();
    }

    public Collection<Session> all() {
        return Collections.unmodifiableCollection(sessions.values());
    }

    /** Pushes the session's deadline to now + timeout (rounded up to the tick). */
    public void touch(Session s, long nowMs) {
        long deadline = roundUp(nowMs + s.timeoutMs);
        if (deadline == s.expiresAtMs) {
            return;
        }
        unbucket(s);
        s.expiresAtMs = deadline;
        buckets.computeIfAbsent(deadline, k -> new LinkedHashSet<>()).add(s.id);
    }

    public void attach(Session s, long connectionId) {
        s.connectionId = connectionId;
    }

    public void markClosing(Session s) {
        s.closing = true;
    }

    /** A close that could not be made durable: the session goes on. */
    public void unmarkClosing(Session s) {
        s.closing = false;
    }

    public void remove(long id) {
        Session s = sessions.remove(id);
        if (s != null) {
            unbucket(s);
        }
    }

    /**
     * Holds or releases expiry. When released, every session gets a fresh full timeout from
     * {@code nowMs}, as the seed requires after a period with no leader.
     */
    public void setExpiryEnabled(boolean enabled, long nowMs) {
        if (enabled && !expiryEnabled) {
            for (Session s : new ArrayList<>(sessions.values())) {
                touch(s, nowMs);
            }
        }
        expiryEnabled = enabled;
    }

    /**
     * The sessions whose deadline has passed and that are not already closing, in deadline then
     * creation order. They stay in the table (marked closing by the caller) until their
     * closeSession transaction is applied.
     */
    public List<Session> expired(long nowMs) {
        List<Session> out = new ArrayList<>();
        if (!expiryEnabled) {
            return out;
        }
        for (Map.Entry<Long, Set<Long>> e : buckets.headMap(nowMs, true).entrySet()) {
            for (long id : e.getValue()) {
                Session s = sessions.get(id);
                if (s != null && !s.closing) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private void unbucket(Session s) {
        Set<Long> bucket = buckets.get(s.expiresAtMs);
        if (bucket != null) {
            bucket.remove(s.id);
            if (bucket.isEmpty()) {
                buckets.remove(s.expiresAtMs);
            }
        }
    }

    private long roundUp(long ms) {
        return (ms / tickMs + 1) * tickMs;
    }
}
