package io.paddock.server.conformance;

import io.paddock.server.PaddockServer;
import io.paddock.server.ServerConfig;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.quorum.PeerPorts;
import java.io.ByteArrayOutputStream;
import io.paddock.server.admin.FourLetterWord;
import io.paddock.server.admin.WordClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Three Paddock servers in one ensemble, in-process on loopback, each configured as the
 * standalone {@link PaddockTarget} is (same tick, limits, extended types, container sweep,
 * super digest) plus the ensemble's lines: {@code server.N=127.0.0.1:quorumPort:electionPort},
 * initLimit, syncLimit and a myid file in each dataDir.
 *
 * <p>{@link #start()} returns once {@code srvr} reports one leader and two followers (bounded by
 * {@link #FORMED_MS_MAX}); {@link #connectString()} names one follower only, so every client of
 * a conformance test talks to a follower: its writes are forwarded to the leader, its reads are
 * the follower's own.
 *
 * <p>A server that fail-stops must not halt the test JVM: the servers share a {@link FailStop}
 * that records, and {@link #connectString()} refuses to hand out an ensemble that has stopped.
 */
public final class PaddockEnsembleTarget implements Target {
    public static final int SIZE = 3;
    static final int INIT_LIMIT = 10;
    static final int SYNC_LIMIT = 5;
    /** Bound on election plus the followers' sync; a cold JVM on 2 cores takes a few seconds. */
    private static final long FORMED_MS_MAX = 30_000;

    private final ByteArrayOutputStream failures = new ByteArrayOutputStream();
    private final FailStop recording = new FailStop(status -> { }, new PrintStream(failures, true));
    private final List<PaddockServer> servers = new ArrayList<>();
    private final IntFunction<Map<String, String>> extraCfgBySid;
    private Path dir;
    private int followerSid;
    private int leaderSid;

    /** The conformance target: every server configured alike. */
    public PaddockEnsembleTarget() {
        this(sid -> Map.of());
    }

    /** An ensemble whose server {@code sid} gets these zoo.cfg keys on top (for tests of one setting). */
    public PaddockEnsembleTarget(IntFunction<Map<String, String>> extraCfgBySid) {
        this.extraCfgBySid = extraCfgBySid;
    }

    @Override
    public String name() {
        return "paddock-ensemble";
    }

    @Override
    public void start() throws Exception {
        dir = Files.createTempDirectory("conformance-paddock-ensemble");
        StringBuilder serverLines = new StringBuilder();
        for (int sid = 1; sid <= SIZE; sid++) {
            serverLines.append("server.").append(sid).append("=").append(TargetSettings.HOST).append(':')
                    .append(PeerPorts.free()).append(':').append(PeerPorts.free()).append('\n');
        }
        for (int sid = 1; sid <= SIZE; sid++) {
            Path data = Files.createDirectories(dir.resolve("server" + sid));
            Files.writeString(data.resolve("myid"), sid + "\n");
            Properties cfg = PaddockTarget.zooCfg(data);
            cfg.setProperty("initLimit", Integer.toString(INIT_LIMIT));
            cfg.setProperty("syncLimit", Integer.toString(SYNC_LIMIT));
            cfg.load(new StringReader(serverLines.toString()));
            extraCfgBySid.apply(sid).forEach(cfg::setProperty);
            servers.add(new PaddockServer(ServerConfig.fromProperties(cfg), recording));
        }
        // The highest sid first: with empty data it wins as soon as a second server is up, whatever
        // the timing. Started lowest first, servers 1 and 2 could decide for 2 before 3 listened (a
        // peer that cannot be reached is not waited for), and tests that need a known leader skip.
        for (int i = servers.size() - 1; i >= 0; i--) {
            servers.get(i).start();
        }
        followerSid = awaitOneLeaderTwoFollowers();
    }

    /** Polls each server's srvr until one says leader and the others follower; the lowest follower's sid. */
    private int awaitOneLeaderTwoFollowers() throws InterruptedException {
        long deadline = System.nanoTime() + FORMED_MS_MAX * 1_000_000L;
        Map<Integer, String> modes = modes();
        while (System.nanoTime() < deadline) {
            modes = modes();
            long leaders = modes.values().stream().filter("leader"::equals).count();
            long followers = modes.values().stream().filter("follower"::equals).count();
            if (leaders == 1 && followers == SIZE - 1) {
                leaderSid = modes.entrySet().stream().filter(e -> e.getValue().equals("leader"))
                        .findFirst().orElseThrow().getKey();
                return modes.entrySet().stream().filter(e -> e.getValue().equals("follower"))
                        .findFirst().orElseThrow().getKey();
            }
            requireNoFailStop();
            Thread.sleep(50);
        }
        throw new IllegalStateException("no leader and " + (SIZE - 1) + " followers within " + FORMED_MS_MAX
                + " ms; srvr modes by sid " + modes + "; fail-stops: " + failures);
    }

    /** Each server's {@code Mode:} from srvr, "" while it is not serving. */
    Map<Integer, String> modes() {
        Map<Integer, String> modes = new TreeMap<>();
        for (int sid = 1; sid <= servers.size(); sid++) {
            modes.put(sid, mode(servers.get(sid - 1).clientPort()));
        }
        return modes;
    }

    private static String mode(int clientPort) {
        for (String line : word(clientPort, "srvr").split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring("Mode: ".length()).trim();
            }
        }
        return "";
    }

    private static String word(int clientPort, String word) {
        try {
            return WordClient.ask(TargetSettings.HOST, clientPort, FourLetterWord.fromWord(word));
        } catch (IOException e) {
            return ""; // not up yet, or not answering: the caller polls again
        }
    }

    private void requireNoFailStop() {
        if (recording.stopped()) {
            throw new IllegalStateException("a server of " + name() + " fail-stopped: " + failures);
        }
    }

    @Override
    public boolean clientsOnAFollower() {
        return true;
    }

    /** The sid whose srvr said leader when the ensemble formed. */
    /** Server {@code sid} (1 to {@link #SIZE}), started. */
    public PaddockServer server(int sid) {
        return servers.get(sid - 1);
    }

    public int leaderSid() {
        return leaderSid;
    }

    /** Closes the server that led when the ensemble formed, as a crash looks to its peers and clients. */
    public void closeLeader() {
        servers.get(leaderSid - 1).close();
    }

    /** The follower's znode count from mntr, -1 when it does not answer. */
    public long followerZnodeCount() {
        for (String line : word(servers.get(followerSid - 1).clientPort(), "mntr").split("\n")) {
            if (line.startsWith("zk_znode_count")) {
                return Long.parseLong(line.substring("zk_znode_count".length()).trim());
            }
        }
        return -1;
    }

    /** The follower every client connects to. */
    @Override
    public String connectString() {
        requireNoFailStop();
        return TargetSettings.HOST + ":" + servers.get(followerSid - 1).clientPort();
    }

    /** Every member, leader and followers, as a connect string. */
    @Override
    public String everyServer() {
        requireNoFailStop();
        List<String> all = new ArrayList<>();
        for (PaddockServer server : servers) {
            all.add(TargetSettings.HOST + ":" + server.clientPort());
        }
        return String.join(",", all);
    }

    @Override
    public void close() throws IOException {
        for (PaddockServer server : servers) {
            server.close();
        }
        if (dir != null) {
            TempDirs.deleteRecursively(dir);
        }
    }
}
