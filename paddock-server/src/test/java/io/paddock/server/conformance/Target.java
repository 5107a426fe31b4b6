package io.paddock.server.conformance;

import java.io.IOException;

/**
 * A server under test: something that speaks ZooKeeper's client protocol on 127.0.0.1.
 * The conformance tests run the same expectations against every target.
 */
public interface Target extends AutoCloseable {

    /** A short name used in test display names and in {@code -Dpaddock.targets}. */
    String name();

    /** Starts the server; returns once clients can connect. */
    void start() throws Exception;

    /** {@code 127.0.0.1:port} of the started server. */
    String connectString();

    /** Stops the server and removes its files. */
    @Override
    void close() throws IOException;

    /**
     * True when clients talk to a follower of an ensemble rather than to a standalone server:
     * then srvr says {@code Mode: follower}, as ZooKeeper's followers do.
     */
    default boolean clientsOnAFollower() {
        return false;
    }

    /**
     * {@code host:port} of every server a client may use, comma-separated (a connect string): the
     * one server of a standalone target, each member of an ensemble.
     */
    default String everyServer() {
        return connectString();
    }

    /** The bound client port, parsed from {@link #connectString()}. */
    default int clientPort() {
        String connectString = connectString();
        return Integer.parseInt(connectString.substring(connectString.lastIndexOf(':') + 1));
    }
}
