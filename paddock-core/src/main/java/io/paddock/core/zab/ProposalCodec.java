package io.paddock.core.zab;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.TxnCodec;
import io.paddock.core.wire.quorum.PeerProtocolException;

/**
 * The data of a PROPOSAL (and of an INFORM): one transaction. The one place the roles turn a
 * transaction into bytes and back, so the encoding can change in one place.
 *
 * <p>TODO(issue 12): this is Paddock's own txn encoding (storage's {@link TxnCodec}) for now; it
 * moves to ZooKeeper's TxnHeader + txn record bytes (the {@code wire.quorum} codec proved against
 * ZooKeeper's classes) so that ZooKeeper servers can read our proposals.
 */
final class ProposalCodec {
    private ProposalCodec() {}

    static byte[] encode(TxnEnvelope txn) {
        return TxnCodec.encode(txn);
    }

    /** Decodes a peer's proposal data; anything malformed is a {@link PeerProtocolException}. */
    static TxnEnvelope decode(byte[] data, long expectedZxid) throws PeerProtocolException {
        if (data == null) {
            throw new PeerProtocolException("a proposal without data");
        }
        TxnEnvelope txn;
        try {
            txn = TxnCodec.decode(data);
        } catch (RuntimeException e) { // WireException, or a record that refuses its fields
            throw new PeerProtocolException("proposal data does not decode: " + e.getMessage());
        }
        if (txn.zxid() != expectedZxid) {
            throw new PeerProtocolException("proposal zxid 0x" + Long.toHexString(expectedZxid)
                    + " carries a txn with zxid 0x" + Long.toHexString(txn.zxid()));
        }
        return txn;
    }
}
