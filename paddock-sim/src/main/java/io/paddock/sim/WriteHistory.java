package io.paddock.sim;

import io.paddock.core.wire.JuteRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The clients' requests and answers, as recorded by {@link SimClients}. */
public final class WriteHistory {
    /** One request: who sent what when, and its answer if one came. */
    static final class Entry {
        final int client;
        final long sessionId;
        final int xid;
        final int opCode;
        final JuteRecord request;
        final long invokedTick;
        long answeredTick = -1;
        long zxid;
        int err;
        JuteRecord response;
        boolean lost;

        Entry(int client, long sessionId, int xid, int opCode, JuteRecord request, long invokedTick) {
            this.client = client;
            this.sessionId = sessionId;
            this.xid = xid;
            this.opCode = opCode;
            this.request = request;
            this.invokedTick = invokedTick;
        }
    }

    private final SimulatedEnsemble ensemble;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<Long, Entry> open = new TreeMap<>();

    WriteHistory(SimulatedEnsemble ensemble) {
        this.ensemble = ensemble;
    }

    private static long key(int client, int xid) {
        return ((long) client << 32) | (xid & 0xffffffffL);
    }

    void invoked(int client, long sessionId, int xid, int opCode, JuteRecord request, long tick) {
        Entry e = new Entry(client, sessionId, xid, opCode, request, tick);
        entries.add(e);
        open.put(key(client, xid), e);
    }

    void answered(int client, int xid, long zxid, int err, JuteRecord response, long tick) {
        Entry e = open.remove(key(client, xid));
        if (e == null) {
            return;
        }
        e.answeredTick = tick;
        e.zxid = zxid;
        e.err = err;
        e.response = response;
    }

    void lost(int client, int xid) {
        Entry e = open.remove(key(client, xid));
        if (e != null) {
            e.lost = true;
        }
    }

    public int size() {
        return entries.size();
    }

    void check(Set<Long> closedSessions) {
    }
}
