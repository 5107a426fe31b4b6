package io.paddock.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** One server's temporary directory: its zoo.cfg, data dirs, output log and port. */
final class ServerHome {
    private final ServerKind kind;
    private final Path dir;
    private final Path zooCfg;
    private final Path outputLog;
    private final int clientPort;

    private ServerHome(ServerKind kind, Path dir, int clientPort) {
        this.kind = kind;
        this.dir = dir;
        this.zooCfg = dir.resolve("zoo.cfg");
        this.outputLog = dir.resolve("server-output.log");
        this.clientPort = clientPort;
    }

    /** Makes a fresh directory under {@code root} with a zoo.cfg on a free loopback port. */
    static ServerHome create(Path root, ServerKind kind, String purpose) throws IOException {
        Path dir = Files.createTempDirectory(root, kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + purpose + "-");
        ServerHome home = new ServerHome(kind, dir, freeLoopbackPort());
        Files.createDirectories(home.dataDir());
        Files.createDirectories(home.dataLogDir());
        Files.writeString(home.zooCfg, ZooCfg.render(home.clientPort, home.dataDir(), home.dataLogDir()),
            StandardCharsets.UTF_8);
        return home;
    }

    /**
     * Makes a fresh directory for one ensemble member: {@code zooCfgText} (which names this
     * member's own clientPort, dataDir and dataLogDir from {@code dataDirs}) and {@code myid} in
     * its dataDir. The caller picks the ports, since every member's file lists all of them.
     */
    static ServerHome createMember(Path root, ServerKind kind, String purpose, int clientPort, long myid,
            java.util.function.Function<ServerHome, String> zooCfgText) throws IOException {
        Path dir = Files.createTempDirectory(root, kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + purpose
            + "-" + myid + "-");
        ServerHome home = new ServerHome(kind, dir, clientPort);
        Files.createDirectories(home.dataDir());
        Files.createDirectories(home.dataLogDir());
        Files.writeString(home.dataDir().resolve("myid"), myid + "\n", StandardCharsets.US_ASCII);
        Files.writeString(home.zooCfg, zooCfgText.apply(home), StandardCharsets.UTF_8);
        return home;
    }

    /**
     * {@code count} distinct free loopback ports: all are held open together while they are
     * picked, so none is handed out twice (another program may still take one before the
     * server binds it, as with {@link #create}).
     */
    static int[] freeLoopbackPorts(int count) throws IOException {
        List<ServerSocket> held = new java.util.ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    ServerKind kind() {
        return kind;
    }

    Path dir() {
        return dir;
    }

    Path zooCfg() {
        return zooCfg;
    }

    Path outputLog() {
        return outputLog;
    }

    int clientPort() {
        return clientPort;
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    Path dataLogDir() {
        return dir.resolve("datalog");
    }

    /** Bytes and file counts of the data directories (snapshots, logs, everything else). */
    DiskUsage diskUsage() throws IOException {
        long bytes = 0;
        int snapshots = 0;
        int logs = 0;
        for (Path root : List.of(dataDir(), dataLogDir())) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    bytes += Files.size(p);
                    String name = p.getFileName().toString();
                    snapshots += name.startsWith("snapshot.") ? 1 : 0;
                    logs += name.startsWith("log.") ? 1 : 0;
                }
            }
        }
        return new DiskUsage(bytes, snapshots, logs);
    }

    record DiskUsage(long bytes, int snapshotFiles, int logFiles) {}

    /** Deletes the directory tree (only files this bench made under its own temp root). */
    void delete() {
        deleteTree(dir);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
