package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.Effect.CloseClient;
import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.QuorumVerifier;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.SetDataRequest;
import io.paddock.core.zab.PeerConfig;
import io.paddock.core.zab.ZabTimings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An ensemble member with no leader holds its clients' requests, within two bounds: at most
 * {@link Replica#HELD_EVENTS_MAX} events and at most {@link Replica#HELD_BYTES_MAX} bytes. The
 * request past either bound closes its connection (the client reconnects, its session intact);
 * other connections keep what they hold.
 */
class HeldRequestsBoundTest {
    private static final long T0 = 1_000_000;
    private Replica member;

    @BeforeEach
    void memberWithoutLeader() {
        member = new Replica(CoreConfig.defaults(), 0x100, new byte[] {7}, T0);
        member.expectEnsemble();
        member.recovered(0);
        member.joinEnsemble(new PeerConfig(1, new QuorumVerifier(Set.of(1L, 2L, 3L)), Set.of(),
                new ElectionTimings(5, 4, 32), new ZabTimings(10, 5, 2)), 0, 0, 50);
    }

    private List<Effect> step(Event e) {
        List<Effect> out = member.step(e);
        member.checkInvariants();
        return out;
    }

    private void connect(long connId) {
        List<Effect> out = step(new ClientConnected(connId, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false, true),
                "127.0.0.1"));
        assertTrue(closed(out).isEmpty(), "a new session waits for a leader: " + out);
    }

    private static List<Long> closed(List<Effect> out) {
        return out.stream().filter(CloseClient.class::isInstance).map(e -> ((CloseClient) e).connId()).toList();
    }

    @Test
    void requestsPastTheByteBoundCloseTheirConnection() {
        connect(1);
        connect(2);
        step(new ClientRequest(2, 1, OpCode.EXISTS, new ExistsRequest("/other", false)));
        byte[] mib = new byte[1 << 20];
        long heldBytes = 0;
        int xid = 1;
        while (true) {
            List<Effect> out = step(new ClientRequest(1, xid++, OpCode.SET_DATA, new SetDataRequest("/big", mib, -1)));
            if (!closed(out).isEmpty()) {
                assertEquals(List.of(1L), closed(out), "only the connection that went past the bound");
                break;
            }
            heldBytes += mib.length;
            assertTrue(heldBytes <= Replica.HELD_BYTES_MAX, "held " + heldBytes + " bytes, past the bound");
        }
        assertTrue(heldBytes > Replica.HELD_BYTES_MAX - 2 * mib.length, "closed early, at " + heldBytes + " bytes");
        assertTrue(closed(step(new ClientRequest(2, 2, OpCode.EXISTS, new ExistsRequest("/other", false)))).isEmpty(),
                "connection 2 is still held, and its bytes were given back by connection 1's close");
    }

    /**
     * A SASL step (a body the shell made, never sent) is held like any request: it once ended the
     * whole member, weighing it threw.
     */
    @Test
    void aSaslStepIsHeldLikeAnyRequest() {
        connect(1);
        List<Effect> out = step(new ClientRequest(1, 1, OpCode.SASL, SaslStep.next(new byte[100])));
        assertTrue(closed(out).isEmpty(), out.toString());
        out = step(new ClientRequest(1, 2, OpCode.SASL, SaslStep.complete(null, "bob", false)));
        assertTrue(closed(out).isEmpty(), out.toString());
    }

    @Test
    void requestsPastTheEventBoundCloseTheirConnection() {
        connect(1);
        int held = 1; // the handshake
        for (int xid = 1; ; xid++) {
            List<Effect> out = step(new ClientRequest(1, xid, OpCode.EXISTS, new ExistsRequest("/a", false)));
            if (!closed(out).isEmpty()) {
                break;
            }
            held++;
            assertTrue(held <= Replica.HELD_EVENTS_MAX, "held " + held + " events, past the bound");
        }
        assertEquals(Replica.HELD_EVENTS_MAX, held);
    }
}
