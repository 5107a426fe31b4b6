package io.paddock.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code paddock ensemble N [dir]}: a local ensemble on loopback for trying Paddock out, each
 * server its own JVM with its own dataDir ({@code dir/serverI}, default {@code ./ensemble}), myid
 * and free ports (kept in its zoo.cfg, so a second run reuses data and ports). It prints each
 * server's election as it happens (votes, the decision and why, the established epoch), prefixed
 * with the server's id, and keeps running until interrupted, when it stops the servers it started.
 * Kill the leader ({@code kill -9 PID}, printed at start) to watch the next election.
 */
final class LocalEnsembleCommand {
    static final int SERVERS_MIN = 3;
    static final int SERVERS_MAX = 9;
    static final int TICK_TIME_MS = 200;

    private LocalEnsembleCommand() {}

    static int run(int size, Path dir, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (size < SERVERS_MIN || size > SERVERS_MAX) {
            err.println("paddock ensemble: the size must be between " + SERVERS_MIN + " and " + SERVERS_MAX);
            return Main.EXIT_USAGE;
        }
        List<Path> configs = writeConfigs(size, dir);
        List<Process> servers = new ArrayList<>();
        Thread stopper = new Thread(() -> servers.forEach(p -> {
            p.destroy();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), "paddock-ensemble-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        for (int sid = 1; sid <= size; sid++) {
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m"));
            command.addAll(classDataFlags());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "server",
                    configs.get(sid - 1).toString()));
            ProcessBuilder b = new ProcessBuilder(command);
            b.redirectErrorStream(true);
            Process p = b.start();
            servers.add(p);
            out.println("[server " + sid + "] pid " + p.pid() + ", " + configs.get(sid - 1) + ", client port "
                    + clientPortOf(configs.get(sid - 1)));
            relay(sid, p, out);
        }
        out.println("ensemble of " + size + " started; kill -9 the leader's pid to see the next election; Ctrl-C stops all");
        for (Process p : servers) {
            p.waitFor();
        }
        return Main.EXIT_OK;
    }

    /**
     * The class-data flags this JVM was started with (bin/paddock's archive): the servers run from
     * the same jar, so the same archive serves them.
     */
    private static List<String> classDataFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:SharedArchiveFile=") || arg.startsWith("-Xlog:cds")) {
                flags.add(arg);
            }
        }
        return flags;
    }

    /** Prints the server's election lines (and failures) as they come, prefixed with its id. */
    private static void relay(int sid, Process p, PrintStream out) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    int at = line.indexOf("PeerShell - ");
                    if (at >= 0) {
                        out.println("[server " + sid + "] " + line.substring(at + "PeerShell - ".length()));
                    } else if (line.contains("ERROR") || line.contains("fatal") || line.contains("Invalid")) {
                        out.println("[server " + sid + "] " + line);
                    }
                }
            } catch (IOException e) {
                out.println("[server " + sid + "] output ended: " + e);
            }
            out.println("[server " + sid + "] exited");
        }, "paddock-ensemble-relay-" + sid);
        t.setDaemon(true);
        t.start();
    }

    private static List<Path> writeConfigs(int size, Path dir) throws IOException {
        List<Path> configs = new ArrayList<>();
        boolean reuse = true;
        for (int sid = 1; sid <= size; sid++) {
            reuse &= Files.exists(dir.resolve("server" + sid).resolve("zoo.cfg"));
        }
        int[][] ports = new int[size + 1][];
        for (int sid = 1; sid <= size; sid++) {
            ports[sid] = new int[] {freePort(), freePort(), freePort()};
        }
        for (int sid = 1; sid <= size; sid++) {
            Path data = dir.resolve("server" + sid).toAbsolutePath();
            Path cfg = data.resolve("zoo.cfg");
            configs.add(cfg);
            if (reuse) {
                continue;
            }
            Files.createDirectories(data);
            Files.writeString(data.resolve("myid"), sid + "\n");
            StringBuilder b = new StringBuilder()
                    .append("tickTime=").append(TICK_TIME_MS).append("\ninitLimit=10\nsyncLimit=5\n")
                    .append("dataDir=").append(data).append('\n')
                    .append("clientPort=").append(ports[sid][0]).append("\nclientPortAddress=127.0.0.1\n")
                    .append("4lw.commands.whitelist=*\n");
            for (int other = 1; other <= size; other++) {
                b.append("server.").append(other).append("=127.0.0.1:").append(ports[other][1]).append(':')
                        .append(ports[other][2]).append('\n');
            }
            Files.writeString(cfg, b.toString());
        }
        return configs;
    }

    private static String clientPortOf(Path cfg) throws IOException {
        for (String line : Files.readAllLines(cfg)) {
            if (line.startsWith("clientPort=")) {
                return line.substring("clientPort=".length());
            }
        }
        return "?";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
