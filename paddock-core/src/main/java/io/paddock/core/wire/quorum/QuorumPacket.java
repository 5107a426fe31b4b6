package io.paddock.core.wire.quorum;

import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The one record of ZooKeeper's quorum port (jute {@code org.apache.zookeeper.server.quorum.QuorumPacket}):
 *
 * <pre>
 * int    type       a {@link QuorumPacketType}
 * long   zxid       meaning depends on the type (see {@link LearnerHandshake})
 * buffer data       int length (-1 = null), then the bytes: the type's payload
 * vector authinfo   int count (-1 = null), then that many Id {ustring scheme; ustring id}
 * </pre>
 *
 * Packets follow each other on the stream with no frame length; {@link QuorumPacketDecoder}
 * reads them.
 *
 * @param data the payload; null means "none" and is what ZooKeeper writes for packets without one
 *     (a leader's PING, COMMIT, NEWLEADER, UPTODATE). Null and empty are different
 *     bytes on the wire and both round-trip as they came.
 * @param authinfo the auth ids of the session a forwarded REQUEST came from; null means "none" and
 *     is what ZooKeeper writes for every other packet. An Id's parts are never null.
 */
public record QuorumPacket(int type, long zxid, byte[] data, List<Id> authinfo) {
    public QuorumPacket {
        if (authinfo != null) {
            authinfo = List.copyOf(authinfo);
            for (Id id : authinfo) {
                if (id.scheme() == null || id.id() == null) {
                    throw new IllegalArgumentException("authinfo Id with a null part: " + id);
                }
            }
        }
    }

    /** A packet with neither payload nor authinfo. */
    public QuorumPacket(int type, long zxid) {
        this(type, zxid, null, null);
    }

    /** The bytes ZooKeeper's {@code BinaryOutputArchive.writeRecord} writes for this packet. */
    public byte[] encode() {
        // Sized exactly (type, zxid, data length and bytes, vector count, then each Id) whenever the
        // auth ids are ASCII, so finish() hands over the writer's array without a copy.
        JuteWriter out = new JuteWriter(20 + (data == null ? 0 : data.length) + authinfoBytesEstimate());
        out.writeInt(type).writeLong(zxid).writeBuffer(data).writeVector(authinfo, (w, id) -> id.write(w));
        return out.finish();
    }

    /** What the authinfo's Ids take when their strings are ASCII (each: two lengths and two strings). */
    private int authinfoBytesEstimate() {
        if (authinfo == null) {
            return 0;
        }
        int bytes = 0;
        for (int i = 0; i < authinfo.size(); i++) {
            Id id = authinfo.get(i);
            bytes += 8 + (id.scheme() == null ? 0 : id.scheme().length()) + (id.id() == null ? 0 : id.id().length());
        }
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuorumPacket p && type == p.type && zxid == p.zxid && Arrays.equals(data, p.data)
                && Objects.equals(authinfo, p.authinfo);
    }

    @Override
    public int hashCode() {
        return (type * 31 + Long.hashCode(zxid)) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "QuorumPacket[" + QuorumPacketType.name(type) + ", zxid=0x" + Long.toHexString(zxid) + ", data="
                + (data == null ? "null" : "byte[" + data.length + "]") + ", authinfo="
                + (authinfo == null ? "null" : authinfo.size() + " ids") + "]";
    }
}
