package io.paddock.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One server running as a child JVM on this bench's own class path. Only the process started
 * here is ever stopped, through its {@link Process} handle.
 */
final class ServerProcess implements AutoCloseable {
    private static final int PROBE_TIMEOUT_MS = 1000;
    private static final long POLL_INTERVAL_MS = 2;
    private static final int STOP_WAIT_S = 30;
    private static final int KILL_WAIT_S = 10;

    /** Every child started and not yet stopped, so a Ctrl-C of the bench does not orphan them. */
    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    private final ServerHome home;
    private final Process process;
    private final long startedAtNanos;

    private ServerProcess(ServerHome home, Process process, long startedAtNanos) {
        this.home = home;
        this.process = process;
        this.startedAtNanos = startedAtNanos;
    }

    /** The flags of Paddock's class-data archive ({@link ClassDataArchive}); none until one is made. */
    private static volatile List<String> paddockClassData = List.of();

    static void usePaddockClassData(List<String> flags) {
        paddockClassData = List.copyOf(flags);
    }

    /** Starts the server of {@code home}; output goes (appended) to the home's output log. */
    static ServerProcess start(ServerHome home, List<String> jvmOpts) throws IOException {
        return start(home, jvmOpts, home.kind().mainClass());
    }

    /** As {@link #start(ServerHome, List)}, with the given main class (an ensemble member's). */
    static ServerProcess start(ServerHome home, List<String> jvmOpts, String mainClass) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (home.kind() == ServerKind.PADDOCK) {
            command.addAll(paddockClassData); // first, as bin/paddock puts them, so jvmOpts win
        }
        command.addAll(jvmOpts);
        command.add("-cp");
        command.add(childClassPath());
        command.add(mainClass);
        command.addAll(home.kind().args(home.zooCfg()));
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(home.dir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.outputLog().toFile()));
        long startedAtNanos = System.nanoTime();
        Process process = builder.start();
        STARTED.add(process);
        return new ServerProcess(home, process, startedAtNanos);
    }

    /** Kills the children this bench started and has not stopped (for the shutdown hook only). */
    static void killStarted() {
        for (Process process : STARTED) {
            process.destroyForcibly();
        }
        try {
            for (Process process : STARTED) {
                process.waitFor(KILL_WAIT_S, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The bench's class path made absolute (the child runs in its own directory). */
    static String childClassPath() {
        String classPath = System.getProperty("java.class.path");
        List<String> absolute = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                absolute.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, absolute);
    }

    ServerHome home() {
        return home;
    }

    long pid() {
        return process.pid();
    }

    long startedAtNanos() {
        return startedAtNanos;
    }

    /**
     * Polls {@code srvr} until the server answers with its mode (ZooKeeper answers "not currently
     * serving" while it loads its data), or fails when the process dies or time runs out.
     */
    void awaitServing(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            checkAlive();
            try {
                String reply = FourLetterWord.ask(home.clientPort(), "srvr", PROBE_TIMEOUT_MS);
                if (reply.contains("Mode:")) {
                    return;
                }
                last = reply.trim();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        throw new BenchException(home.kind().label() + " not serving after " + timeoutMs + " ms (last probe: "
            + last + ")\n" + logTail(20));
    }

    /** Throws with the end of the server's output if the process has exited. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new BenchException(home.kind().label() + " (pid " + process.pid() + ") exited with code "
                + process.exitValue() + "\n" + logTail(30));
        }
    }

    /** VmRSS and VmHWM from /proc/<pid>/status, in KiB. */
    Memory memory() throws IOException {
        checkAlive();
        long rss = -1;
        long hwm = -1;
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kib(line);
            }
        }
        return new Memory(rss, hwm);
    }

    private static long kib(String statusLine) {
        String[] parts = statusLine.trim().split("\\s+");
        return Long.parseLong(parts[1]);
    }

    record Memory(long rssKib, long peakRssKib) {}

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final int JCMD_WAIT_S = 60;

    /**
     * The heap in use after a full collection, in KiB: what the server's data really needs, as
     * opposed to how far its JVM grew the heap. Asks {@code jcmd} (next to this JVM's java) for
     * GC.run then GC.heap_info; empty when jcmd is missing or answers something else.
     */
    OptionalLong liveHeapKibAfterFullGc() throws InterruptedException {
        checkAlive();
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return OptionalLong.empty();
        }
        try {
            if (jcmd(jcmd, "GC.run") == null) {
                return OptionalLong.empty();
            }
            String info = jcmd(jcmd, "GC.heap_info");
            Matcher m = info == null ? null : HEAP_USED.matcher(info);
            return m != null && m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Runs one jcmd command against this server; its output, or null if it failed or took too long. */
    private String jcmd(Path jcmd, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), command)
            .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes(); // jcmd's output is small; EOF comes when it exits
        if (!p.waitFor(JCMD_WAIT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    }

    /** SIGTERM, then a bounded wait; SIGKILL only if the server did not stop. Returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (process.waitFor(STOP_WAIT_S, TimeUnit.SECONDS)) {
            STARTED.remove(process);
            return process.exitValue();
        }
        process.destroyForcibly();
        if (!process.waitFor(KILL_WAIT_S, TimeUnit.SECONDS)) {
            throw new BenchException(home.kind().label() + " (pid " + process.pid() + ") survived SIGKILL");
        }
        STARTED.remove(process);
        throw new BenchException(home.kind().label() + " did not stop within " + STOP_WAIT_S
            + " s of SIGTERM and was killed\n" + logTail(20));
    }

    /**
     * SIGKILL ({@link Process#destroyForcibly()} on Linux) and a bounded wait for the exit.
     * Returns {@link System#nanoTime()} taken just before the signal was sent.
     */
    long kill() throws InterruptedException {
        long killedAtNanos = System.nanoTime();
        process.destroyForcibly();
        if (!process.waitFor(KILL_WAIT_S, TimeUnit.SECONDS)) {
            throw new BenchException(home.kind().label() + " (pid " + process.pid() + ") survived SIGKILL");
        }
        STARTED.remove(process);
        return killedAtNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    /** The last lines of the server's output, for error reports. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(home.outputLog(), StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return "--- last lines of " + home.outputLog() + " ---\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "(cannot read " + home.outputLog() + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return home.kind().label() + " pid " + process.pid() + " port " + home.clientPort() + " in " + home.dir();
    }
}
