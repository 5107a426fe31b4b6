package io.paddock.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Every count, size and duration of a run. {@code --quick} picks small ones; later options override. */
final class BenchOptions {
    static final String USAGE = String.join("\n",
        "Usage: java -jar paddock-bench-<version>-all.jar [options]",
        "  --quick                 small counts, short durations (about 70 s); put it first",
        "  --duration-s N          measured seconds per throughput run (default 10)",
        "  --warmup-s N            warm-up seconds before each measured window (default 3)",
        "  --repeats N             throughput runs per server and session count; median reported (default 3)",
        "  --sessions A,B          session counts for the write load (default 8,32)",
        "  --outstanding N         async calls in flight per session (default 100)",
        "  --value-bytes N         setData payload (default 1024)",
        "  --write-nodes N         pre-created nodes the load writes to (default 1000)",
        "  --creates N             znodes created for the create/memory/restart phase (default 200000)",
        "  --create-bytes N        payload of each created znode (default 64)",
        "  --create-sessions N     sessions creating them (default 8)",
        "  --create-timeout-s N    bound on the create phase (default 600)",
        "  --phases a,b,c          writes, creates, fixedrate, election and/or ensemble (default the first four)",
        "  --election-rounds N     election: rounds, each starting a 3-server ensemble of each kind and",
        "                          killing its leader once (default 5)",
        "  --ensemble-rate N       ensemble: offered setData rate for its latency row, ops/s (default 2000)",
        "  --ensemble-warmup-s N   ensemble: before the first measured run, each selected load (largest session",
        "                          count) runs N s uncounted on each ensemble (default 60; 0: none); the",
        "                          fixed-rate load too when no throughput part runs before it",
        "  --failover-rounds N     ensemble: rounds of kill -9 of the leader under writes, per kind (default 5)",
        "  --ensemble-parts a,b    ensemble: writes, reads, mix, latency and/or failover (default all; fewer",
        "                          for a profile of one workload)",
        "  --rates A,B             fixedrate: offered setData rates in ops/s, same for both servers (default 2000,10000)",
        "  --fixed-sessions N      fixedrate: sessions sharing the schedule (default 8)",
        "  --fixed-outstanding N   fixedrate: max in flight per session; a send beyond it is skipped (default 1000)",
        "  --jvm-opts \"...\"        JVM flags for both servers (default \"-Xmx2g\")",
        "  --servers a,b           zookeeper and/or paddock (default both)",
        "  --paddock-cds on|off    Paddock with the class-data archive bin/paddock makes (default on)",
        "  --keep                  keep the temp directories (data, zoo.cfg, server output)",
        "");

    static final String PHASE_WRITES = "writes";
    static final String PHASE_CREATES = "creates";
    static final String PHASE_FIXED_RATE = "fixedrate";
    static final String PHASE_ELECTION = "election";
    static final String PHASE_ENSEMBLE = "ensemble";
    static final List<String> ALL_PHASES = List.of(PHASE_WRITES, PHASE_CREATES, PHASE_FIXED_RATE, PHASE_ELECTION,
        PHASE_ENSEMBLE);
    /** What runs without --phases: the ensemble phase only when asked for (it adds minutes). */
    static final List<String> DEFAULT_PHASES = List.of(PHASE_WRITES, PHASE_CREATES, PHASE_FIXED_RATE, PHASE_ELECTION);
    /** The parts of the ensemble phase: one per throughput workload, then latency and failover. */
    static final List<String> ENSEMBLE_PARTS = List.of("writes", "reads", "mix", "latency", "failover");

