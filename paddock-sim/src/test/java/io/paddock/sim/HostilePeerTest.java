package io.paddock.sim;

import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Peers are untrusted input too: while clients write, members receive, on their quorum connections,
 * packets whose data is garbage (random bytes, truncated, empty or null) of the broadcast types that
 * carry data (PROPOSAL, INFORM, SNAP, REQUEST, REVALIDATE, PING) and of unknown types. No core may
 * throw (a throw fails the run with its seed); a bad packet costs at most that connection or that
 * role, and once it stops the ensemble settles with every acknowledged write everywhere ({@link
 * Converge#settleAndCheck}). Packets that decode as a plausible protocol step (ACK, COMMIT, TRUNC,
 * and the handshake's LEADERINFO or ACKEPOCH, whose data is a bare int) are forgeries, not garbage:
 * Zab trusts a peer that speaks the protocol to speak it honestly, as ZooKeeper does (a forged
 * ACKEPOCH naming a later last zxid makes its leader DIFF from there; seed 3 showed it).
 */
class HostilePeerTest {
    private static final String TEST = "HostilePeerTest";
    private static final int[] TYPES = {
        QuorumPacketType.REQUEST, QuorumPacketType.PROPOSAL, QuorumPacketType.PING, QuorumPacketType.REVALIDATE,
        QuorumPacketType.INFORM, QuorumPacketType.SNAP, 0, 20, 99, -1};

    @Test
    void garbageFromPeersCostsAtMostAConnection() {
        Seeds.run(TEST, 40, seed -> {
            SimulatedEnsemble e = Seeds.ensemble(TEST, seed, 3, 1, FaultPlan.quiet(1));
            Seeds.traced(e, TEST, () -> {
                SimClients clients = new SimClients(e, 4);
                LeaderLossTest.startAll(e);
                Converge.writeUntil(e, clients, 10, 2_000);
                Random random = e.random();
                List<Long> sids = new ArrayList<>(e.sids());
                for (int t = 0; t < 200; t++) {
                    if (random.nextInt(3) == 0) {
                        long from = sids.get(random.nextInt(sids.size()));
                        long to = sids.get(random.nextInt(sids.size()));
                        if (from != to) {
                            e.injectHostile(from, to, garbage(random, e.server(to).replica().lastZxid()));
                        }
                    }
                    clients.tick(true);
                    e.runTick();
                }
                Converge.settleAndCheck(e, clients);
            });
        });
    }

    private static QuorumPacket garbage(Random random, long nearZxid) {
        int type = TYPES[random.nextInt(TYPES.length)];
        long zxid = switch (random.nextInt(3)) {
            case 0 -> nearZxid + 1;
            case 1 -> random.nextLong();
            default -> -1;
        };
        byte[] data = switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> new byte[0];
            default -> {
                byte[] b = new byte[random.nextInt(random.nextBoolean() ? 16 : 200)];
                random.nextBytes(b);
                yield b;
            }
        };
        return new QuorumPacket(type, zxid, data, null);
    }
}
