package io.paddock.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Paddock's members run as {@code bin/paddock} runs them: with a class-data archive of the classes
 * a server loads, made once by a training run ({@code io.paddock.server.Main cds-training} under
 * {@code -XX:ArchiveClassesAtExit}) on the bench's own class path, which its children share.
 * ZooKeeper's members run as {@code zkServer.sh} runs them, without one. {@code --paddock-cds off}
 * runs Paddock without it too, to see what the archive is worth.
 */
final class ClassDataArchive {
    /** Bound on the training run (about 2 s on 2 cores). */
    private static final long TRAINING_TIMEOUT_S = 120;

    private ClassDataArchive() {}

    /**
     * Makes the archive in {@code dir} and returns the flags that use it, or no flags (with a line
     * saying why) when the training failed.
     */
    static List<String> make(Path dir) throws InterruptedException {
        Path jsa = dir.resolve("paddock-classes.jsa");
        Path log = dir.resolve("paddock-cds-training.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long started = System.nanoTime();
        try {
            Process p = new ProcessBuilder(java, "-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off",
                    "-Xlog:cds+dynamic=off", "-cp", ServerProcess.childClassPath(), ServerKind.PADDOCK.mainClass(),
                    "cds-training")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            if (!p.waitFor(TRAINING_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.out.println("Paddock class-data training did not end in " + TRAINING_TIMEOUT_S
                    + " s: Paddock runs without an archive");
                return List.of();
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(jsa) || Files.size(jsa) == 0) {
                System.out.println("Paddock class-data training failed (exit " + p.exitValue() + ", see " + log
                    + "): Paddock runs without an archive");
                return List.of();
            }
            System.out.printf("Paddock runs with a class-data archive as bin/paddock runs it (%,d KiB, made in %,.0f ms;"
                + " --paddock-cds off runs without)%n", Files.size(jsa) / 1024, (System.nanoTime() - started) / 1e6);
            return List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        } catch (IOException e) {
            System.out.println("Paddock class-data training could not run (" + e + "): Paddock runs without an archive");
            return List.of();
        }
    }
}
