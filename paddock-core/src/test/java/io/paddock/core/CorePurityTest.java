package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps paddock-core pure (DESIGN.md): no threads, sockets, files, clocks or ambient randomness
 * in its main sources, so the simulator can drive the same code deterministically. This is the
 * build check: a forbidden import or call fails the build and names the file and line.
 */
class CorePurityTest {
    private static final Pattern FORBIDDEN = Pattern.compile(
            "import\\s+(io\\.netty|java\\.net\\.|java\\.nio\\.channels|java\\.nio\\.file|java\\.io\\.File"
            + "|java\\.util\\.Random\\b|java\\.util\\.concurrent\\.ThreadLocalRandom|java\\.util\\.UUID"
            + "|java\\.security\\.SecureRandom|java\\.time\\.Clock)"
            + "|new\\s+Thread\\s*\\(|Thread\\.sleep|System\\.(currentTimeMillis|nanoTime)"
            + "|Instant\\.now|LocalDateTime\\.now|new\\s+Random\\s*\\(|Math\\.random");

    @Test
    void coreSourcesReachForNoIoThreadsClocksOrRandomness() throws IOException {
        Path root = Path.of("src/main/java");
        assertTrue(Files.isDirectory(root), "run from the paddock-core module: " + root.toAbsolutePath());
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (FORBIDDEN.matcher(lines.get(i)).find()) {
                        violations.add(file + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertTrue(violations.isEmpty(), "paddock-core must stay pure:\n" + String.join("\n", violations));
    }
}
