package io.paddock.core;

import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The core's view of one client connection: its session, the identities it has authenticated
 * as, and the requests it has sent that are not answered yet, in the order they came. A read
 * is answered at once unless a write of the same connection is still on its way to the disk;
 * then it waits behind that write, so a client always sees its own writes.
 */
final class ClientConnection {
    final long connId;
    final String remoteIp;
    long sessionId;
    final List<Id> authIds = new ArrayList<>();
    final Deque<Queued> queue = new ArrayDeque<>();

    ClientConnection(long connId, String remoteIp) {
        this.connId = connId;
        this.remoteIp = remoteIp;
        if (remoteIp != null) {
            authIds.add(new Id("ip", remoteIp));
        }
    }

    boolean isSuper() {
        for (Id id : authIds) {
            if (id.scheme().equals("super")) {
                return true;
            }
        }
        return false;
    }

    /** A request waiting for its turn. */
    sealed interface Queued {}

    record QueuedWrite(long zxid) implements Queued {}

    record QueuedRead(int xid, int opCode, JuteRecord body) implements Queued {}
}
