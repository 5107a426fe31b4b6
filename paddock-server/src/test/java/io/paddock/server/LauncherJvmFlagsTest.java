package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that the launcher {@code bin/paddock} hands the JVM flags of ZooKeeper's variables to
 * java: {@code SERVER_JVMFLAGS}, then {@code JVMFLAGS} (zkServer.sh's order, so JVMFLAGS wins a
 * flag both set), then Paddock's {@code PADDOCK_JVM_OPTS} (last, so it wins over both); a heap
 * flag really sets the heap. Also that {@code bin/paddock server} with an ensemble's zoo.cfg
 * exits 1 with the reason. The launcher is copied into a scratch tree beside a small jar that
 * runs Main from the test's classpath, so no Maven build happens inside the test.
 */
class LauncherJvmFlagsTest {
    private static final long RUN_BOUND_MS = 60_000;
    private static final String PROBE = "paddock.launcher.probe";

    @TempDir
    Path root;

    @BeforeEach
    void launcherBesideAJar() throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path launcher = Path.of(System.getProperty("user.dir")).resolve("../bin/paddock").normalize();
        Files.copy(launcher, bin.resolve("paddock"));
        assertTrue(bin.resolve("paddock").toFile().setExecutable(true));
        Path target = Files.createDirectories(root.resolve("paddock-server/target"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.append(classPath.length() == 0 ? "" : " ").append(Path.of(entry).toUri());
        }
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath.toString());
        try (OutputStream out = Files.newOutputStream(target.resolve("paddock-server-test-all.jar"));
             JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
    }

    private record Run(int exit, String output) {}

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/paddock").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JVMFLAGS");
        builder.environment().remove("SERVER_JVMFLAGS");
        builder.environment().remove("PADDOCK_JVM_OPTS");
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
            + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().putAll(env);
        Process p = builder.start();
        byte[] output = p.getInputStream().readAllBytes(); // until the process closes its output
        if (!p.waitFor(RUN_BOUND_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/paddock did not finish in " + RUN_BOUND_MS + " ms");
        }
        return new Run(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** Runs {@code bin/paddock version} with {@code env}; it must succeed. */
    private Run probe(Map<String, String> env) throws Exception {
        Run r = run(env, "version");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("(ZooKeeper 3.9.5 compatible)"), r.output());
        return r;
    }

    /** How java's -XshowSettings:properties prints the probe property with {@code value}. */
    private static String probed(String value) {
        return PROBE + " = " + value;
    }

    @Test
    void eachVariableReachesJava() throws Exception {
        for (String variable : List.of("JVMFLAGS", "SERVER_JVMFLAGS", "PADDOCK_JVM_OPTS")) {
            Run r = probe(Map.of(variable, "-XshowSettings:properties -D" + PROBE + "=" + variable));
            assertTrue(r.output().contains(probed(variable)), variable + ":\n" + r.output());
        }
    }

    @Test
    void jvmflagsWinsOverServerJvmflagsAndPaddockJvmOptsWinsOverBoth() throws Exception {
        Run zkPair = probe(Map.of("SERVER_JVMFLAGS", "-XshowSettings:properties -D" + PROBE + "=server",
            "JVMFLAGS", "-D" + PROBE + "=jvmflags"));
        assertTrue(zkPair.output().contains(probed("jvmflags")), zkPair.output());
        Run all = probe(Map.of("SERVER_JVMFLAGS", "-XshowSettings:properties -D" + PROBE + "=server",
            "JVMFLAGS", "-D" + PROBE + "=jvmflags", "PADDOCK_JVM_OPTS", "-D" + PROBE + "=paddock"));
        assertTrue(all.output().contains(probed("paddock")), all.output());
    }

    @Test
    void aHeapFlagSetsTheHeap() throws Exception {
        Run r = probe(Map.of("SERVER_JVMFLAGS", "-Xmx96m -XshowSettings:vm"));
        assertTrue(r.output().contains("Max. Heap Size: 96.00M"), r.output());
    }

    /**
     * A command that runs a server makes the class-data archive beside the jar once (this test's
     * jar points at class directories, which the JVM refuses to archive: an empty file marks the
     * failed training, so it is not tried again until the jar changes), and the server runs all
     * the same, with no CDS warning in its output. {@code version} makes none; PADDOCK_CDS=off makes none.
     */
    @Test
    void aServerCommandTrainsTheClassDataArchiveOnceAndRunsWithoutOneItCannotMake() throws Exception {
        Path jsa = root.resolve("paddock-server/target/paddock-server-test-all.jsa");
        probe(Map.of());
        assertFalse(Files.exists(jsa), "version made a class-data archive");
        Path cfg = ensembleConfigWithoutInitLimit();
        Run off = run(Map.of("PADDOCK_CDS", "off"), "server", cfg.toString());
        assertEquals(1, off.exit(), off.output());
        assertFalse(Files.exists(jsa), "PADDOCK_CDS=off made a class-data archive");
        Run first = run(Map.of(), "server", cfg.toString());
        assertEquals(1, first.exit(), first.output());
        assertTrue(first.output().contains("initLimit is not set"), first.output());
        assertFalse(first.output().toLowerCase(java.util.Locale.ROOT).contains("cds"), first.output());
        assertTrue(Files.exists(jsa), "no class-data archive (or marker) after a server command");
        FileTime made = Files.getLastModifiedTime(jsa);
        Files.setLastModifiedTime(jsa, FileTime.fromMillis(made.toMillis() + 1000)); // newer than the jar still
        FileTime marked = Files.getLastModifiedTime(jsa);
        Run second = run(Map.of(), "server", cfg.toString());
        assertEquals(1, second.exit(), second.output());
        assertEquals(marked, Files.getLastModifiedTime(jsa), "the training ran again for the same jar");
    }

    private Path ensembleConfigWithoutInitLimit() throws IOException {
        Path cfg = root.resolve("zoo.cfg");
        Files.writeString(cfg, "dataDir=" + root.resolve("data") + "\nclientPort=0\nclientPortAddress=127.0.0.1\n"
            + "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n");
        return cfg;
    }

    @Test
    void anEnsembleConfigWithoutInitLimitExits1WithTheReason() throws Exception {
        Path cfg = ensembleConfigWithoutInitLimit();
        Run r = run(Map.of(), "server", cfg.toString());
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("initLimit is not set"), r.output());
    }
}
