package io.paddock.core.wire.quorum;

import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A client request a learner forwards to its leader: a REQUEST packet, as ZooKeeper 3.9.5's
 * {@code Learner.request} writes it and {@code LearnerHandler} reads it back (a ByteBuffer):
 *
 * <pre>
 * REQUEST  zxid = -1   authinfo = the session's auth ids (null for a learner's own
 *                      createSession / closeSession, which ZooKeeper submits without)
 * data     long sessionId, int cxid, int type (the op code), then the raw bytes of the client's
 *          request record: none for closeSession, CreateSessionTxn{int timeOut} for createSession
 * </pre>
 *
 * The request bytes stay raw: the leader decodes them with the client-record decoders of their
 * op code. "No request record" and "an empty one" are the same bytes; both decode as an empty
 * {@code request}. Data shorter than 16 bytes, or null, is refused (ZooKeeper's leader would throw
 * a BufferUnderflowException on it).
 *
 * @param request the client's request record as it came, never null (empty when none)
 * @param authinfo the session's auth ids; null means none, as in {@link QuorumPacket}
 */
public record ForwardedRequest(long sessionId, int cxid, int type, byte[] request, List<Id> authinfo) {
    /** sessionId, cxid and type: the bytes before the request record. */
    static final int HEAD_BYTES = 16;
    /** The zxid ZooKeeper's learner puts in every REQUEST (nobody reads it). */
    public static final long ZXID = -1;

    public ForwardedRequest {
        Objects.requireNonNull(request, "request (empty when none)");
        if (authinfo != null) {
            authinfo = List.copyOf(authinfo);
        }
    }

    public QuorumPacket toPacket() {
        byte[] data = new JuteWriter(HEAD_BYTES + request.length).writeLong(sessionId).writeInt(cxid).writeInt(type)
                .writeRaw(request, 0, request.length).toByteArray();
        return new QuorumPacket(QuorumPacketType.REQUEST, ZXID, data, authinfo);
    }

    /** The forwarded request in a REQUEST packet from a learner (untrusted). */
    public static ForwardedRequest of(QuorumPacket packet) throws PeerProtocolException {
        byte[] data = packet.data();
        if (packet.type() != QuorumPacketType.REQUEST || data == null || data.length < HEAD_BYTES) {
            throw new PeerProtocolException("a REQUEST needs data of at least " + HEAD_BYTES + " bytes: " + packet);
        }
        PeerInput in = PeerInput.of(data);
        long sessionId = in.readLong("sessionId");
        int cxid = in.readInt("cxid");
        int type = in.readInt("type");
        return new ForwardedRequest(sessionId, cxid, type, in.readBytes(in.remaining(), "request"), packet.authinfo());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardedRequest r && sessionId == r.sessionId && cxid == r.cxid && type == r.type
                && Arrays.equals(request, r.request) && Objects.equals(authinfo, r.authinfo);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(sessionId) * 31 + cxid) * 31 + Arrays.hashCode(request);
    }

    @Override
    public String toString() {
        return "ForwardedRequest[session=0x" + Long.toHexString(sessionId) + ", cxid=" + cxid + ", type=" + type
                + ", request=byte[" + request.length + "], authinfo=" + authinfo + "]";
    }
}