    int durationS = 10;
    int warmupS = 3;
    int repeats = 3;
    List<Integer> sessionCounts = List.of(8, 32);
    int outstanding = 100;
    int valueBytes = 1024;
    int writeNodes = 1000;
    int creates = 200_000;
    int createBytes = 64;
    int createSessions = 8;
    int createTimeoutS = 600;
    List<String> phases = DEFAULT_PHASES;
    List<String> ensembleParts = ENSEMBLE_PARTS;
    int electionRounds = 5;
    int ensembleRate = 2_000;
    int ensembleWarmupS = 60;
    int failoverRounds = 5;
    List<Integer> rates = List.of(2_000, 10_000);
    int fixedSessions = 8;
    int fixedOutstanding = 1000;
    List<String> jvmOpts = List.of("-Xmx2g");
    List<ServerKind> servers = List.of(ServerKind.ZOOKEEPER, ServerKind.PADDOCK);
    boolean paddockCds = true;
    boolean keep;
    boolean help;

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--quick")) {
                o.quick();
            } else if (name.equals("--keep")) {
                o.keep = true;
            } else if (name.equals("--help") || name.equals("-h")) {
                o.help = true;
            } else if (i + 1 < args.length) {
                o.set(name, args[++i]);
            } else {
                throw new BenchException("unknown option or missing value: " + name);
            }
        }
        return o;
    }

    private void quick() {
        durationS = 2;
        warmupS = 1;
        repeats = 1;
        writeNodes = 100;
        creates = 5_000;
        electionRounds = 1;
        failoverRounds = 2;
        ensembleWarmupS = 2;
    }

    private void set(String name, String value) {
        switch (name) {
            case "--duration-s" -> durationS = bounded(name, value, 1, 3600);
            case "--warmup-s" -> warmupS = bounded(name, value, 0, 600);
            case "--repeats" -> repeats = bounded(name, value, 1, 100);
            case "--sessions" -> sessionCounts = counts(name, value);
            case "--outstanding" -> outstanding = bounded(name, value, 1, 10_000);
            case "--value-bytes" -> valueBytes = bounded(name, value, 0, 1_000_000);
            case "--write-nodes" -> writeNodes = bounded(name, value, 1, 1_000_000);
            case "--creates" -> creates = bounded(name, value, 1, 10_000_000);
            case "--create-bytes" -> createBytes = bounded(name, value, 0, 1_000_000);
            case "--create-sessions" -> createSessions = bounded(name, value, 1, 1000);
            case "--create-timeout-s" -> createTimeoutS = bounded(name, value, 1, 7200);
            case "--phases" -> phases = names("phase", value, ALL_PHASES);
            case "--ensemble-parts" -> ensembleParts = names("ensemble part", value, ENSEMBLE_PARTS);
            case "--election-rounds" -> electionRounds = bounded(name, value, 1, 100);
            case "--ensemble-rate" -> ensembleRate = bounded(name, value, 1, 200_000);
            case "--ensemble-warmup-s" -> ensembleWarmupS = bounded(name, value, 0, 600);
            case "--failover-rounds" -> failoverRounds = bounded(name, value, 1, 100);
            case "--rates" -> rates = rates(name, value);
            case "--fixed-sessions" -> fixedSessions = bounded(name, value, 1, 1000);
            case "--fixed-outstanding" -> fixedOutstanding = bounded(name, value, 1, 100_000);
            case "--jvm-opts" -> jvmOpts = value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
            case "--servers" -> servers = Arrays.stream(value.split(",")).map(ServerKind::parse).distinct().toList();
            case "--paddock-cds" -> paddockCds = onOff(name, value);
            default -> throw new BenchException("unknown option: " + name);
        }
    }

    private static boolean onOff(String name, String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new BenchException(name + " must be on or off, got '" + value + "'");
        };
    }

    private static int bounded(String name, String value, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new BenchException(name + " needs a number, got '" + value + "'");
        }
        if (n < min || n > max) {
            throw new BenchException(name + " must be in " + min + ".." + max + ", got " + n);
        }
        return n;
    }

    private static List<Integer> counts(String name, String value) {
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            out.add(bounded(name, part, 1, 1000));
        }
        return List.copyOf(out);
    }

    private static List<String> names(String what, String value, List<String> known) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String name = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (!known.contains(name)) {
                throw new BenchException("unknown " + what + " '" + part + "' (" + String.join(", ", known) + ")");
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    private static List<Integer> rates(String name, String value) {
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            out.add(bounded(name, part, 1, 200_000));
        }
        return List.copyOf(out);
    }

    int durationS() { return durationS; }
    int warmupS() { return warmupS; }
    int repeats() { return repeats; }
    List<Integer> sessionCounts() { return sessionCounts; }
    int outstanding() { return outstanding; }
    int valueBytes() { return valueBytes; }
    int writeNodes() { return writeNodes; }
    int creates() { return creates; }
    int createBytes() { return createBytes; }
    int createSessions() { return createSessions; }
    int createTimeoutS() { return createTimeoutS; }
    boolean runs(String phase) { return phases.contains(phase); }
    boolean runsEnsemblePart(String part) { return ensembleParts.contains(part); }
    List<Integer> rates() { return rates; }
    int electionRounds() { return electionRounds; }
    int ensembleRate() { return ensembleRate; }
    int ensembleWarmupS() { return ensembleWarmupS; }
    int failoverRounds() { return failoverRounds; }
    int fixedSessions() { return fixedSessions; }
    int fixedOutstanding() { return fixedOutstanding; }
    List<String> jvmOpts() { return jvmOpts; }
    List<ServerKind> servers() { return servers; }
    boolean keep() { return keep; }
    boolean paddockCds() { return paddockCds; }
    boolean help() { return help; }

    String describe() {
        return "duration " + durationS + " s after " + warmupS + " s warm-up, " + repeats + " repeat(s), sessions "
            + sessionCounts + " x " + outstanding + " outstanding, setData " + valueBytes + " B on " + writeNodes
            + " nodes; " + creates + " creates of " + createBytes + " B on " + createSessions
            + " sessions; fixed rates " + rates + " ops/s on " + fixedSessions + " sessions, at most "
            + fixedOutstanding + " in flight each; " + electionRounds + " election round(s); ensemble: " + ensembleWarmupS + " s warm-up per load, fixed rate " + ensembleRate + " ops/s, " + failoverRounds
            + " failover round(s), parts " + ensembleParts + "; phases " + phases + "; server JVM flags " + jvmOpts
            + (paddockCds ? " (Paddock also with its class-data archive)" : "");
    }
}
