package io.paddock.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.util.concurrent.FastThreadLocal;
import io.paddock.core.Effect;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.ReplyHeader;

/**
 * Writes the core's answers as frames: a length, then the Jute-encoded records. A reply is a
 * ReplyHeader and its body; a watch notification is a ReplyHeader with xid -1 and a
 * WatcherEvent; a connect reply is the ConnectResponse alone. Anything else written (a
 * four-letter word's text) passes through.
 *
 * <p>Each I/O thread encodes into its own reused {@link JuteWriter}, then copies the frame
 * into a pooled buffer of exactly its size: no garbage per reply.
 */
@ChannelHandler.Sharable
final class EffectEncoder extends ChannelOutboundHandlerAdapter {
    static final EffectEncoder INSTANCE = new EffectEncoder();
    /** A thread's writer keeps a buffer up to this size between replies; larger ones are dropped. */
    static final int WRITER_KEPT_BYTES_MAX = 64 * 1024;
    private static final int WRITER_INITIAL_BYTES = 1024;

    private static final FastThreadLocal<JuteWriter> WRITERS = new FastThreadLocal<>() {
        @Override
        protected JuteWriter initialValue() {
            return new JuteWriter(WRITER_INITIAL_BYTES);
        }
    };

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Effect effect)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf frame;
        try {
            frame = encode(ctx.alloc(), effect);
        } catch (RuntimeException e) {
            promise.setFailure(new EncoderException(e));
            return;
        }
        ctx.write(frame, promise);
    }

    /** The frame for {@code msg}, in a buffer from {@code alloc} that the caller now owns. */
    static ByteBuf encode(ByteBufAllocator alloc, Effect msg) {
        JuteWriter w = WRITERS.get();
        try {
            w.writeInt(0); // the frame length, filled in below
            writeMessage(w, msg);
            w.putInt(0, w.size() - 4);
            ByteBuf frame = alloc.ioBuffer(w.size(), w.size());
            frame.writeBytes(w.array(), 0, w.size());
            return frame;
        } finally {
            w.reset(WRITER_KEPT_BYTES_MAX);
        }
    }

    private static void writeMessage(JuteWriter w, Effect msg) {
        if (msg instanceof Effect.Reply r) {
            ReplyHeader.write(w, r.xid(), r.zxid(), r.err());
            if (r.body() != null) {
                r.body().write(w);
            }
        } else if (msg instanceof Effect.Watch watch) {
            ReplyHeader.write(w, OpCode.XID_NOTIFICATION, watch.zxid(), 0);
            watch.event().write(w);
        } else if (msg instanceof Effect.ConnectReply c) {
            c.response().write(w);
        } else {
            throw new IllegalArgumentException("not a client message: " + msg);
        }
    }
}
