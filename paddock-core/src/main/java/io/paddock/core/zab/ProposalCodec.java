package io.paddock.core.zab;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.TxnDigest;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import java.util.List;

/**
 * The data of a PROPOSAL (and of an INFORM): one transaction in ZooKeeper 3.9's bytes
 * ({@link ZabTxnCodec}: TxnHeader, the txn record, the TxnDigest a 3.9 leader sends by default),
 * so that ZooKeeper servers read our proposals and we read theirs. The one place the roles and
 * the host turn a transaction into bytes and back.
 */
public final class ProposalCodec {
    private ProposalCodec() {}

    /**
     * The proposal bytes of {@code txn} as a leader proposes it: with {@code digest} (null for
     * none) and, for a closeSession, the paths it deletes (see {@link ZabTxnCodec#encode(TxnEnvelope,
     * TxnDigest)}); {@link IllegalArgumentException} when ZooKeeper's bytes cannot carry it,
     * which the host checks before it proposes.
     */
    public static byte[] encode(TxnEnvelope txn, TxnDigest digest) {
        return ZabTxnCodec.encode(txn, digest);
    }

    /** The bytes of {@code txn} without a digest (a write that failed on its own, whose txn is an error). */
    public static byte[] encode(TxnEnvelope txn) {
        return ZabTxnCodec.encode(txn);
    }

    /**
     * The bytes of a transaction of the history, re-sent in a DIFF, with the digest the host
     * remembers for it ({@code digest}, null when it knows none: the log keeps no digests). A
     * closeSession whose paths the history does not know (a log written before it kept them)
     * goes without a digest too, which would need its CloseSessionTxn (see {@link ZabTxnCodec}).
     */
    public static byte[] encodeFromHistory(TxnEnvelope txn, TxnDigest digest) {
        if (txn.txn() instanceof io.paddock.core.request.Txn.CloseSession close && close.paths() == null) {
            return ZabTxnCodec.encode(txn);
        }
        return ZabTxnCodec.encode(txn, digest);
    }

    /** Decodes a peer's proposal data; anything malformed is a {@link PeerProtocolException}. */
    static ZabTxnCodec.Decoded decode(byte[] data, long expectedZxid) throws PeerProtocolException {
        if (data == null) {
            throw new PeerProtocolException("a proposal without data");
        }
        ZabTxnCodec.Decoded decoded = ZabTxnCodec.decode(data);
        TxnEnvelope txn = decoded.envelope();
        if (txn.zxid() != expectedZxid) {
            throw new PeerProtocolException("proposal zxid 0x" + Long.toHexString(expectedZxid)
                    + " carries a txn with zxid 0x" + Long.toHexString(txn.zxid()));
        }
        return decoded;
    }
}
