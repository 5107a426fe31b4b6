package io.paddock.bench;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;

/**
 * The client's server list in a fixed order, for sessions that must start on a given member but
 * move on, as any client with several servers in its connect string does, when that member goes
 * away. It behaves as ZooKeeper's {@code StaticHostProvider} (try the next server; sleep
 * {@code spinDelay} only after a full turn without a connection) except that it does not shuffle
 * the list, so session {@code i} first connects to the member listed first.
 */
final class OrderedHostProvider implements org.apache.zookeeper.client.HostProvider {
    private final List<InetSocketAddress> servers;
    private int currentIndex = -1;
    private int lastIndex = -1;

    OrderedHostProvider(List<InetSocketAddress> servers) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a host provider needs at least one server");
        }
        this.servers = List.copyOf(servers);
    }

    @Override
    public synchronized int size() {
        return servers.size();
    }

    /** Called by the client's send thread before each connection attempt. */
    @Override
    public InetSocketAddress next(long spinDelay) {
        boolean fullTurn;
        InetSocketAddress next;
        synchronized (this) {
            currentIndex = (currentIndex + 1) % servers.size();
            fullTurn = currentIndex == lastIndex && spinDelay > 0;
            if (lastIndex == -1) {
                lastIndex = 0; // no sleep before the very first attempt
            }
            next = servers.get(currentIndex);
        }
        if (fullTurn) {
            try {
                Thread.sleep(spinDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return next;
    }

    @Override
    public synchronized void onConnected() {
        lastIndex = currentIndex;
    }

    /** The bench never changes a session's server list. */
    @Override
    public boolean updateServerList(Collection<InetSocketAddress> serverAddresses, InetSocketAddress currentHost) {
        throw new UnsupportedOperationException("the bench does not reconfigure its clients");
    }
}
