package io.paddock.server.net;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.paddock.core.CoreConfig;
import io.paddock.core.Effect;
import io.paddock.core.Replica;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateResponse;
import io.paddock.core.wire.GetDataResponse;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.RequestHeader;
import io.paddock.core.wire.Stat;
import io.paddock.server.failstop.FailStop;
import io.paddock.server.log.InMemoryTxnLog;
import io.paddock.server.loop.ReplicaLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the client pipeline's buffer handling: frames split or packed any way across reads
 * decode to the same requests (large ones past the reused decode buffer included), every
 * inbound buffer is released once decoded, and replies encode byte-for-byte as the records
 * write them, with the reused encode buffer surviving a reply larger than it keeps.
 */
class ClientPipelineTest {
    private static final int FRAME_MAX = 1 << 20;
    private final LinkedBlockingQueue<Effect> sent = new LinkedBlockingQueue<>();
    private Replica replica;
    private ReplicaLoop loop;
    private ClientConnections connections;
    private EmbeddedChannel channel;

    @BeforeEach
    void start() {
        replica = new Replica(new CoreConfig(2000, 4000, 40000, false, 60_000, 100, null), 0x100,
                new byte[] {1}, System.currentTimeMillis());
        ReplicaLoop.Outbox recording = new ReplicaLoop.Outbox() {
            @Override
            public void send(long connId, Effect message) {
                sent.add(message);
            }

            @Override
            public void close(long connId, String reason) {
                sent.add(new Effect.CloseClient(connId, reason));
            }

            @Override
            public void flush() {
            }
        };
        loop = new ReplicaLoop(replica, new InMemoryTxnLog(), recording, new FailStop(status -> { }, System.err), "test-loop");
        loop.start();
        connections = new ClientConnections(0, 10, 100, 1000);
        ClientPipeline pipeline = new ClientPipeline(connections, loop, FRAME_MAX, 10_000,
                code -> CompletableFuture.completedFuture(""));
        channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                pipeline.install(ch);
            }
        });
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        loop.close();
    }

    private static byte[] frame(JuteWriter body) {
        byte[] b = body.toByteArray();
        return new JuteWriter().writeInt(b.length).writeRaw(b, 0, b.length).toByteArray();
    }

    private static byte[] createFrame(int xid, String path, byte[] data) {
        JuteWriter w = new JuteWriter();
        new RequestHeader(xid, OpCode.CREATE).write(w);
        new CreateRequest(path, data, Acl.OPEN, 0).write(w);
        return frame(w);
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Feeds {@code bytes} in reads of {@code readBytes}; returns the buffers written in. */
    private List<ByteBuf> feed(byte[] bytes, int readBytes) {
        List<ByteBuf> written = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += readBytes) {
            ByteBuf buf = Unpooled.directBuffer().writeBytes(bytes, at, Math.min(readBytes, bytes.length - at));
            written.add(buf);
            channel.writeInbound(buf);
        }
        return written;
    }

    private Effect next() throws InterruptedException {
        Effect e = sent.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "nothing came out of the loop within 10 s");
        return e;
    }

    /**
     * A half-closed four-letter-word connection stays open for its answer, but not for ever: if
     * the answer does not come within the handshake timeout, the connection is closed.
     */
    @Test
    void aFourLetterWordWaitsForItsAnswerOnlyUpToTheHandshakeTimeout() {
        CompletableFuture<String> never = new CompletableFuture<>();
        ClientPipeline pipeline = new ClientPipeline(connections, loop, FRAME_MAX, 50, code -> never);
        EmbeddedChannel wordChannel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                pipeline.install(ch);
            }
        });
        try {
            wordChannel.writeInbound(Unpooled.copiedBuffer("ruok", StandardCharsets.US_ASCII));
            wordChannel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            assertTrue(wordChannel.isOpen(), "a half-closed 4lw connection waits for its answer");
            wordChannel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
            wordChannel.runScheduledPendingTasks();
            assertFalse(wordChannel.isOpen(), "closed once the answer is overdue");
        } finally {
            wordChannel.finishAndReleaseAll();
        }
    }

    @Test
    void framesDecodeHoweverTheyAreCutAndEveryBufferIsReleased() throws Exception {
        byte[] big = new byte[ClientHandler.SCRATCH_BYTES + 1000];
        Arrays.fill(big, (byte) 7);
        byte[] stream = concat(frame(new JuteWriter().write(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false))),
                createFrame(1, "/a", "x".getBytes()), createFrame(2, "/big", big), createFrame(3, "/c", new byte[64]));
        List<ByteBuf> written = feed(stream, 37);
        assertInstanceOf(Effect.ConnectReply.class, next());
        for (String path : List.of("/a", "/big", "/c")) {
            Effect.Reply reply = assertInstanceOf(Effect.Reply.class, next());
            assertEquals(0, reply.err(), path);
            assertEquals(new CreateResponse(path), reply.body());
        }
        assertArrayEquals(big, loop.call(() -> replica.tree().get("/big").data()).get(10, TimeUnit.SECONDS));
        for (ByteBuf buf : written) {
            assertEquals(0, buf.refCnt(), "an inbound buffer was not released");
        }
        assertTrue(channel.isOpen());
    }

    @Test
    void manyFramesInOneReadAllDecode() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        frames.add(frame(new JuteWriter().write(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false))));
        for (int i = 0; i < 50; i++) {
            frames.add(createFrame(i, "/n" + i, new byte[i]));
        }
        List<ByteBuf> written = feed(concat(frames.toArray(new byte[0][])), Integer.MAX_VALUE);
        assertInstanceOf(Effect.ConnectReply.class, next());
        for (int i = 0; i < 50; i++) {
            Effect.Reply reply = assertInstanceOf(Effect.Reply.class, next());
            assertEquals(i, reply.xid());
            assertEquals(new CreateResponse("/n" + i), reply.body());
        }
        assertEquals(0, written.get(0).refCnt());
    }

    @Test
    void aFrameThatDoesNotDecodeClosesTheConnectionAndIsReleased() {
        JuteWriter bad = new JuteWriter();
        bad.writeInt(7).writeInt(OpCode.CREATE).writeInt(1000); // a path longer than the frame
        List<ByteBuf> written = feed(concat(
                frame(new JuteWriter().write(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false))),
                frame(bad)), Integer.MAX_VALUE);
        channel.runPendingTasks();
        assertFalse(channel.isOpen(), "a malformed request closes the connection");
        assertEquals(0, written.get(0).refCnt());
    }

    private static byte[] bytesOf(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        buf.release();
        return b;
    }

    @Test
    void repliesEncodeAsTheRecordsWriteThem() {
        Stat stat = new Stat(1, 2, 3, 4, 5, 6, 7, 0, 8, 9, 10);
        byte[] large = new byte[EffectEncoder.WRITER_KEPT_BYTES_MAX * 2];
        Arrays.fill(large, (byte) 3);
        for (byte[] data : List.of("small".getBytes(), large, "small again".getBytes())) {
            channel.writeOutbound(new Effect.Reply(1, 42, 0x1234L, 0, new GetDataResponse(data, stat)));
            JuteWriter expected = new JuteWriter().writeInt(42).writeLong(0x1234L).writeInt(0);
            new GetDataResponse(data, stat).write(expected);
            assertArrayEquals(frame(expected), bytesOf(channel.readOutbound()));
        }
        channel.writeOutbound(new Effect.Reply(1, 43, 7, -101, null));
        assertArrayEquals(frame(new JuteWriter().writeInt(43).writeLong(7).writeInt(-101)),
                bytesOf(channel.readOutbound()));
        ByteBuf text = Unpooled.copiedBuffer("imok".getBytes());
        channel.writeOutbound(text);
        assertSame(text, channel.readOutbound(), "other messages pass through");
        text.release();
    }
}
