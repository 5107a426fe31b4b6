package io.paddock.core;

import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.zab.PeerEvent;
import java.util.List;

/** What the shells feed a core: everything the core learns about the world comes as one of these. */
public sealed interface Event {

    /**
     * The clock moved; sessions may expire and clean-up sweeps may run. {@code nowMs} is a clock
     * that never steps (a server's is its wall clock at start plus the monotonic time since): every
     * timeout (sessions, Zab's ticks, what waits without a leader) runs on it, as ZooKeeper's run on
     * its elapsed time, so an NTP step of the wall clock expires no session and drops no learner.
     * {@code wallMs} is the wall clock: the time a transaction records (a znode's ctime and mtime,
     * which TTLs are measured against) and a snapshot's.
     */
    record Tick(long nowMs, long wallMs) implements Event {
        /** A tick whose two clocks agree (the simulator's, tests'). */
        public Tick(long nowMs) {
            this(nowMs, nowMs);
        }
    }

    /**
     * A client opened a connection and sent its ConnectRequest. {@code remoteIp} is the peer's
     * address as text (for the ip ACL scheme and for connection listings). Connection ids grow as
     * connections are accepted: a later connection of a session has a higher id.
     */
    record ClientConnected(long connId, ConnectRequest request, String remoteIp, List<Id> transportIds) implements Event {
        public ClientConnected {
            transportIds = List.copyOf(transportIds);
        }

        /** A connection that proved no identity in its transport (plain TCP, TLS without a certificate). */
        public ClientConnected(long connId, ConnectRequest request, String remoteIp) {
            this(connId, request, remoteIp, List.of());
        }
    }

    /**
     * One decoded request. {@code body} is null for requests without one (ping, closeSession,
     * whoAmI). The shell has already rejected frames that do not decode.
     */
    record ClientRequest(long connId, int xid, int opCode, JuteRecord body) implements Event {}

    /** The connection is gone (the client closed it, or the shell did). */
    record ClientClosed(long connId) implements Event {}

    /** Every transaction up to and including {@code zxid} is durable. */
    record LogAppended(long zxid) implements Event {}

    /**
     * The log could not make {@code fromZxid} and what follows it durable (a full disk). Those
     * transactions are dropped: their clients get an error and the zxids are handed out again.
     */
    record LogFailed(long fromZxid, String reason) implements Event {}

    /**
     * For this server's quorum peer (ensemble members only, see {@link Replica#joinEnsemble}): an
     * election notification, a quorum packet, a lost quorum connection or a durable epoch write.
     * Time reaches the peer through {@link Tick}.
     */
    record Peer(PeerEvent event) implements Event {}
}
