package io.paddock.server;

import io.netty.util.NetUtil;
import io.paddock.server.ServerConfig.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One {@code server.N} line of zoo.cfg, as ZooKeeper 3.9 writes it:
 * {@code server.<id>=<host>:<quorumPort>:<electionPort>[:participant|:observer][;[<clientAddress>:]<clientPort>]}.
 * The host may be an IPv6 literal in brackets ({@code [::1]:2888:3888}); the role is
 * case-insensitive and defaults to participant (a voter). ZooKeeper's several addresses per
 * server ({@code a:1:2|b:1:2}, needing {@code multiAddress.enabled}) are not supported.
 *
 * @param id the server id (the {@code myid} of that server)
 * @param host the host or address peers reach it at (brackets removed)
 * @param quorumPort where followers connect to it when it leads
 * @param electionPort where peers connect for leader election
 * @param observer true for an observer (no vote), false for a participant
 * @param clientAddress the client address after {@code ;}, or null
 * @param clientPort the client port after {@code ;}, or -1 when the line gives none
 */
public record QuorumServer(long id, String host, int quorumPort, int electionPort, boolean observer,
                           String clientAddress, int clientPort) {
    /** The prefix of the zoo.cfg keys that describe servers. */
    public static final String KEY_PREFIX = "server.";

    /** Parses the line {@code key=value}; a {@link ConfigException} names the line and what is wrong. */
    public static QuorumServer parse(String key, String value) {
        if (!key.startsWith(KEY_PREFIX)) {
            throw new IllegalArgumentException("not a server line: " + key);
        }
        long id = parseId(key, value, key.substring(KEY_PREFIX.length()));
        String serverPart = value;
        String clientPart = null;
        int semicolon = value.indexOf(';');
        if (semicolon >= 0) {
            serverPart = value.substring(0, semicolon);
            clientPart = value.substring(semicolon + 1).trim();
        }
        if (serverPart.contains("|")) {
            throw bad(key, value, "several addresses for one server (ZooKeeper's multiAddress) are not supported");
        }
        String[] hostAndRest = splitHost(key, value, serverPart.trim());
        String host = hostAndRest[0];
        String[] parts = hostAndRest[1].split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw bad(key, value, "expected host:quorumPort:electionPort[:participant|:observer][;[clientAddress:]clientPort]");
        }
        int quorumPort = parsePort(key, value, parts[0], "quorum port");
        int electionPort = parsePort(key, value, parts[1], "election port");
        boolean observer = parts.length == 3 && parseObserver(key, value, parts[2]);
        String clientAddress = null;
        int clientPort = -1;
        if (clientPart != null && !clientPart.isEmpty()) {
            int colon = clientPart.lastIndexOf(':');
            if (colon >= 0) {
                clientAddress = clientPart.substring(0, colon);
                if (clientAddress.startsWith("[") && clientAddress.endsWith("]")) {
                    clientAddress = clientAddress.substring(1, clientAddress.length() - 1);
                }
                if (clientAddress.isEmpty()) {
                    throw bad(key, value, "empty client address before ':'");
                }
            }
            clientPort = parsePort(key, value, clientPart.substring(colon + 1), "client port");
        }
        return new QuorumServer(id, host, quorumPort, electionPort, observer, clientAddress, clientPort);
    }

    /**
     * The line's value as a ZooKeeper 3.9 quorum peer prints it in /zookeeper/config and {@code conf}
     * ({@code QuorumServer.toString}), e.g. {@code zk1:2888:3888:participant;0.0.0.0:2181}: a client
     * port without an address listens on the wildcard address, and IPv6 literals are bracketed.
     * A client address that came from {@code clientPort=} rather than this line is not printed.
     */
    public String toConfigValue() {
        String value = bracketed(host) + ":" + quorumPort + ":" + electionPort + ":"
            + (observer ? "observer" : "participant");
        if (clientPort >= 0) {
            value += ";" + (clientAddress == null ? "0.0.0.0" : bracketed(clientAddress)) + ":" + clientPort;
        }
        return value;
    }

    /** The whole line, {@code server.<id>=} and {@link #toConfigValue()}. */
    public String toLine() {
        return KEY_PREFIX + id + "=" + toConfigValue();
    }

    /**
     * A host as ZooKeeper prints it: an IPv6 literal in Java's full form and in brackets
     * ({@code [0:0:0:0:0:0:0:1]}); a name or an IPv4 address as written. No name is looked up.
     */
    private static String bracketed(String host) {
        if (!host.contains(":")) {
            return host;
        }
        String literal = host;
        if (NetUtil.isValidIpV6Address(host)) {
            try {
                literal = InetAddress.getByName(host).getHostAddress(); // a literal: parsed, never resolved
            } catch (UnknownHostException e) {
                literal = host;
            }
        }
        return "[" + literal + "]";
    }

    private static long parseId(String key, String value, String idText) {
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            throw bad(key, value, "the server id '" + idText + "' is not a number");
        }
        if (id < 0) {
            throw bad(key, value, "the server id must not be negative");
        }
        return id;
    }

    /** {host, "rest after the host's colon"}; the host may be a bracketed IPv6 literal. */
    private static String[] splitHost(String key, String value, String serverPart) {
        if (serverPart.startsWith("[")) {
            int close = serverPart.indexOf(']');
            if (close < 0 || close + 1 >= serverPart.length() || serverPart.charAt(close + 1) != ':') {
                throw bad(key, value, "an IPv6 address must be written [address]:quorumPort:electionPort");
            }
            String host = serverPart.substring(1, close);
            if (host.isEmpty()) {
                throw bad(key, value, "empty host");
            }
            return new String[] {host, serverPart.substring(close + 2)};
        }
        int colon = serverPart.indexOf(':');
        if (colon < 0) {
            throw bad(key, value, "expected host:quorumPort:electionPort");
        }
        String host = serverPart.substring(0, colon).trim();
        if (host.isEmpty()) {
            throw bad(key, value, "empty host");
        }
        return new String[] {host, serverPart.substring(colon + 1)};
    }

    private static int parsePort(String key, String value, String text, String what) {
        int port;
        try {
            port = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw bad(key, value, "the " + what + " '" + text + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw bad(key, value, "the " + what + " " + port + " is not between 1 and 65535");
        }
        return port;
    }

    private static boolean parseObserver(String key, String value, String role) {
        switch (role.trim().toLowerCase(Locale.ROOT)) {
            case "observer":
                return true;
            case "participant":
                return false;
            default:
                throw bad(key, value, "unknown role '" + role + "'; expected participant or observer");
        }
    }

    private static ConfigException bad(String key, String value, String why) {
        return new ConfigException("Invalid server line " + key + "=" + value + ": " + why);
    }
}
