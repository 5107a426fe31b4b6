package io.paddock.server.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.quorum.ElectionAddress;
import io.paddock.core.wire.quorum.InitialMessage;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.QuorumAuthPacket;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.server.quorum.RecordingInbound.Received;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SASL between servers on the transport itself, plain TCP on loopback: votes and learner packets
 * travel between servers that require it of each other; a peer that accepts and never answers the
 * exchange is given up within its bound (the link reported down, to be retried); an accepted
 * connection that does not authenticate is closed where it is required; a SASL packet whose token
 * is past the bound breaks its connection.
 */
class QuorumSaslTransportTest {
    private static final long WAIT_MS = 10_000;

    private final Map<Long, PeerAddress> members = new TreeMap<>();
    private final Map<Long, BlockingQueue<Received>> inboxes = new TreeMap<>();
    private final Map<Long, BlockingQueue<Long>> unreachable = new TreeMap<>();
    private final List<QuorumTransport> started = new ArrayList<>();

    @BeforeEach
    void ports() throws IOException {
        for (long sid = 1; sid <= 3; sid++) {
            members.put(sid, new PeerAddress(sid, "127.0.0.1", PeerPorts.free(), PeerPorts.free()));
            inboxes.put(sid, new LinkedBlockingQueue<>());
            unreachable.put(sid, new LinkedBlockingQueue<>());
        }
    }

    @AfterEach
    void stop() {
        started.forEach(QuorumTransport::close);
    }

