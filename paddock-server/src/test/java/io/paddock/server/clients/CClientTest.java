package io.paddock.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that the ZooKeeper C client (libzookeeper_mt, Debian's 3.8) works against Paddock
 * unchanged: c_check.c is compiled here with gcc and runs the same checks as the other client
 * programs (zoo_multi included), against Paddock and against Apache ZooKeeper.
 *
 * <p>The same program also passes with only a follower of a three-server Paddock ensemble as
 * its server: its writes go through the leader, its reads and watches are the follower's.
 */
class CClientTest {
    private static final long COMPILE_SECONDS_MAX = 60;

    @TempDir
    static Path buildDir;
    private static boolean installed;
    private static Path program;
    private static Path failover;

    @BeforeAll
    static void compile() throws Exception {
        installed = InstalledClients.cClientInstalled();
        if (!installed) {
            return; // each test skips, saying why
        }
        program = gcc("c_check");
        failover = gcc("c_failover");
    }

    /** Compiles src/test/clients/NAME.c into the build folder. */
    private static Path gcc(String name) throws Exception {
        Path out = buildDir.resolve(name);
        List<String> gcc = List.of("gcc", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-DTHREADED",
                "-o", out.toString(), ClientChecks.clientsFolder().resolve(name + ".c").toString(),
                "-lzookeeper_mt");
        ScriptRun run = ScriptRun.run(gcc, Map.of(), COMPILE_SECONDS_MAX);
        assertEquals(0, run.exitCode(), "gcc failed for " + name + ".c:\n" + run.output());
        return out;
    }

    @BeforeEach
    void cClientIsInstalled() {
        assumeTrue(installed, "C client (libzookeeper-mt-dev) or gcc not installed: " + ClientChecks.INSTALL_HINT);
    }

    @Test
    void passesAgainstZooKeeper() throws Exception {
        ClientChecks.passAgainstZooKeeper(List.of(program.toString()), Map.of());
    }

    @Test
    void passesAgainstPaddock() throws Exception {
        ClientChecks.passAgainstPaddock(List.of(program.toString()), Map.of());
    }

    @Test
    void passesAgainstAFollowerOfAPaddockEnsemble() throws Exception {
        ClientChecks.passAgainstPaddockEnsemble(List.of(program.toString()), Map.of());
    }

    /**
     * c_failover.c writes 300 nodes one by one through a follower while the leader is closed
     * after the first 40: no call fails, the watcher sees no state but connected, the session and
     * its ephemeral survive, and every node is there.
     */
    @Test
    void writesThroughAFollowerRideThroughTheLossOfTheLeader() throws Exception {
        ClientChecks.passAcrossLeaderLoss(List.of(failover.toString()), Map.of(), 300, 40);
    }
}
