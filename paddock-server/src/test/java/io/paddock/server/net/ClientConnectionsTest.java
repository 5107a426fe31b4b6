package io.paddock.server.net;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.channel.embedded.EmbeddedChannel;
import io.paddock.core.Effect;
import io.paddock.core.wire.OpCode;
import org.junit.jupiter.api.Test;

/**
 * Proves the in-flight bounds pause and resume reading: a connection stops being read when it
 * or the whole server has too many requests in flight, and every paused connection is read
 * again once replies bring the counts down (the benchmark once found a connection left paused
 * forever). Uses Netty's embedded channel: a real channel whose event loop runs on demand.
 */
class ClientConnectionsTest {
    private static Effect.Reply reply(long connId) {
        return new Effect.Reply(connId, 1, 1, 0, null);
    }

    @Test
    void aConnectionPausesAtItsOwnBoundAndResumesBelowIt() {
        ClientConnections conns = new ClientConnections(0, 100, 2, 1000);
        EmbeddedChannel ch = new EmbeddedChannel();
        ClientConnections.Conn c = conns.open(ch, "127.0.0.1");
        conns.requestArrived(c, OpCode.GET_DATA);
        assertTrue(ch.config().isAutoRead());
        conns.requestArrived(c, OpCode.GET_DATA);
        assertFalse(ch.config().isAutoRead(), "two in flight with a bound of two");
        conns.send(c.id, reply(c.id));
        ch.runPendingTasks();
        assertTrue(ch.config().isAutoRead(), "read again after a reply");
        assertEquals(1, conns.outstandingRequests());
    }

    @Test
    void theServerWideBoundPausesHeavyConnectionsOnlyAndReadsThemAgain() {
        ClientConnections conns = new ClientConnections(0, 100, 100, 4);
        EmbeddedChannel heavyA = new EmbeddedChannel();
        EmbeddedChannel heavyB = new EmbeddedChannel();
        EmbeddedChannel light = new EmbeddedChannel();
        ClientConnections.Conn a = conns.open(heavyA, "127.0.0.1");
        ClientConnections.Conn b = conns.open(heavyB, "127.0.0.1");
        ClientConnections.Conn l = conns.open(light, "127.0.0.1");
        conns.requestArrived(a, OpCode.GET_DATA);
        conns.requestArrived(a, OpCode.GET_DATA);
        assertTrue(heavyA.config().isAutoRead(), "below the server-wide bound");
        conns.requestArrived(b, OpCode.GET_DATA);
        conns.requestArrived(b, OpCode.GET_DATA);
        assertFalse(heavyB.config().isAutoRead(), "over its fair share (4 / 3 connections) at the bound");
        conns.requestArrived(a, OpCode.GET_DATA);
        assertFalse(heavyA.config().isAutoRead(), "decided as each request arrives");
        conns.requestArrived(l, OpCode.GET_DATA);
        assertTrue(light.config().isAutoRead(), "one request at a time is never starved");
        for (ClientConnections.Conn c : new ClientConnections.Conn[] {a, b, a, b, a}) {
            conns.send(c.id, reply(c.id));
        }
        for (EmbeddedChannel ch : new EmbeddedChannel[] {heavyA, heavyB, light}) {
            ch.runPendingTasks();
            assertTrue(ch.config().isAutoRead(), "a paused connection was never read again");
        }
        assertEquals(1, conns.outstandingRequests());
    }

    @Test
    void connectionsBeyondTheBoundsAreRefused() {
        ClientConnections conns = new ClientConnections(1, 2, 10, 10);
        assertNotNull(conns.open(new EmbeddedChannel(), "10.0.0.1"));
        assertNull(conns.open(new EmbeddedChannel(), "10.0.0.1"), "maxClientCnxns per address");
        assertNotNull(conns.open(new EmbeddedChannel(), "10.0.0.2"));
        assertNull(conns.open(new EmbeddedChannel(), "10.0.0.3"), "maxConnections in all");
    }

    /**
     * The loop's messages for a connection reach its channel at the flush, in order, in one task
     * on the channel's event loop (one per message before); a close after sends writes them first.
     */
    @Test
    void messagesGoOutInOrderAtTheFlushAndBeforeAClose() {
        ClientConnections conns = new ClientConnections(0, 100, 10, 1000);
        EmbeddedChannel ch = new EmbeddedChannel();
        ClientConnections.Conn c = conns.open(ch, "127.0.0.1");
        Effect.Reply first = new Effect.Reply(c.id, 1, 1, 0, null);
        Effect.Reply second = new Effect.Reply(c.id, 2, 1, 0, null);
        Effect.Reply third = new Effect.Reply(c.id, 3, 2, 0, null);
        conns.send(c.id, first);
        conns.send(c.id, second);
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "nothing written before the loop's flush");
        conns.flush();
        ch.runPendingTasks();
        assertSame(first, ch.readOutbound());
        assertSame(second, ch.readOutbound());
        assertNull(ch.readOutbound());
        conns.flush(); // nothing new: no write
        ch.runPendingTasks();
        assertNull(ch.readOutbound());

        conns.send(c.id, third);
        conns.close(c.id, "test");
        ch.runPendingTasks();
        assertSame(third, ch.readOutbound(), "a reply sent before the close goes out before it");
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "closed after its last reply");
    }
}
