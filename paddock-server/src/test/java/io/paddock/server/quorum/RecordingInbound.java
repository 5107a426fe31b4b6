package io.paddock.server.quorum;

import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.quorum.NotificationMessage;
import io.paddock.core.wire.quorum.QuorumPacket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** A transport's listener for tests: what it hears goes to queues the test reads. */
final class RecordingInbound implements QuorumTransport.Inbound {
    /** One thing heard: an election notification, a quorum packet, a peer down, a snapshot. */
    record Received(String kind, long from, Object what) {}

    private final BlockingQueue<Received> inbox;
    private final BlockingQueue<Long> unreachable;
    private final BlockingQueue<Long> streaming;

    /** {@code streaming} may be null: those reports are dropped. */
    RecordingInbound(BlockingQueue<Received> inbox, BlockingQueue<Long> unreachable, BlockingQueue<Long> streaming) {
        this.inbox = inbox;
        this.unreachable = unreachable;
        this.streaming = streaming;
    }

    /** A LOOKING vote for {@code leader} in election round {@code round}, zxid 0. */
    static NotificationMessage vote(long leader, long round) {
        return NotificationMessage.current(NotificationMessage.LOOKING, leader, 0, round, 0, new byte[0]);
    }

    /** The next thing server {@code sid} heard, waiting up to {@code waitMs}; fails the test if nothing came. */
    static Received next(BlockingQueue<Received> inbox, long sid, long waitMs) throws InterruptedException {
        Received r = inbox.poll(waitMs, TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("server " + sid + " received nothing in " + waitMs + " ms");
        }
        return r;
    }

    @Override
    public void election(long fromSid, NotificationMessage message) {
        inbox.add(new Received("election", fromSid, message));
    }

    @Override
    public void quorum(long fromSid, QuorumPacket packet) {
        inbox.add(new Received("quorum", fromSid, packet));
    }

    @Override
    public void peerDown(long down) {
        inbox.add(new Received("down", down, null));
    }

    @Override
    public void electionUnreachable(long sid) {
        unreachable.add(sid);
    }

    @Override
    public void snapshot(long fromSid, long zxid, SnapshotData snapshot) {
        inbox.add(new Received("snapshot", fromSid, snapshot));
    }

    @Override
    public void streaming(long fromSid) {
        if (streaming != null) {
            streaming.add(fromSid);
        }
    }
}
