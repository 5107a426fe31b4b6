package io.paddock.server.durability;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.paddock.core.storage.LogFormat;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import io.paddock.server.storage.DataFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Finds and damages the server's files, the way a crash or a bad disk would (server stopped). */
final class DiskBytes {
    private DiskBytes() {
    }

    static List<DataFiles.Numbered> logs(Path logDir) throws IOException {
        return DataFiles.list(logDir, DataFiles.LOG_PREFIX);
    }

    static List<DataFiles.Numbered> snapshots(Path dataDir) throws IOException {
        return DataFiles.list(dataDir, DataFiles.SNAPSHOT_PREFIX);
    }

    static DataFiles.Numbered newest(List<DataFiles.Numbered> files) {
        assertFalse(files.isEmpty(), "no files");
        return files.get(files.size() - 1);
    }

    static ScanResult scan(Path log) throws IOException {
        return LogScanner.scan(Files.readAllBytes(log), log.toString());
    }

    /** Offsets of the records' frame headers, read by walking the length fields. */
    static List<Integer> recordOffsets(Path log) throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        List<Integer> offsets = new ArrayList<>();
        int pos = LogFormat.HEADER_BYTES;
        while (pos + LogFormat.FRAME_HEADER_BYTES <= bytes.length) {
            int length = ByteBuffer.wrap(bytes, pos, 4).getInt();
            if (length <= 0 || pos + LogFormat.FRAME_HEADER_BYTES + length > bytes.length) {
                break;
            }
            offsets.add(pos);
            pos += LogFormat.FRAME_HEADER_BYTES + length;
        }
        return offsets;
    }

    /** Inverts every bit of the byte at {@code offset}. */
    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            if (ch.read(one, offset) != 1) {
                throw new IOException(file + " has no byte at " + offset);
            }
            one.put(0, (byte) ~one.get(0));
            one.rewind();
            ch.write(one, offset);
        }
    }

    /** Writes {@code bytes} at {@code offset}, growing the file if needed. */
    static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer, offset + buffer.position());
            }
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }
}
