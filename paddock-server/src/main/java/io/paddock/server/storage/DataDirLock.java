package io.paddock.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory ({@value #NAME} in it, an operating-system file lock),
 * held by a running server, and taken by {@code export-zookeeper}: a second server on the same
 * directory, or an export of a running server's files, is refused instead of reading or writing
 * files another process is changing. The system drops the lock when its process dies, kill -9
 * included, so a crash leaves nothing to clean up.
 */
public final class DataDirLock implements AutoCloseable {
    public static final String NAME = "paddock.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code dataDir}, or refuses saying that {@code user} cannot have it. */
    public static DataDirLock acquire(Path dataDir, String user) throws IOException, StartupException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held in this JVM already
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new StartupException("another process uses " + dataDir + " (it holds " + file + "): " + user
                    + " cannot use it while that process runs");
        }
        return new DataDirLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
