package io.paddock.core.storage;

/**
 * Names of the data files, the same for the server's directories and the simulated disk:
 * {@code log.<first zxid hex>} for a {@link LogFormat} file and {@code snapshot.<last zxid hex>}
 * for a {@link SnapshotFormat} file, as ZooKeeper names its own (the contents are Paddock's
 * formats, so the two cannot be mixed up by accident: each starts with its magic). A name with
 * anything after the hex (a {@code .tmp} of an unfinished write) is not a data file.
 */
public final class DataFileNames {
    public static final String LOG_PREFIX = "log.";
    public static final String SNAPSHOT_PREFIX = "snapshot.";

    private DataFileNames() {}

    /** The name of a log file whose first record has {@code baseZxid}. */
    public static String logName(long baseZxid) {
        return LOG_PREFIX + Long.toHexString(baseZxid);
    }

    /** The name of a snapshot of the state after {@code lastZxid}. */
    public static String snapshotName(long lastZxid) {
        return SNAPSHOT_PREFIX + Long.toHexString(lastZxid);
    }

    /** The zxid in a name {@code prefix<hex>}, or -1 when the name is not of that form. */
    public static long zxidOf(String name, String prefix) {
        if (!name.startsWith(prefix) || name.length() == prefix.length()) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(name.substring(prefix.length()), 16);
        } catch (NumberFormatException e) {
            return -1; // a temporary or foreign file: not ours to read
        }
    }
}
