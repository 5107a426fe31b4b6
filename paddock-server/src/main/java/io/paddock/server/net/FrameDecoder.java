package io.paddock.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts the byte stream into frames: a 4-byte big-endian length, then that many bytes. A length
 * that is negative or over {@code frameBytesMax} closes the connection at once, before anything
 * is allocated for it. The first four bytes of a connection may instead be a four-letter word
 * (ZooKeeper's admin commands); that is passed on as a {@link FourLetterWordRequest}.
 *
 * <p>A frame is passed on as a retained slice of the bytes read, not a copy: the next handler
 * decodes it at once and must release it.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int frameBytesMax;
    private final IntPredicate isFourLetterWord;
    private boolean firstFrame = true;
    private boolean failed;

    FrameDecoder(int frameBytesMax, IntPredicate isFourLetterWord) {
        this.frameBytesMax = frameBytesMax;
        this.isFourLetterWord = isFourLetterWord;
    }

    /** The first four bytes of a connection spelled a four-letter word. */
    record FourLetterWordRequest(int code) {}

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (firstFrame && isFourLetterWord.test(length)) {
            in.skipBytes(in.readableBytes());
            failed = true; // nothing after the word is read
            out.add(new FourLetterWordRequest(length));
            return;
        }
        if (length < 0 || length > frameBytesMax) {
            failed = true;
            in.skipBytes(in.readableBytes());
            LOG.warn("closing connection from {}: frame length {} is outside 0..{} (jute.maxbuffer)",
                    ctx.channel().remoteAddress(), length, frameBytesMax);
            ctx.close();
            return;
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        firstFrame = false;
        out.add(in.readRetainedSlice(length));
    }
}