    private static Configuration jaas(String password) {
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                Map<String, String> options = switch (name) {
                    case "QuorumServer" -> Map.of("user_quorum", "secret");
                    case "QuorumLearner" -> Map.of("username", "quorum", "password", password);
                    default -> null;
                };
                return options == null ? null : new AppConfigurationEntry[] {new AppConfigurationEntry(
                        QuorumSasl.DIGEST_LOGIN_MODULE, AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        };
    }

    private static QuorumTransport.Security sasl(boolean learner, boolean server) {
        return QuorumTransport.Security.PLAIN.withSasl(QuorumSasl.load(
                new QuorumSasl.Settings(true, learner, server, "QuorumLearner", "QuorumServer"), () -> jaas("secret")));
    }

    private QuorumTransport start(long sid, QuorumTransport.Security security) throws IOException {
        QuorumTransport t = new QuorumTransport(sid, members, false, 3, security,
                new RecordingInbound(inboxes.get(sid), unreachable.get(sid), null));
        t.start();
        started.add(t);
        return t;
    }

    private Received next(long sid) throws InterruptedException {
        return RecordingInbound.next(inboxes.get(sid), sid, WAIT_MS);
    }

    @Test
    void votesAndLearnerPacketsTravelBetweenServersThatRequireIt() throws Exception {
        QuorumTransport one = start(1, sasl(true, true));
        QuorumTransport two = start(2, sasl(true, true));
        one.sendElection(2, RecordingInbound.vote(1, 1)); // 1 opens, loses the challenge, 2 connects back
        assertEquals(new Received("election", 1, RecordingInbound.vote(1, 1)), next(2));
        two.sendElection(1, RecordingInbound.vote(2, 2));
        Received got = next(1);
        if (got.equals(new Received("election", 2, RecordingInbound.vote(2, 1)))) {
            got = next(1);
        }
        assertEquals(new Received("election", 2, RecordingInbound.vote(2, 2)), got);
        QuorumTransport three = start(3, sasl(true, true));
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0));
        three.sendQuorum(2, info);
        assertEquals(new Received("quorum", 3, info), next(2));
    }

    /**
     * ZooKeeper's first step of its rolling change, SASL enabled and required of no one: a server
     * that connects back without SASL and has no vote to send says nothing after its initial
     * message; the accepting side takes it after a moment as one without SASL (it once waited for
     * a token until its identify bound closed the connection, again and again).
     */
    @Test
    void whereNothingIsRequiredALowerSidsVoteReachesAHigherSid() throws Exception {
        QuorumTransport one = start(1, sasl(false, false));
        start(2, sasl(false, false));
        one.sendElection(2, RecordingInbound.vote(1, 1));
        assertEquals(new Received("election", 1, RecordingInbound.vote(1, 1)), next(2));
    }

    /** As ZooKeeper, where SASL is not required: a lower sid whose exchange broke off is connected back. */
    @Test
    void aLowerSidWhoseExchangeBrokeOffIsConnectedBackWhereNotRequired() throws Exception {
        start(2, sasl(true, false));
        try (ServerSocket one = new ServerSocket(members.get(1L).electionPort(), 5, InetAddress.getLoopbackAddress())) {
            one.setSoTimeout((int) WAIT_MS);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), members.get(2L).electionPort())) {
                OutputStream out = s.getOutputStream();
                out.write(InitialMessage.v1(1, new ElectionAddress("127.0.0.1", members.get(1L).electionPort())).encode());
                out.write(QuorumAuthPacket.of(QuorumAuthPacket.IN_PROGRESS, new byte[0]).encode());
                out.flush();
                new DataInputStream(s.getInputStream()).readNBytes(16); // the challenge begins; then we leave
            }
            try (Socket back = one.accept()) {
                assertTrue(back.isConnected(), "server 2 connected back");
            }
        }
    }

    /** A "leader" that takes the connection and the first token and never answers. */
    @Test
    void aPeerThatNeverAnswersIsGivenUpWithinTheBound() throws Exception {
        int port = members.get(2L).quorumPort();
        try (ServerSocket silent = new ServerSocket(port, 5, InetAddress.getLoopbackAddress())) {
            QuorumTransport three = start(3, sasl(true, true));
            three.sendQuorum(2, LearnerHandshake.followerInfo(0, new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0)));
            try (Socket s = silent.accept()) {
                byte[] first = new DataInputStream(s.getInputStream()).readNBytes(16);
                assertTrue(QuorumAuthPacket.startsWithMagic(first, 0), "the learner's first bytes are its SASL token");
                long start = System.nanoTime();
                assertEquals(new Received("down", 2, null), next(3), "the link is reported down, to be retried");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(ms < QuorumTransport.IDENTIFY_TIMEOUT_MS + 3000, "given up after " + ms + " ms");
                assertEquals(-1, s.getInputStream().read(), "and the connection closed, FOLLOWERINFO never sent");
            }
        }
    }

    @Test
    void anAcceptedLearnerThatDoesNotAuthenticateIsClosedWhereItIsRequired() throws Exception {
        start(2, sasl(true, true));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), members.get(2L).quorumPort())) {
            s.setSoTimeout((int) WAIT_MS);
            s.getOutputStream().write(LearnerHandshake.followerInfo(0,
                    new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0)).encode());
            assertEquals(-1, s.getInputStream().read(), "closed unanswered");
        }
        assertNull(inboxes.get(2L).poll(300, TimeUnit.MILLISECONDS), "nothing of it reached the core");
    }

    @Test
    void anAcceptedLearnerThatDoesNotAuthenticateIsTakenWhereItIsNotRequired() throws Exception {
        start(2, sasl(false, false));
        QuorumPacket info = LearnerHandshake.followerInfo(0, new LearnerInfo(3, LearnerInfo.PROTOCOL_VERSION, 0));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), members.get(2L).quorumPort())) {
            s.getOutputStream().write(info.encode());
            assertEquals(new Received("quorum", 3, info), next(2));
        }
    }

    @Test
    void aTokenPastTheBoundBreaksTheConnection() throws Exception {
        start(2, sasl(true, true));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), members.get(2L).electionPort())) {
            s.setSoTimeout((int) WAIT_MS);
            OutputStream out = s.getOutputStream();
            out.write(InitialMessage.v1(1, new ElectionAddress("127.0.0.1", members.get(1L).electionPort())).encode());
            byte[] header = QuorumAuthPacket.of(QuorumAuthPacket.IN_PROGRESS, new byte[0]).encode();
            header[12] = 0x10; // a token length of 256 MiB
            out.write(header);
            out.flush();
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "closed");
        }
    }
}
