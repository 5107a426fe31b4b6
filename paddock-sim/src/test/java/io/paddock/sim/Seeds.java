package io.paddock.sim;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.zab.ZabTimings;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Runs a scenario over many seeds, or over the one seed given with {@code -Dpaddock.sim.seed=N}
 * (then with a full trace written to {@code target/sim-trace-<test>-<seed>.txt}).
 * {@code -Dpaddock.sim.seeds=N} changes how many seeds a normal run takes (a long run), and
 * {@code -Dpaddock.sim.firstSeed=F} where it starts (seeds F..F+N-1), so that a long run can try
 * seeds that earlier runs did not.
 */
final class Seeds {
    static final Long REPLAY_SEED = Long.getLong("paddock.sim.seed");
    static final ElectionTimings ELECTION_TIMINGS = new ElectionTimings(5, 4, 32);
    /** initLimit 20 ticks, syncLimit 10 ticks (the delays are at most 4 ticks), retry after 2. */
    static final ZabTimings ZAB_TIMINGS = new ZabTimings(20, 10, 2);

    private Seeds() {}

    /** Seeds 1..count (or the replay seed); each run gets its ensemble through {@link #ensemble}. */
    static void run(String testName, int count, LongConsumer scenario) {
        long from = Math.max(1, Long.getLong("paddock.sim.firstSeed", 1));
        long n = Long.getLong("paddock.sim.seeds", count);
        if (REPLAY_SEED != null) {
            from = REPLAY_SEED;
            n = 1;
        }
        for (long seed = from; seed < from + n; seed++) {
            scenario.accept(seed);
        }
    }

    static SimulatedEnsemble ensemble(String testName, long seed, int voters, int observers, FaultPlan plan) {
        String replay = "mvn -B -pl paddock-sim -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=" + testName
                + " -Dpaddock.sim.seed=" + seed + "   (full trace in paddock-sim/target/sim-trace-"
                + testName.replace('#', '-') + "-" + seed + ".txt)";
        boolean full = REPLAY_SEED != null;
        Trace trace = new Trace(full, 60, replay);
        return new SimulatedEnsemble(seed, voters, observers, plan, ELECTION_TIMINGS, ZAB_TIMINGS, trace);
    }

    /** Trace files written by this run: the first run of a test truncates its file, later ones append. */
    private static final Set<Path> WRITTEN = new HashSet<>();

    /**
     * Runs {@code body}; in replay mode the full trace is written afterwards, pass or fail (every
     * scenario of the test class that ran with that seed, one after the other, each opening with
     * its seed line).
     */
    static void traced(SimulatedEnsemble ensemble, String testName, Runnable body) {
        try {
            body.run();
        } catch (SimulationFailure f) {
            throw f;
        } catch (AssertionError | RuntimeException e) {
            throw ensemble.checker().failure("scenario check failed: " + e.getMessage(), e); // name the seed
        } finally {
            if (ensemble.trace().full()) {
                Path file = Path.of("target", "sim-trace-" + testName.replace('#', '-') + "-" + ensemble.seed + ".txt");
                ensemble.trace().writeTo(file, !WRITTEN.add(file));
                System.out.println("full trace: " + file.toAbsolutePath());
            }
        }
    }
}
