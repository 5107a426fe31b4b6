package io.paddock.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.paddock.core.Effect;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.ReplyHeader;

/**
 * Writes the core's answers as frames: a length, then the Jute-encoded records. A reply is a
 * ReplyHeader and its body; a watch notification is a ReplyHeader with xid -1 and a
 * WatcherEvent; a connect reply is the ConnectResponse alone.
 */
@ChannelHandler.Sharable
final class EffectEncoder extends MessageToByteEncoder<Effect> {
    static final EffectEncoder INSTANCE = new EffectEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, Effect msg, ByteBuf out) {
        JuteWriter w = new JuteWriter(128);
        w.writeInt(0); // the frame length, filled in below
        if (msg instanceof Effect.Reply r) {
            new ReplyHeader(r.xid(), r.zxid(), r.err()).write(w);
            if (r.body() != null) {
                r.body().write(w);
            }
        } else if (msg instanceof Effect.Watch watch) {
            new ReplyHeader(OpCode.XID_NOTIFICATION, watch.zxid(), 0).write(w);
            watch.event().write(w);
        } else if (msg instanceof Effect.ConnectReply c) {
            c.response().write(w);
        } else {
            throw new IllegalArgumentException("not a client message: " + msg);
        }
        w.putInt(0, w.size() - 4);
        out.writeBytes(w.array(), 0, w.size());
    }
}
