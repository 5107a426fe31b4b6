package io.paddock.core;

import io.paddock.core.wire.Code;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.JuteWriter;

/**
 * A client's SASL token as the shell has already evaluated it, in place of the GetSASLRequest
 * body of an {@link Event.ClientRequest} with op code sasl. The exchange itself (a JDK SaslServer
 * per connection, with its nonces) lives in the shell; the core orders the answer with the
 * connection's other replies and adds the proven id, as ZooKeeper's processSasl does.
 *
 * @param challenge the server's next (or final) token for the client; null for none
 * @param authorizedId the SASL id the exchange proved, once it is complete; null until then
 * @param superUser the id is one of ZooKeeper's {@code zookeeper.superUser} names
 * @param err {@link Code#OK}, or the error ZooKeeper answers a failed exchange with (AUTHFAILED,
 *     or SESSIONCLOSEDREQUIRESASLAUTH where SASL is required), after which the connection closes
 */
public record SaslStep(byte[] challenge, String authorizedId, boolean superUser, int err) implements JuteRecord {
    /** A step of an exchange that goes on (or one that failed where failed clients may stay). */
    public static SaslStep next(byte[] challenge) {
        return new SaslStep(challenge, null, false, Code.OK);
    }

    /** The last step: {@code authorizedId} is proven. */
    public static SaslStep complete(byte[] challenge, String authorizedId, boolean superUser) {
        return new SaslStep(challenge, authorizedId, superUser, Code.OK);
    }

    /** A failed exchange: answered {@code err} with no token, then the connection closes. */
    public static SaslStep failed(int err) {
        return new SaslStep(null, null, false, err);
    }

    /**
     * Never sent to anyone: written only where what it weighs is asked (a step held while there is
     * no leader counts toward the held bytes, {@link HeldEvents#weigh}), as its challenge and id.
     */
    @Override
    public void write(JuteWriter out) {
        out.writeBuffer(challenge);
        out.writeString(authorizedId);
        out.writeInt(err);
    }

    @Override
    public String toString() {
        return "SaslStep[challenge=" + (challenge == null ? "null" : challenge.length + " bytes")
                + ", authorizedId=" + authorizedId + ", superUser=" + superUser + ", err=" + err + "]";
    }
}
