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
 * ({@code QuorumPeerMain} or {@code ZooKeeperServerMain}) refuses; one naming a dead process, or
 * another program (the pid reused after a kill -9), is stale and only noted.
 */
public final class ZooKeeperPidFile {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperPidFile.class);
    public static final String NAME = "zookeeper_server.pid";
    private static final String[] SERVER_MAINS = {"QuorumPeerMain", "ZooKeeperServerMain"};

    private ZooKeeperPidFile() {
    }

    /** Refuses ({@code what} says what would be done) when a ZooKeeper server named by dataDir's pid file runs. */
    public static void refuseIfZooKeeperRuns(Path dataDir, String what) throws IOException, StartupException {
        Path file = dataDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
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
        String commandLine = process.get().info().commandLine().orElse("");
        for (String main : SERVER_MAINS) {
            if (commandLine.contains(main)) {
                throw new StartupException("ZooKeeper runs on " + dataDir + ": " + file + " names process " + pid + " ("
                        + main + "), which is alive. Stop it (zkServer.sh stop, or kill it) before " + what
                        + "; if that process is not the ZooKeeper of this directory, delete " + file);
            }
        }
        LOG.info("{} names process {}, which runs something else ({}): stale", file, pid,
                commandLine.isEmpty() ? "its command line cannot be read" : commandLine.length() > 80 ? commandLine.substring(0, 80) + "..." : commandLine);
    }
}
