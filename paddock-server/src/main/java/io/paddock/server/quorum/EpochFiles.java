package io.paddock.server.quorum;

import io.paddock.server.storage.FileTxnLog;
import io.paddock.server.storage.StartupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * ZooKeeper's {@code acceptedEpoch} and {@code currentEpoch} files in dataDir: each holds one
 * epoch as decimal text (ZooKeeper's {@code QuorumPeer.writeLongToFile} writes
 * {@code Long.toString(value)}; its reader takes the first line), so a Paddock and a ZooKeeper
 * data directory read each other's.
 *
 * <p>Writes are safe: each file is written to {@code NAME.tmp}, fsynced, renamed over the old one,
 * then the directory is fsynced; acceptedEpoch is made durable before currentEpoch is touched, so a
 * crash between the two leaves current &lt;= accepted, which is what a reader requires. A missing file reads as
 * the epoch of the last logged zxid (ZooKeeper's default, 0 for empty data); a file that is not a
 * number, or epochs with current above accepted, refuse start-up naming the file.
 */
public final class EpochFiles {
    public static final String ACCEPTED = "acceptedEpoch";
    public static final String CURRENT = "currentEpoch";
    /** An epoch file is one short number; anything longer is not one. */
    static final long FILE_BYTES_MAX = 64;

    /** The two epochs as read or written. */
    public record Epochs(long acceptedEpoch, long currentEpoch) {}

    private final Path dir;
    private long writtenAccepted = -1;
    private long writtenCurrent = -1;

    public EpochFiles(Path dataDir) {
        this.dir = dataDir;
    }

    /** Reads both files; {@code defaultEpoch} stands in for a missing one. */
    public Epochs read(long defaultEpoch) throws StartupException {
        long accepted = readOne(ACCEPTED, defaultEpoch);
        long current = readOne(CURRENT, defaultEpoch);
        if (current > accepted) {
            throw new StartupException(dir.resolve(CURRENT) + " holds epoch " + current + ", above "
                    + dir.resolve(ACCEPTED) + "'s " + accepted + ": the epoch files are damaged");
        }
        writtenAccepted = accepted;
        writtenCurrent = current;
        return new Epochs(accepted, current);
    }

    /**
     * Makes both values durable, writing only the files whose value changed (acceptedEpoch first).
     * Returns once everything is on disk.
     */
    public void write(long accepted, long current) throws IOException {
        if (current > accepted) {
            throw new IllegalArgumentException("current epoch " + current + " above accepted " + accepted);
        }
        // Each rename is made durable (directory fsync) before the next file is touched: with one
        // directory fsync at the end, a crash could keep the currentEpoch rename and lose the
        // acceptedEpoch one, leaving current above accepted, which refuses start-up.
        if (accepted != writtenAccepted) {
            writeOne(ACCEPTED, accepted);
            FileTxnLog.syncDirectory(dir);
            writtenAccepted = accepted;
        }
        if (current != writtenCurrent) {
            writeOne(CURRENT, current);
            FileTxnLog.syncDirectory(dir);
            writtenCurrent = current;
        }
    }

    private long readOne(String name, long defaultEpoch) throws StartupException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            return defaultEpoch;
        }
        return readEpoch(file);
    }

    /** The epoch in one epoch file (its first line, as ZooKeeper reads it); a damaged file refuses, naming it. */
    public static long readEpoch(Path file) throws StartupException {
        String text;
        try {
            if (Files.size(file) > FILE_BYTES_MAX) {
                throw new StartupException(file + " is over " + FILE_BYTES_MAX + " bytes: not an epoch");
            }
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new StartupException("Cannot read " + file + ": " + e);
        }
        int newline = text.indexOf('\n');
        String line = (newline < 0 ? text : text.substring(0, newline)).trim();
        try {
            long epoch = Long.parseLong(line);
            if (epoch < 0) {
                throw new NumberFormatException("negative");
            }
            return epoch;
        } catch (NumberFormatException e) {
            throw new StartupException(file + " holds '" + line + "', not an epoch: the file is damaged");
        }
    }

    private void writeOne(String name, long value) throws IOException {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(Long.toString(value).getBytes(StandardCharsets.ISO_8859_1));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
