package io.paddock.core.wire.quorum;

/**
 * Bytes from a peer server that are not a valid message of ZooKeeper's quorum protocol (garbage,
 * an unknown protocol version, a length over its limit). An operating error, not a bug: the shell
 * drops that peer's connection with one log line and the rest go on. Checked, so that no caller
 * can forget that peer bytes are untrusted.
 */
public final class PeerProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public PeerProtocolException(String message) {
        super(message);
    }
}
