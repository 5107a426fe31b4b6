package io.paddock.server.quorum;

import io.paddock.server.ServerConfig.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code myid} file in dataDir, read as ZooKeeper's {@code QuorumPeerConfig} reads it: the
 * first line, whitespace trimmed, a decimal server id. A missing, empty or non-numeric file is a
 * {@link ConfigException} that names the file; an id with no {@code server.N} line is refused by
 * the caller.
 */
public final class MyIdFile {
    public static final String NAME = "myid";
    /** A myid file is one short line; anything longer is not one. */
    static final long FILE_BYTES_MAX = 1024;

    private MyIdFile() {}

    public static long read(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + " file is missing: an ensemble member needs its server id there"
                    + " (e.g. echo 1 > " + file + ")");
        }
        String text;
        try {
            if (Files.size(file) > FILE_BYTES_MAX) {
                throw new ConfigException(file + " is over " + FILE_BYTES_MAX + " bytes: not a server id");
            }
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + file + ": " + e);
        }
        int newline = text.indexOf('\n');
        String line = (newline < 0 ? text : text.substring(0, newline)).trim();
        try {
            long id = Long.parseLong(line);
            if (id < 0) {
                throw new NumberFormatException("negative");
            }
            return id;
        } catch (NumberFormatException e) {
            throw new ConfigException(file + ": server id '" + line + "' is not a number");
        }
    }
}
