package io.paddock.server.storage;

import io.paddock.core.storage.DataFileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files in the data directories: {@code log.<first zxid hex>} in dataLogDir and
 * {@code snapshot.<last zxid hex>} in dataDir, named by {@link DataFileNames} (shared with the
 * simulated disk).
 */
public final class DataFiles {
    public static final String LOG_PREFIX = DataFileNames.LOG_PREFIX;
    public static final String SNAPSHOT_PREFIX = DataFileNames.SNAPSHOT_PREFIX;

    private DataFiles() {}

    /** A file with the zxid in its name. */
    public record Numbered(Path path, long zxid) {}

    public static String snapshotName(long zxid) {
        return DataFileNames.snapshotName(zxid);
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
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                long zxid = DataFileNames.zxidOf(name, prefix);
                if (zxid >= 0) {
                    out.add(new Numbered(p, zxid));
                }
            }
        }
        out.sort(Comparator.comparingLong(Numbered::zxid));
        return out;
    }
}
