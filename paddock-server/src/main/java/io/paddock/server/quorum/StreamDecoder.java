package io.paddock.server.quorum;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.paddock.core.wire.quorum.DecodeResult;
import io.paddock.core.wire.quorum.PeerProtocolException;
import java.util.List;

/**
 * Turns a peer's byte stream into messages with one of the core's stream decoders (they answer
 * Complete, NeedMore or throw {@link PeerProtocolException}). A NeedMore's size is remembered, so a
 * message that trickles in is decoded once when it is whole, not once per read. A decoder that
 * throws ends the connection (the exception reaches the channel's handler, which logs one line).
 */
abstract class StreamDecoder extends ByteToMessageDecoder {
    /** One of the core's decoders over (bytes, offset, length). */
    interface Step {
        DecodeResult<?> decode(byte[] bytes, int offset, int length) throws PeerProtocolException;
    }

    private int bytesNeeded;

    /** The decoder for the next message (it may change once the first message is read). */
    abstract Step next();

    /** Maps a decoded message before it is passed on (e.g. notes the initial message). */
    Object received(Object message) {
        return message;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws PeerProtocolException {
        int n = in.readableBytes();
        if (n == 0 || n < bytesNeeded || !ctx.channel().isActive()) {
            return;
        }
        // One view of the readable bytes for every message in them: a direct buffer is copied once
        // per read, not once per message (copying the rest again for each of a hundred proposals in
        // one read was quadratic, and the leader's transport thread spent a third of its time in it).
        byte[] bytes;
        int start;
        if (in.hasArray()) {
            bytes = in.array();
            start = in.arrayOffset() + in.readerIndex();
        } else {
            bytes = ByteBufUtil.getBytes(in, in.readerIndex(), n, false);
            start = 0;
        }
        int used = 0;
        try {
            while (used < n && n - used >= bytesNeeded && ctx.channel().isActive()) {
                DecodeResult<?> result = next().decode(bytes, start + used, n - used);
                if (result instanceof DecodeResult.NeedMore<?> more) {
                    bytesNeeded = more.bytesNeeded();
                    return;
                }
                DecodeResult.Complete<?> complete = (DecodeResult.Complete<?>) result;
                used += complete.length();
                bytesNeeded = 0;
                out.add(received(complete.value()));
            }
        } finally {
            in.skipBytes(used);
        }
    }
}
