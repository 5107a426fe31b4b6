package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;

/**
 * The digest ZooKeeper 3.9 appends to a transaction's bytes when {@code zookeeper.digest.enabled}
 * is on (its default): jute {@code org.apache.zookeeper.txn.TxnDigest}, 12 bytes, {@code int
 * version; long treeDigest}, the leader's digest of its whole tree after this txn. Its followers
 * compare it with their own tree's digest and only log a mismatch; a txn without one is read as
 * "no digest" ({@code SerializeUtils.deserializeTxn} catches the EOF). {@code version} is
 * {@code DigestCalculator.DIGEST_VERSION} (2 in 3.9, {@code tree.NodeDigest.VERSION}); a server
 * compares only a digest of its own version. See {@link ZabTxnCodec} for where it goes.
 */
public record TxnDigest(int version, long treeDigest) {
    public static final int BYTES = 12;

    void write(JuteWriter out) {
        out.writeInt(version).writeLong(treeDigest);
    }

    static TxnDigest read(PeerInput in) throws PeerProtocolException {
        return new TxnDigest(in.readInt("digest version"), in.readLong("treeDigest"));
    }
}
