package io.paddock.core.session;

/**
 * One client session. A session outlives connections: a client may reconnect with its id and
 * password. It lives until it is closed or until the server's clock passes its expiry while
 * nothing touches it.
 */
public final class Session {
    final long id;
    final int timeoutMs;
    final byte[] passwd;
    long expiresAtMs;
    /** The connection currently attached, or {@link #NO_CONNECTION}. */
    long connectionId = NO_CONNECTION;
    /** Set once a closeSession transaction has been prepared; no new requests are accepted. */
    boolean closing;

    public static final long NO_CONNECTION = -1;

    Session(long id, int timeoutMs, byte[] passwd) {
        this.id = id;
        this.timeoutMs = timeoutMs;
        this.passwd = passwd.clone();
    }

    public long id() {
        return id;
    }

    public int timeoutMs() {
        return timeoutMs;
    }

    public byte[] passwd() {
        return passwd.clone();
    }

    public long expiresAtMs() {
        return expiresAtMs;
    }

    public long connectionId() {
        return connectionId;
    }

    public boolean closing() {
        return closing;
    }
}
