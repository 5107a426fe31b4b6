package io.paddock.server.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pid file zkServer.sh writes in dataDir ({@value #NAME}): a ZooKeeper server still running on
 * a data directory keeps writing its files, so taking them over (the import at start) or replacing
 * them (export-zookeeper) then would fork its history. ZooKeeper takes no lock Paddock could see; its
 * pid file is the sign. A pid file naming a live process whose command line runs ZooKeeper's server
 * ({@code QuorumPeerMain} or {@code ZooKeeperServerMain}), or whose command line cannot be read,
 * refuses; one naming a dead process, another program, or a process started well after the file was
 * written (the pid reused after a kill -9) is stale and only noted. It covers {@code zkServer.sh
 * start} with its default pid file: {@code start-foreground} (Docker images, many systemd units)
 * writes none, a {@code ZOOPIDFILE} elsewhere is not looked for, and a ZooKeeper in another pid
 * namespace (another container on the same volume) cannot be seen.
 */
public final class ZooKeeperPidFile {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperPidFile.class);
    public static final String NAME = "zookeeper_server.pid";
    private static final String[] SERVER_MAINS = {"QuorumPeerMain", "ZooKeeperServerMain"};
    /** zkServer.sh writes the pid file right after it starts the JVM: a process started later is another one. */
    private static final long PID_FILE_WRITE_SECONDS_MAX = 60;

    private ZooKeeperPidFile() {
    }

    /** Refuses ({@code what} says what would be done) when a ZooKeeper server named by dataDir's pid file runs. */
    public static void refuseIfZooKeeperRuns(Path dataDir, String what) throws IOException, StartupException {
        Path file = dataDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return;
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).trim(); // any bytes read
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            LOG.warn("{} does not hold a process id ('{}'): taken for stale", file, text.length() > 40 ? text.substring(0, 40) : text);
            return;
        }
        Optional<ProcessHandle> process = pid == ProcessHandle.current().pid() ? Optional.empty() : ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            LOG.info("{} names process {}, which is not running: stale (ZooKeeper was killed, not stopped)", file, pid);
            return;
        }
        ProcessHandle.Info info = process.get().info();
        java.util.Optional<java.time.Instant> started = info.startInstant();
        java.time.Instant written = Files.getLastModifiedTime(file).toInstant();
        if (started.isPresent() && started.get().isAfter(written.plusSeconds(PID_FILE_WRITE_SECONDS_MAX))) {
            LOG.info("{} names process {}, which started after the file was written: its pid was reused, the file is"
                    + " stale", file, pid);
            return;
        }
        String commandLine = info.commandLine().orElse(null);
        String refusal = "ZooKeeper runs on " + dataDir + ": " + file + " names process " + pid + ", which is alive";
        String remedy = ". Stop it (zkServer.sh stop, or kill it) before " + what + "; if that process is not the ZooKeeper"
                + " of this directory, delete " + file;
        if (commandLine == null) {
            throw new StartupException(refusal + " and whose command line cannot be read (so it may be ZooKeeper)" + remedy);
        }
        for (String main : SERVER_MAINS) {
            if (commandLine.contains(main)) {
                throw new StartupException(refusal + " (" + main + ")" + remedy);
            }
        }
        LOG.info("{} names process {}, which runs something else ({}): stale", file, pid,
                commandLine.length() > 80 ? commandLine.substring(0, 80) + "..." : commandLine);
    }
}
