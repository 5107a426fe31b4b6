package io.paddock.core.wire;

/**
 * A request whose op code this server does not know. The server answers it with
 * {@link Code#UNIMPLEMENTED} (and then closes the connection), unlike a body that does not
 * decode, which gets {@link Code#MARSHALLING_ERROR}; so it is a separate exception.
 *
 * <p>It does not extend {@link WireException}, which is final; catch both where needed.
 */
public final class UnknownOpCodeException extends RuntimeException {
    private final int opCode;

    public UnknownOpCodeException(int opCode) {
        super("unknown op code " + opCode);
        this.opCode = opCode;
    }

    public int opCode() {
        return opCode;
    }
}
