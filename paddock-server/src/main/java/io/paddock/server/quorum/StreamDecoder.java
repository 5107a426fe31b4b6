package io.paddock.server.quorum;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.paddock.core.wire.quorum.DecodeResult;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.QuorumAuthPacket;
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

    /** The first heap buffer a read is gathered in; it grows as a long message comes in. */
    static final int GATHER_BYTES_INITIAL = 64 * 1024;

    /**
     * Gathers what arrives in a pooled heap buffer, so the core's decoders read its array in place:
     * a read (the transport reads into direct buffers) is copied once, into memory that is reused,
     * where it was copied into a new array for each read (garbage: about 1.2 KB for each proposal a
     * follower reads, a tenth of what a member allocated per write).
     */
    static final Cumulator HEAP_CUMULATOR = (alloc, cumulation, in) -> {
        if (cumulation == in) { // as Netty's own cumulators: the same buffer handed back
            in.release();
            return cumulation;
        }
        try {
            int incoming = in.readableBytes();
            ByteBuf out = cumulation;
            if (!cumulation.hasArray() || cumulation.capacity() == 0 || cumulation.refCnt() != 1
                    || cumulation.isReadOnly() || cumulation.maxWritableBytes() < incoming) {
                out = alloc.heapBuffer(Math.max(GATHER_BYTES_INITIAL, cumulation.readableBytes() + incoming));
                out.writeBytes(cumulation, cumulation.readerIndex(), cumulation.readableBytes());
                cumulation.release();
            }
            out.writeBytes(in, in.readerIndex(), incoming);
            return out;
        } finally {
            in.release();
        }
    };

    private int bytesNeeded;

    /** Where SASL packets ({@link QuorumAuthPacket}) may come, before the connection's own traffic. */
    enum AuthStage {
        /** None (the exchange is over, or there is none). */
        NONE,
        /** The first message may be one (an accepted connection where quorum.auth.enableSasl is on). */
        MAYBE,
        /** Only they come now (an exchange in progress). */
        EXPECT
    }

    private AuthStage authStage = AuthStage.NONE;

    StreamDecoder() {
        setCumulator(HEAP_CUMULATOR);
    }

    /** Set by the connection's exchange ({@link QuorumAuthExchange}). */
    void expectAuth(AuthStage stage) {
        authStage = stage;
    }

    /**
     * {@code normal}, or the SASL packet decoder where the auth stage says one comes (MAYBE: where
     * the first eight bytes are ZooKeeper's magic; any other message ends the stage).
     */
    Step authAware(Step normal) {
        return switch (authStage) {
            case NONE -> normal;
            case EXPECT -> QuorumAuthPacket::decode;
            case MAYBE -> authOrElse(normal);
        };
    }

    private Step authOrElse(Step normal) {
        return (bytes, offset, length) -> {
            if (length < 8) {
                return new DecodeResult.NeedMore<>(8);
            }
            if (QuorumAuthPacket.startsWithMagic(bytes, offset)) {
                return QuorumAuthPacket.decode(bytes, offset, length);
            }
            authStage = AuthStage.NONE;
            return normal.decode(bytes, offset, length);
        };
    }

    /** The decoder for the next message (it may change once the first message is read). */
    abstract Step next();

    /** Maps a decoded message before it is passed on (e.g. notes the initial message); null passes nothing on. */
    Object received(Object message) {
        return message;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws PeerProtocolException {
        int n = in.readableBytes();
        if (n == 0 || n < bytesNeeded || !ctx.channel().isActive()) {
            return;
        }
        // One view of the readable bytes for every message in them: the gathered heap buffer's own
        // array (HEAP_CUMULATOR), or, for a direct one, one copy per read, not one per message
        // (copying the rest again for each of a hundred proposals in one read was quadratic, and
        // the leader's transport thread spent a third of its time in it).
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
                if (complete.value() instanceof QuorumAuthPacket p && p.status() != QuorumAuthPacket.IN_PROGRESS) {
                    // The server's last word: what follows at once is the connection's own traffic.
                    authStage = AuthStage.NONE;
                }
                Object message = received(complete.value());
                if (message != null) {
                    out.add(message);
                }
            }
        } finally {
            in.skipBytes(used);
        }
    }
}
