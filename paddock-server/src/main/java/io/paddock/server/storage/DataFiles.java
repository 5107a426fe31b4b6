package io.paddock.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Names of the files in the data directories: {@code log.<first zxid hex>} in dataLogDir and
 * {@code snapshot.<last zxid hex>} in dataDir, as ZooKeeper names its own (the contents are
 * Paddock's formats, so the two cannot be mixed up by accident: each starts with its magic).
 */
public final class DataFiles {
    public static final String LOG_PREFIX = "log.";
    public static final String SNAPSHOT_PREFIX = "snapshot.";

    private DataFiles() {}

    /** A file with the zxid in its name. */
    public record Numbered(Path path, long zxid) {}

    public static String snapshotName(long zxid) {
        return SNAPSHOT_PREFIX + Long.toHexString(zxid);
    }

    /** Files named {@code prefix<hex>} in {@code dir}, by zxid ascending; others are ignored. */
    public static List<Numbered> list(Path dir, String prefix) throws IOException {
        List<Numbered> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix) || !Files.isRegularFile(p)) {
                    continue;
                }
                try {
                    out.add(new Numbered(p, Long.parseUnsignedLong(name.substring(prefix.length()), 16)));
                } catch (NumberFormatException e) {
                    // a temporary or foreign file: not ours to read
                }
            }
        }
        out.sort(Comparator.comparingLong(Numbered::zxid));
        return out;
    }
}
