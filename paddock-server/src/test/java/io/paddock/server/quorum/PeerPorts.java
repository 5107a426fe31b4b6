package io.paddock.server.quorum;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for peers in tests, taken below Linux's ephemeral range (32768 and up): a port chosen by
 * binding port 0 is an ephemeral one, which any outgoing connection of this or another test may be
 * given as its local port before the peer binds it ("Address already in use"). Each port is free
 * when chosen and never handed out twice in this JVM.
 */
public final class PeerPorts {
    static final int FIRST = 20_000;
    static final int LAST = 32_000;
    private static final int TRIES_MAX = 1000;
    private static final Set<Integer> given = new HashSet<>();

    private PeerPorts() {}

    public static synchronized int free() throws IOException {
        for (int i = 0; i < TRIES_MAX; i++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            if (given.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException inUse) {
                continue;
            }
            given.add(port);
            return port;
        }
        throw new IOException("no free port in [" + FIRST + ", " + LAST + ") after " + TRIES_MAX + " tries");
    }
}
