package io.paddock.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.conformance.PaddockEnsembleTarget;
import io.paddock.server.conformance.PaddockTarget;
import io.paddock.server.conformance.Target;
import io.paddock.server.conformance.ZooKeeperTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a client check program (one of src/test/clients) against a fresh server and asserts that
 * every check passed. The programs take {@code host:port} as their last argument, print
 * {@code ok <check>} per check and exit non-zero on the first failure.
 */
final class ClientChecks {
    static final String INSTALL_HINT = "run .ci/install-clients";
    /** The programs bound each of their own waits to 5 s; this bounds the whole run. */
    private static final long RUN_SECONDS_MAX = 30;
    /** The bound for programs that bound their own run to a minute (kazoo_reconnect.py). */
    private static final long LONG_RUN_SECONDS_MAX = 90;
    private static final String LAST_LINE = "ok all checks passed";

    private ClientChecks() {
    }

    /** The folder of the client programs, src/test/clients of this module. */
    static Path clientsFolder() {
        return Path.of(System.getProperty("basedir", "."), "src", "test", "clients").toAbsolutePath();
    }

    static void passAgainstZooKeeper(List<String> command, Map<String, String> env) throws Exception {
        passAgainst(ZooKeeperTarget::new, command, env);
    }

    static void passAgainstPaddock(List<String> command, Map<String, String> env) throws Exception {
        passAgainst(PaddockTarget::new, command, env);
    }

    /** Three Paddock servers; the program talks to a follower only. */
    static void passAgainstPaddockEnsemble(List<String> command, Map<String, String> env) throws Exception {
        passAgainst(PaddockEnsembleTarget::new, command, env);
    }

    /**
     * Runs {@code command} (which takes a write count, then host:port) against a follower of a
     * three-server Paddock ensemble and closes the leader once the follower holds {@code
     * writesBeforeLoss} of its nodes; the program must pass, and the leader must have been closed
     * while it was still writing.
     */
    static void passAcrossLeaderLoss(List<String> command, Map<String, String> env, int writes, int writesBeforeLoss)
            throws Exception {
        try (PaddockEnsembleTarget target = new PaddockEnsembleTarget()) {
            target.start();
            long base = target.followerZnodeCount(); // the program adds its root and an ephemeral first
            AtomicLong countAtClose = new AtomicLong(-1);
            Thread closer = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_SECONDS_MAX);
                try {
                    while (System.nanoTime() < deadline) {
                        long count = target.followerZnodeCount();
                        if (count >= base + 2 + writesBeforeLoss) {
                            countAtClose.set(count);
                            target.closeLeader();
                            return;
                        }
                        Thread.sleep(2);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "close-leader");
            closer.start();
            List<String> withArgs = new ArrayList<>(command);
            withArgs.add(Integer.toString(writes));
            withArgs.add(target.connectString());
            ScriptRun run = ScriptRun.run(withArgs, env, RUN_SECONDS_MAX);
            closer.interrupt();
            closer.join(TimeUnit.SECONDS.toMillis(RUN_SECONDS_MAX));
            String report = String.join(" ", withArgs) + " against " + target.name() + " (leader closed at "
                    + countAtClose.get() + " znodes, " + base + " before the program) exited " + run.exitCode()
                    + ":\n" + run.output();
            System.out.println(report);
            assertTrue(countAtClose.get() > 0 && countAtClose.get() < base + 2 + writes,
                    "the leader was not closed while the program wrote; " + report);
            assertEquals(0, run.exitCode(), report);
            assertTrue(run.output().contains(LAST_LINE), "no '" + LAST_LINE + "' line; " + report);
        }
    }

    /**
     * Runs {@code command} with every server of the target ({@link Target#everyServer()}) as its
     * last argument; such a program may take up to {@link #LONG_RUN_SECONDS_MAX}.
     */
    static void passAgainstEveryServer(Supplier<Target> newTarget, List<String> command, Map<String, String> env)
            throws Exception {
        passAgainst(newTarget, command, env, Target::everyServer, LONG_RUN_SECONDS_MAX);
    }

    private static void passAgainst(Supplier<Target> newTarget, List<String> command, Map<String, String> env)
            throws Exception {
        passAgainst(newTarget, command, env, Target::connectString, RUN_SECONDS_MAX);
    }

    private static void passAgainst(Supplier<Target> newTarget, List<String> command, Map<String, String> env,
            Function<Target, String> address, long secondsMax) throws Exception {
        try (Target target = newTarget.get()) {
            target.start();
            List<String> withAddress = new ArrayList<>(command);
            withAddress.add(address.apply(target));
            ScriptRun run = ScriptRun.run(withAddress, env, secondsMax);
            String report = String.join(" ", withAddress) + " against " + target.name() + " exited "
                    + run.exitCode() + ":\n" + run.output();
            System.out.println(report);
            assertEquals(0, run.exitCode(), report);
            assertTrue(run.output().contains(LAST_LINE), "no '" + LAST_LINE + "' line; " + report);
        }
    }
}
