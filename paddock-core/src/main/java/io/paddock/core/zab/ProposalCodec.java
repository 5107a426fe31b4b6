package io.paddock.core.zab;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.ZabTxnCodec;

/**
 * The data of a PROPOSAL (and of an INFORM): one transaction in ZooKeeper 3.9's bytes
 * ({@link ZabTxnCodec}: TxnHeader, the txn record, no digest), so that ZooKeeper servers read our
 * proposals and we read theirs. The one place the roles turn a transaction into bytes and back.
 */
public final class ProposalCodec {
    private ProposalCodec() {}

    /**
     * The proposal bytes of {@code txn}; {@link IllegalArgumentException} when ZooKeeper's bytes
     * cannot carry it (see {@link ZabTxnCodec}), which the host checks before it proposes.
     */
    public static byte[] encode(TxnEnvelope txn) {
        return ZabTxnCodec.encode(txn);
    }

    /** Decodes a peer's proposal data; anything malformed is a {@link PeerProtocolException}. */
    static TxnEnvelope decode(byte[] data, long expectedZxid) throws PeerProtocolException {
        if (data == null) {
            throw new PeerProtocolException("a proposal without data");
        }
        TxnEnvelope txn = ZabTxnCodec.decode(data).envelope();
        if (txn.zxid() != expectedZxid) {
            throw new PeerProtocolException("proposal zxid 0x" + Long.toHexString(expectedZxid)
                    + " carries a txn with zxid 0x" + Long.toHexString(txn.zxid()));
        }
        return txn;
    }
}
