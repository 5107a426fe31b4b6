package io.paddock.server.ensemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * receive, in order, every server's own vote, its decision (leading or following the same
 * leader everywhere) and the leader's established epoch, for three in-process servers.
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
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline && (seen.stream().anyMatch(o -> o.stream().noneMatch(
                    x -> x instanceof PeerEffect.ElectionDecided)) || noEstablished(seen))) {
                Thread.sleep(20);
            }
            long leader = -1;
            for (List<PeerEffect.Observation> o : seen) {
                assertTrue(o.get(0) instanceof PeerEffect.VoteChanged v && v.reason() == PeerEffect.VoteReason.OWN_VOTE,
                        "the first observation is the server's own vote: " + o);
                PeerEffect.ElectionDecided d = (PeerEffect.ElectionDecided) o.stream()
                        .filter(x -> x instanceof PeerEffect.ElectionDecided).findFirst().orElseThrow();
                assertTrue(leader == -1 || leader == d.leader().leaderSid(), "one leader: " + seen);
                leader = d.leader().leaderSid();
            }
            PeerEffect.ElectionDecided leaders = (PeerEffect.ElectionDecided) seen.get((int) leader - 1).stream()
                    .filter(x -> x instanceof PeerEffect.ElectionDecided).findFirst().orElseThrow();
            assertEquals(ServerState.LEADING, leaders.role());
            assertFalse(noEstablished(seen), "the leader established an epoch: " + seen);
            // What the elec word prints: the decision in the seed's style, and the deciding quorum.
            String table = started.get((int) leader - 1).peer().electionTable();
            assertTrue(table.contains("election 1: round ") && table.contains("-> server " + leader)
                    && table.contains("quorum"), table);
            assertEquals("", failures.toString(), "no server failed");
        } finally {
            started.forEach(PaddockServer::close);
        }
    }

    private static boolean noEstablished(List<List<PeerEffect.Observation>> seen) {
        return seen.stream().flatMap(List::stream).noneMatch(x -> x instanceof PeerEffect.Established);
    }
}
