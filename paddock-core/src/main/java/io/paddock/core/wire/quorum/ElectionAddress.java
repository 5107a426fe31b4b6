package io.paddock.core.wire.quorum;

import java.util.Objects;

/**
 * A server's election address as the initial message carries it: a host (a name or an IP
 * literal, never resolved here) and a port. Written as ZooKeeper's {@code NetUtils.formatInetAddr}
 * writes it: {@code host:port}, or {@code [host]:port} when the host holds a colon (IPv6).
 */
public record ElectionAddress(String host, int port) {
    public ElectionAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.indexOf('|') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException("bad host '" + host + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port outside [0, 65535]: " + port);
        }
    }

    /** {@code host:port}, or {@code [host]:port} for an IPv6 literal. */
    public String format() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /**
     * Reads one address as {@link #format()} writes it. Stricter than ZooKeeper's
     * {@code ConfigUtils.getHostAndPort} (which, for one, takes any character after {@code ']'} as
     * the colon): it accepts every address ZooKeeper writes and nothing ambiguous.
     */
    static ElectionAddress parse(String s) throws PeerProtocolException {
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new PeerProtocolException("badly formed address '" + s + "': want [host]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.indexOf(':');
            if (colon < 0 || colon != s.lastIndexOf(':')) {
                throw new PeerProtocolException("badly formed address '" + s + "': want host:port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (host.isEmpty() || host.indexOf(']') >= 0 || host.indexOf('[') >= 0) {
            throw new PeerProtocolException("badly formed host in address '" + s + "'");
        }
        return new ElectionAddress(host, parsePort(port, s));
    }

    private static int parsePort(String port, String address) throws PeerProtocolException {
        if (port.isEmpty() || port.length() > 5) {
            throw new PeerProtocolException("bad port number in address '" + address + "'");
        }
        int value = 0;
        for (int i = 0; i < port.length(); i++) {
            char c = port.charAt(i);
            if (c < '0' || c > '9') {
                throw new PeerProtocolException("bad port number in address '" + address + "'");
            }
            value = value * 10 + (c - '0');
        }
        if (value > 65535) {
            throw new PeerProtocolException("port outside [0, 65535] in address '" + address + "'");
        }
        return value;
    }
}
