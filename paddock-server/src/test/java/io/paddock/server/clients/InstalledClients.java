package io.paddock.server.clients;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Where .ci/install-clients puts the non-Java clients, and whether they are there. */
final class InstalledClients {
    /** Debian's python, which python3-kazoo installs into (not a pyenv one on PATH). */
    static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
    static final Path C_CLIENT_HEADER = Path.of("/usr/include/zookeeper/zookeeper.h");
    private static final long PROBE_SECONDS_MAX = 20;

    private InstalledClients() {
    }

    /** Environment for Debian's python: nothing of another python's search path. */
    static Map<String, String> debianPythonEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PYTHONPATH", null);
        env.put("PYTHONHOME", null);
        return env;
    }

    static boolean kazooInstalled() throws IOException, InterruptedException {
        return Files.isExecutable(DEBIAN_PYTHON)
                && succeeds(List.of(DEBIAN_PYTHON.toString(), "-c", "import kazoo"), debianPythonEnv());
    }

    /**
     * {@code $PADDOCK_NODE_CLIENTS/node_modules}, by default {@code $HOME/.cache/paddock-node-clients},
     * the folders .ci/install-clients uses.
     */
    static Path nodeModules() {
        String folder = System.getenv("PADDOCK_NODE_CLIENTS");
        if (folder == null || folder.isEmpty()) {
            String home = System.getenv("HOME");
            if (home == null || home.isEmpty()) {
                home = System.getProperty("user.home");
            }
            folder = Path.of(home, ".cache", "paddock-node-clients").toString();
        }
        return Path.of(folder, "node_modules");
    }

    static boolean nodeClientInstalled() throws IOException, InterruptedException {
        return Files.isRegularFile(nodeModules().resolve("node-zookeeper-client").resolve("package.json"))
                && succeeds(List.of("node", "--version"), Map.of());
    }

    static boolean cClientInstalled() throws IOException, InterruptedException {
        return Files.isRegularFile(C_CLIENT_HEADER) && succeeds(List.of("gcc", "--version"), Map.of());
    }

    private static boolean succeeds(List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        try {
            return ScriptRun.run(command, env, PROBE_SECONDS_MAX).exitCode() == 0;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Cannot run program")) {
                return false; // the program is not installed
            }
            throw e;
        }
    }
}
