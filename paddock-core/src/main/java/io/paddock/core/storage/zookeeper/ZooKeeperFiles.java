package io.paddock.core.storage.zookeeper;

/**
 * What Apache ZooKeeper (3.5 to 3.9) keeps in its data directories, as far as Paddock reads it to
 * take over a ZooKeeper server's data ({@code server.storage.ZooKeeperImport}): the folder
 * {@code version-2} under dataDir (snapshots, and the epoch files of an ensemble member) and
 * under dataLogDir (transaction logs). Both files start with ZooKeeper's {@code FileHeader}: magic
 * int, version int (2), dbid long.
 *
 * <ul>
 *   <li>{@code snapshot.<zxid hex>}: {@link ZooKeeperSnapshotFile}; with {@code .gz} or {@code
 *       .snappy} after the hex when {@code zookeeper.snapshot.compression.method} compressed it
 *       (the bytes inside are the same);</li>
 *   <li>{@code log.<zxid hex>}: {@link ZooKeeperLogFile}, the hex being the zxid of its first
 *       transaction.</li>
 * </ul>
 */
public final class ZooKeeperFiles {
    /** The folder ZooKeeper keeps its files in, under dataDir and dataLogDir ({@code FileTxnSnapLog.version}). */
    public static final String VERSION_DIR = "version-2";
    /** "ZKSN" ({@code FileSnap.SNAP_MAGIC}). */
    public static final int SNAP_MAGIC = 0x5a4b534e;
    /** "ZKLG" ({@code FileTxnLog.TXNLOG_MAGIC}). */
    public static final int LOG_MAGIC = 0x5a4b4c47;
    /** The only file version ZooKeeper writes and reads. */
    public static final int VERSION = 2;
    /** magic, version, dbid. */
    public static final int HEADER_BYTES = 16;

    public static final String SNAPSHOT_PREFIX = "snapshot.";
    public static final String LOG_PREFIX = "log.";

    /** How a snapshot file is compressed, from its name. */
    public enum Compression { NONE, GZIP, SNAPPY }

    /** A data file's name taken apart: its zxid, and for a snapshot its compression. */
    public record Name(long zxid, Compression compression) {}

    private ZooKeeperFiles() {}

    /** The zxid and compression of a snapshot file's name, or null when it is not one. */
    public static Name snapshotName(String fileName) {
        if (!fileName.startsWith(SNAPSHOT_PREFIX)) {
            return null;
        }
        String rest = fileName.substring(SNAPSHOT_PREFIX.length());
        Compression compression = Compression.NONE;
        if (rest.endsWith(".gz")) {
            compression = Compression.GZIP;
            rest = rest.substring(0, rest.length() - ".gz".length());
        } else if (rest.endsWith(".snappy")) {
            compression = Compression.SNAPPY;
            rest = rest.substring(0, rest.length() - ".snappy".length());
        }
        long zxid = hex(rest);
        return zxid < 0 ? null : new Name(zxid, compression);
    }

    /** The zxid a log file's name gives, or -1 when it is not one. */
    public static long logZxid(String fileName) {
        return fileName.startsWith(LOG_PREFIX) ? hex(fileName.substring(LOG_PREFIX.length())) : -1;
    }

    private static long hex(String s) {
        if (s.isEmpty() || s.length() > 16) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return -1;
            }
        }
        long v = Long.parseUnsignedLong(s, 16);
        return v < 0 ? -1 : v;
    }
}
