package io.paddock.core.election;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.PeerProtocolException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.zookeeper.server.quorum.FastLeaderElection;
import org.apache.zookeeper.server.quorum.QuorumPeer;
import org.junit.jupiter.api.Test;

/**
 * Proves the election core's notifications become the bytes ZooKeeper 3.9.5's FastLeaderElection
 * sends for the same vote, round and state, and come back unchanged; and that our ServerState is
 * ZooKeeper's, in order.
 */
class WireNotificationsTest {
    @Test
    void serverStatesAreZooKeepersInOrder() {
        assertEquals(QuorumPeer.ServerState.values().length, ServerState.values().length);
        for (ServerState s : ServerState.values()) {
            assertEquals(s.name(), QuorumPeer.ServerState.values()[s.ordinal()].name());
        }
        assertEquals(NotificationMessage.OBSERVING, ServerState.OBSERVING.ordinal());
        assertEquals(NotificationMessage.LEADING, ServerState.LEADING.ordinal());
    }

    @Test
    void notificationsBecomeBuildMsgBytesAndComeBack() throws Exception {
        byte[] config = "server.1=127.0.0.1:2888:3888:participant\nversion=0".getBytes(StandardCharsets.UTF_8);
        for (ServerState state : ServerState.values()) {
            Notification n = new Notification(new Vote(3, 0x2_0000_0009L, 2), 5, state);
            NotificationMessage m = WireNotifications.toWire(n, config);
            byte[] zk = buildMsg(QuorumPeer.ServerState.valueOf(state.name()).ordinal(), 3, 0x2_0000_0009L, 5, 2, config);
            assertArrayEquals(zk, m.encode());
            assertEquals(n, WireNotifications.fromWire(NotificationMessage.decode(zk)));
        }
    }

    @Test
    void negativeRoundsAreRefused() {
        NotificationMessage m = NotificationMessage.current(0, 1, 0, -1, 0, new byte[0]);
        assertThrows(PeerProtocolException.class, () -> WireNotifications.fromWire(m));
    }

    /** A round this server would take and then overflow at its next election (Long.MAX_VALUE + 1). */
    @Test
    void roundsAboveTheBoundAreRefused() throws Exception {
        for (long round : new long[] {Long.MAX_VALUE, WireNotifications.ROUND_MAX + 1}) {
            NotificationMessage m = NotificationMessage.current(0, 1, 0, round, 0, new byte[0]);
            assertThrows(PeerProtocolException.class, () -> WireNotifications.fromWire(m), "round " + round);
        }
        NotificationMessage atBound = NotificationMessage.current(0, 1, 0, WireNotifications.ROUND_MAX, 0, new byte[0]);
        assertEquals(WireNotifications.ROUND_MAX, WireNotifications.fromWire(atBound).round());
    }

    private static byte[] buildMsg(int state, long leader, long zxid, long round, long epoch, byte[] config)
            throws Exception {
        Method m = FastLeaderElection.class.getDeclaredMethod("buildMsg",
                int.class, long.class, long.class, long.class, long.class, byte[].class);
        m.setAccessible(true);
        return ((ByteBuffer) m.invoke(null, state, leader, zxid, round, epoch, config)).array();
    }
}
