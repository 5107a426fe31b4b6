package io.paddock.server.ensemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.election.ServerState;
import io.paddock.core.zab.PeerEffect;
import io.paddock.server.PaddockServer;
import io.paddock.server.ServerConfig;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.quorum.PeerPorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the hook through which a server's election can be seen: observers added before start
 * receive, in order, every server's own vote, its decisions (the latest one leading or following
 * the same leader everywhere) and the leader's established epoch, for three in-process servers.
 */
class PeerObservationHookTest {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        return PeerPorts.free();
    }

    @Test
    void observersSeeEveryVoteDecisionAndTheEstablishedEpoch() throws Exception {
        StringBuilder servers = new StringBuilder();
        for (int sid = 1; sid <= 3; sid++) {
            servers.append("server.").append(sid).append("=127.0.0.1:").append(freePort()).append(':')
                    .append(freePort()).append('\n');
        }
        List<PaddockServer> started = new ArrayList<>();
        List<List<PeerEffect.Observation>> seen = new ArrayList<>();
        ByteArrayOutputStream failures = new ByteArrayOutputStream();
        FailStop recording = new FailStop(status -> { }, new PrintStream(failures, true));
        try {
            for (int sid = 1; sid <= 3; sid++) {
                Path data = Files.createDirectories(dir.resolve("s" + sid));
                Files.writeString(data.resolve("myid"), String.valueOf(sid));
                Properties p = new Properties();
                p.load(new StringReader("tickTime=200\ninitLimit=10\nsyncLimit=5\nclientPort=0\n"
                        + "clientPortAddress=127.0.0.1\ndataDir=" + data + "\n" + servers));
                PaddockServer server = new PaddockServer(ServerConfig.fromProperties(p), recording);
                List<PeerEffect.Observation> observations = new CopyOnWriteArrayList<>();
                server.addPeerObserver(observations::add);
                seen.add(observations);
                started.add(server);
            }
            for (PaddockServer s : started) {
                s.start();
            }
            // The servers start one after another: a server may decide before the last one listens
            // (it skips the finalize wait for a peer it cannot reach) and decide again when that one
            // comes with a better vote. So the check is on each server's latest decision.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline && !leaderEstablished(seen)) {
                Thread.sleep(20);
            }
            for (List<PeerEffect.Observation> o : seen) {
                assertTrue(o.get(0) instanceof PeerEffect.VoteChanged v && v.reason() == PeerEffect.VoteReason.OWN_VOTE,
                        "the first observation is the server's own vote: " + o);
            }
            long leader = leaderOfLatestDecisions(seen);
            assertTrue(leader > 0, "one leader in every server's latest decision: " + seen);
            PeerEffect.ElectionDecided leaders = latestDecision(seen.get((int) leader - 1));
            assertEquals(ServerState.LEADING, leaders.role());
            List<PeerEffect.Observation> leaderSaw = seen.get((int) leader - 1);
            assertTrue(leaderSaw.subList(leaderSaw.lastIndexOf(leaders), leaderSaw.size()).stream()
                    .anyMatch(x -> x instanceof PeerEffect.Established), "the leader established an epoch: " + seen);
            // What the elec word prints: the decision in the seed's style, and the deciding quorum.
            String table = started.get((int) leader - 1).peer().electionTable();
            assertTrue(table.contains("election 1: round ") && table.contains("-> server " + leader)
                    && table.contains("quorum"), table);
            // Every quorum packet the transports handed over was stepped and reported taken: each
            // server's inbox count comes back to 0 between pings (a packet never reported would keep
            // it up, and past its bound stall every quorum connection).
            for (PaddockServer s : started) {
                long until = System.nanoTime() + 10_000_000_000L;
                while (s.peer().quorumInboxBytes() != 0 && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertEquals(0, s.peer().quorumInboxBytes(), "quorum packets handed over and never reported taken");
            }
            assertEquals("", failures.toString(), "no server failed");
        } finally {
            started.forEach(PaddockServer::close);
        }
    }

    private static PeerEffect.ElectionDecided latestDecision(List<PeerEffect.Observation> observations) {
        PeerEffect.ElectionDecided latest = null;
        for (PeerEffect.Observation x : observations) {
            if (x instanceof PeerEffect.ElectionDecided d) {
                latest = d;
            }
        }
        return latest;
    }

    /** The leader every server's latest decision names, or -1 while some server has none or they differ. */
    private static long leaderOfLatestDecisions(List<List<PeerEffect.Observation>> seen) {
        long leader = -1;
        for (List<PeerEffect.Observation> o : seen) {
            PeerEffect.ElectionDecided d = latestDecision(o);
            if (d == null || (leader != -1 && leader != d.leader().leaderSid())) {
                return -1;
            }
            leader = d.leader().leaderSid();
        }
        return leader;
    }

    /** Whether every server's latest decision names one leader, which established an epoch after its own. */
    private static boolean leaderEstablished(List<List<PeerEffect.Observation>> seen) {
        long leader = leaderOfLatestDecisions(seen);
        if (leader < 0) {
            return false;
        }
        List<PeerEffect.Observation> leaderSaw = seen.get((int) leader - 1);
        int decided = leaderSaw.lastIndexOf(latestDecision(leaderSaw));
        return leaderSaw.subList(decided, leaderSaw.size()).stream().anyMatch(x -> x instanceof PeerEffect.Established);
    }
}
