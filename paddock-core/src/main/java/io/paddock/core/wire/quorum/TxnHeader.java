package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.JuteWriter;

/**
 * The head of every ZooKeeper transaction (jute {@code org.apache.zookeeper.txn.TxnHeader}),
 * 32 bytes: {@code long clientId, int cxid, long zxid, long time, int type}. On the quorum port it
 * opens the data of a PROPOSAL (and of the proposals a DIFF replays), followed by the txn body of
 * its {@code type} (an op code) and, when digests are on, a TxnDigest (ZooKeeper's
 * {@code Util.marshallTxnEntry}). The bodies are
 * part 2 (issue 11's sequel) and belong beside this class, read from the same {@link PeerInput}.
 */
public record TxnHeader(long clientId, int cxid, long zxid, long time, int type) implements JuteRecord {
    public static final int BYTES = 32;

    @Override
    public void write(JuteWriter out) {
        out.writeLong(clientId).writeInt(cxid).writeLong(zxid).writeLong(time).writeInt(type);
    }

    /** Reads a header from trusted or already-bounded bytes ({@link io.paddock.core.wire.WireException} if short). */
    public static TxnHeader read(JuteReader in) {
        return new TxnHeader(in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readInt());
    }

    /** Reads a header from peer bytes, leaving {@code in} at the txn body. */
    public static TxnHeader read(PeerInput in) throws PeerProtocolException {
        return new TxnHeader(in.readLong("clientId"), in.readInt("cxid"), in.readLong("zxid"),
                in.readLong("time"), in.readInt("type"));
    }
}
