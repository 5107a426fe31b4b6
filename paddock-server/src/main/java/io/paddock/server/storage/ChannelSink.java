package io.paddock.server.storage;

import io.paddock.core.storage.ByteSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Appends encoded pieces to a file through one reusable direct buffer. Writing a heap buffer to
 * a channel would make the JDK copy it into a temporary direct buffer as large as the write and
 * keep that buffer cached on the thread for good; copying through our own bounded one avoids both.
 * IOException comes out as UncheckedIOException (the core's sink cannot throw it).
 */
final class ChannelSink implements ByteSink {
    /** The size of the direct buffer; writes of more go out in pieces of this size. */
    static final int DIRECT_BUFFER_BYTES = 256 * 1024;

    private final FileChannel channel;
    private final ByteBuffer direct;
    private long position;

    ChannelSink(FileChannel channel, ByteBuffer direct, long position) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("the buffer must be direct");
        }
        this.channel = channel;
        this.direct = direct;
        this.position = position;
    }

    static ByteBuffer newDirectBuffer() {
        return ByteBuffer.allocateDirect(DIRECT_BUFFER_BYTES);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        try {
            writeAt(bytes, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes[offset, offset + length)} at the current position and advances it. */
    void writeAt(byte[] bytes, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int piece = Math.min(length - done, direct.capacity());
            direct.clear();
            direct.put(bytes, offset + done, piece);
            direct.flip();
            writeFully(channel, direct, position);
            position += piece;
            done += piece;
        }
    }

    long position() {
        return position;
    }

    /** Writes all of {@code buffer} at {@code at}; a channel may write less than asked. */
    static void writeFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }
}
