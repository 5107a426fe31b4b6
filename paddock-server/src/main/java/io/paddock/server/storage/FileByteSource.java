package io.paddock.server.storage;

import io.paddock.core.storage.ByteSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file read front to back through one fixed direct buffer, so a large snapshot streams into
 * the decoder without being held whole (and without the JDK's per-thread temporary buffer that
 * reading into heap arrays would cache). IOException comes out as UncheckedIOException.
 */
final class FileByteSource implements ByteSource, AutoCloseable {
    static final int BUFFER_BYTES = 256 * 1024;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private boolean atEnd;

    FileByteSource(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        buffer.limit(0);
    }

    @Override
    public int read(byte[] dst, int offset, int length) {
        if (!buffer.hasRemaining() && !refill()) {
            return -1;
        }
        int n = Math.min(length, buffer.remaining());
        buffer.get(dst, offset, n);
        return n;
    }

    /** Reads the next piece of the file into the buffer; false at the end of the file. */
    private boolean refill() {
        if (atEnd) {
            return false;
        }
        buffer.clear();
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    atEnd = true;
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buffer.flip();
        return buffer.hasRemaining();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
