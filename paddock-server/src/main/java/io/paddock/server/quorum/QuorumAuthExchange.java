package io.paddock.server.quorum;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Promise;
import io.paddock.core.wire.quorum.QuorumAuthPacket;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One quorum connection's SASL exchange ({@link QuorumSasl}), on the connection's event loop, as
 * ZooKeeper 3.9's SaslQuorumAuthLearner (the side that connected) and SaslQuorumAuthServer (the
 * side that accepted) run it, packet for packet: the learner sends its first token IN_PROGRESS;
 * the server answers each token IN_PROGRESS until its SaslServer is complete, then SUCCESS (or
 * ERROR after {@value #SERVER_ROUNDS_MAX} rounds, or on a failure). The decoder is told which
 * packets to expect, so that what follows the exchange is read as the connection's own traffic.
 *
 * <p>{@link #outcome()}: for the learner, success once the server said SUCCESS and the client is
 * complete, failure otherwise; for the server, true (authenticated) or false (the peer did not
 * authenticate, or failed, and this server does not require it: the connection goes on, as in
 * ZooKeeper), failure where {@code quorum.auth.serverRequireSasl} makes that a refusal.
 */
final class QuorumAuthExchange {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumAuthExchange.class);
    /** ZooKeeper's SaslQuorumAuthServer.MAX_RETRIES: challenges sent before the server gives up. */
    static final int SERVER_ROUNDS_MAX = 5;
    /**
     * How long an accepted election connection, its initial message read, waits for the peer's
     * first SASL token before it takes the connection as one without SASL (or closes it, where SASL
     * is required). A peer that does not authenticate and has no vote to send says nothing more
     * (ZooKeeper's learner waits here up to tickTime * syncLimit, then goes on the same way).
     */
    static final int FIRST_TOKEN_WAIT_MS = 1000;

    private final QuorumSasl sasl;
    private final Channel ch;
    private final StreamDecoder decoder;
    private final String what;
    private final Promise<Boolean> outcome;
    private SaslClient client;
    private SaslServer server;
    private int rounds;

    private QuorumAuthExchange(QuorumSasl sasl, Channel ch, StreamDecoder decoder, String what) {
        this.sasl = sasl;
        this.ch = ch;
        this.decoder = decoder;
        this.what = what;
        this.outcome = ch.eventLoop().newPromise();
        ch.closeFuture().addListener(done -> closed());
    }

    /** Starts the learner's half on a connection this server opened: its first token goes now. */
    /**
     * {@code timeoutMs}: how long the side that connected waits for the exchange to end; then it
     * closes the connection and tries again later, as on a connection that failed.
     */
    static QuorumAuthExchange asLearner(QuorumSasl sasl, Channel ch, StreamDecoder decoder, String what,
                                        long timeoutMs) {
        QuorumAuthExchange x = new QuorumAuthExchange(sasl, ch, decoder, what);
        decoder.expectAuth(StreamDecoder.AuthStage.EXPECT);
        var timeout = ch.eventLoop().schedule(() -> x.fail("no end within " + timeoutMs + " ms"),
                timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        x.outcome.addListener(f -> timeout.cancel(false));
        try {
            x.client = sasl.newClient();
            byte[] first = x.client.hasInitialResponse() ? x.client.evaluateChallenge(new byte[0]) : new byte[0];
            x.send(QuorumAuthPacket.IN_PROGRESS, first);
        } catch (SaslException e) {
            x.fail("cannot start: " + e.getMessage());
        }
        return x;
    }

    /** Waits for a connecting peer's first token, if it sends one (an accepted connection). */
    static QuorumAuthExchange asServer(QuorumSasl sasl, Channel ch, StreamDecoder decoder, String what) {
        QuorumAuthExchange x = new QuorumAuthExchange(sasl, ch, decoder, what);
        decoder.expectAuth(StreamDecoder.AuthStage.MAYBE);
        return x;
    }

    io.netty.util.concurrent.Future<Boolean> outcome() {
        return outcome;
    }

    boolean done() {
        return outcome.isDone();
    }

    /** A packet of the exchange, which the decoder read. */
    void onPacket(QuorumAuthPacket p) {
        if (outcome.isDone()) {
            LOG.warn("{} sent a SASL packet after the exchange; closed", what);
            ch.close();
            return;
        }
        try {
            if (client != null) {
                learnerStep(p);
            } else {
                serverStep(p);
            }
        } catch (SaslException | RuntimeException e) {
            if (client != null) {
                fail(e.getMessage());
            } else {
                serverFailed(e.toString());
            }
        }
    }

    private void learnerStep(QuorumAuthPacket p) throws SaslException {
        switch (p.status()) {
            case QuorumAuthPacket.ERROR -> fail("the server refused the SASL authentication");
            case QuorumAuthPacket.SUCCESS -> {
                if (!client.isComplete()) {
                    byte[] more = client.evaluateChallenge(p.token() == null ? new byte[0] : p.token());
                    if (more != null) {
                        fail("protocol error: the server said SUCCESS and the client has more to say");
                        return;
                    }
                }
                if (!client.isComplete()) {
                    fail("the server said SUCCESS before the client was done");
                    return;
                }
                finish(true);
            }
            default -> {
                if (client.isComplete() || p.token() == null) {
                    fail("the server goes on after the client was done");
                    return;
                }
                send(QuorumAuthPacket.IN_PROGRESS, client.evaluateChallenge(p.token()));
            }
        }
    }

    private void serverStep(QuorumAuthPacket p) throws SaslException {
        if (server == null) {
            server = sasl.newServer();
            decoder.expectAuth(StreamDecoder.AuthStage.EXPECT);
        }
        byte[] challenge = server.evaluateResponse(p.token() == null ? new byte[0] : p.token());
        if (server.isComplete()) {
            send(QuorumAuthPacket.SUCCESS, challenge);
            decoder.expectAuth(StreamDecoder.AuthStage.NONE);
            LOG.info("{} authenticated with SASL as {}", what, server.getAuthorizationID());
            finish(true);
            return;
        }
        // Past the rounds ZooKeeper breaks off and, oddly, keeps the connection even where SASL is
        // required; here that is a failure like any other.
        if (++rounds > SERVER_ROUNDS_MAX) {
            send(QuorumAuthPacket.ERROR, challenge);
            serverFailed("no end after " + SERVER_ROUNDS_MAX + " rounds", false);
            return;
        }
        // ZooKeeper sends a null challenge IN_PROGRESS whatever the status asked.
        send(QuorumAuthPacket.IN_PROGRESS, challenge);
    }

    /** No first token came in {@link #FIRST_TOKEN_WAIT_MS}: as {@link #onOtherFirst}, unless the exchange began. */
    void noFirstToken() {
        if (server == null && ch.isActive()) {
            onOtherFirst();
        }
    }

    /** The accepted connection's first message is its own traffic, not a SASL token. */
    void onOtherFirst() {
        if (client != null || outcome.isDone()) {
            return;
        }
        decoder.expectAuth(StreamDecoder.AuthStage.NONE);
        if (sasl.settings().serverRequired()) {
            LOG.warn("{} did not authenticate with SASL (quorum.auth.serverRequireSasl=true); closed", what);
            outcome.tryFailure(new SaslException("not authenticated"));
        } else {
            outcome.trySuccess(false);
        }
    }

    private void serverFailed(String why) {
        serverFailed(why, true);
    }

    private void serverFailed(String why, boolean sayError) {
        if (sayError) {
            send(QuorumAuthPacket.ERROR, new byte[0]); // as ZooKeeper answers a failure
        }
        decoder.expectAuth(StreamDecoder.AuthStage.NONE);
        dispose();
        if (sasl.settings().serverRequired()) {
            LOG.warn("{} failed to authenticate with SASL: {}; closed", what, why);
            outcome.tryFailure(new SaslException(why));
        } else {
            LOG.warn("{} failed to authenticate with SASL: {}; kept, as quorum.auth.serverRequireSasl is false", what,
                    why);
            outcome.trySuccess(false);
        }
    }

    private void fail(String why) {
        if (outcome.isDone()) {
            return;
        }
        LOG.warn("SASL authentication of {} failed: {}", what, why);
        dispose();
        outcome.tryFailure(new SaslException(why));
    }

    private void finish(boolean authenticated) {
        decoder.expectAuth(StreamDecoder.AuthStage.NONE);
        dispose();
        outcome.trySuccess(authenticated);
    }

    /** The connection ended: a learner's exchange has failed; a server's that never began saw no token. */
    private void closed() {
        dispose();
        if (client != null) {
            fail("the connection closed");
        } else if (server == null) {
            if (sasl.settings().serverRequired()) {
                outcome.tryFailure(new SaslException("closed before authenticating"));
            } else {
                outcome.trySuccess(false);
            }
        } else if (sasl.settings().serverRequired()) {
            outcome.tryFailure(new SaslException("closed during the exchange"));
        } else {
            outcome.trySuccess(false); // as ZooKeeper: a broken-off exchange, not required, goes on (connect back)
        }
    }

    private void send(int status, byte[] token) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(QuorumAuthPacket.of(status, token).encode()));
    }

    private void dispose() {
        try {
            if (client != null) {
                client.dispose();
            }
            if (server != null) {
                server.dispose();
            }
        } catch (SaslException e) {
            LOG.debug("disposing a quorum SASL exchange: {}", e.toString());
        }
    }
}
