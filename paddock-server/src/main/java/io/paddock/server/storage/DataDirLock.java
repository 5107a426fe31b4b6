package io.paddock.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a data directory ({@value #NAME} in it, an operating-system file lock),
 * held by a running server, and taken by {@code export-zookeeper}: a second server on the same
 * directory, or an export of a running server's files, is refused instead of reading or writing
 * files another process is changing. The system drops the lock when its process dies, kill -9
 * included, so a crash leaves nothing to clean up.
 */
public final class DataDirLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirLock.class);
    public static final String NAME = "paddock.lock";
    /**
     * The lock files this JVM holds. Checked before any channel is opened: under POSIX rules,
     * closing any descriptor of a file drops every lock the process holds on it, so a refused
     * second attempt in the same JVM must not even open the file.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dataDir}, or refuses saying that {@code user} cannot have it. On a
     * file system without locks (some NFS and FUSE mounts) it warns and goes on unlocked, as
     * ZooKeeper always runs.
     */
    public static DataDirLock acquire(Path dataDir, String user) throws IOException, StartupException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(NAME).toAbsolutePath().normalize();
        Path key = dataDir.toRealPath().resolve(NAME);
        if (!HELD.add(key)) {
            throw refusal(dataDir, file, user);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException e) {
                LOG.warn("{} cannot be locked ({}): going on without the lock, so nothing stops a second process"
                        + " from using {}", file, e.toString(), dataDir);
                return new DataDirLock(key, channel, null);
            }
            if (lock == null) {
                throw refusal(dataDir, file, user);
            }
            return new DataDirLock(key, channel, lock);
        } catch (IOException | StartupException | RuntimeException e) {
            HELD.remove(key);
            if (channel != null) {
                channel.close();
            }
            throw e;
        }
    }

    private static StartupException refusal(Path dataDir, Path file, String user) {
        return new StartupException("another process uses " + dataDir + " (it holds " + file + "): " + user
                + " cannot use it while that process runs");
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) {
                lock.release();
            }
        } finally {
            channel.close();
            HELD.remove(file);
        }
    }
}
