/**
 * ZooKeeper 3.9's quorum protocol, byte for byte: what servers send each other, so that Paddock
 * and ZooKeeper servers can share an ensemble and ZooKeeper's own classes are the oracle for
 * these bytes.
 *
 * <ul>
 *   <li>the election port: {@link io.paddock.core.wire.quorum.InitialMessage} (the first bytes
 *       of every election connection), then {@link io.paddock.core.wire.quorum.ElectionFrame}s,
 *       each holding one {@link io.paddock.core.wire.quorum.NotificationMessage};
 *   <li>the quorum port: a stream of {@link io.paddock.core.wire.quorum.QuorumPacket}s, jute
 *       records written back to back with no frame length, read by
 *       {@link io.paddock.core.wire.quorum.QuorumPacketDecoder}; the learner handshake's payloads
 *       ({@link io.paddock.core.wire.quorum.LearnerInfo}, {@link
 *       io.paddock.core.wire.quorum.LearnerHandshake}); {@link io.paddock.core.wire.quorum.Ping};
 *       a learner's forwarded client request ({@link io.paddock.core.wire.quorum.ForwardedRequest})
 *       and session check ({@link io.paddock.core.wire.quorum.Revalidate}); and the transaction a
 *       PROPOSAL carries, {@link io.paddock.core.wire.quorum.TxnHeader} then its jute record
 *       ({@link io.paddock.core.wire.quorum.ZabTxnCodec}, with an optional {@link
 *       io.paddock.core.wire.quorum.TxnDigest}); sync's DIFF / TRUNC / SNAP come with replication.
 * </ul>
 *
 * <p><b>Peer bytes are untrusted.</b> The rule every decoder here keeps:
 * <ol>
 *   <li>Bytes that cannot be what the peer claims throw {@link
 *       io.paddock.core.wire.quorum.PeerProtocolException}, a checked exception and the only one
 *       a decoder throws for bad input. Never an unchecked exception, never a partly built value.
 *   <li>A decoder that reads from a stream (no frame length tells it where a message ends) says
 *       "need more bytes" ({@link io.paddock.core.wire.quorum.DecodeResult.NeedMore}) when what
 *       it has is a valid prefix, and never mistakes a prefix for a whole message.
 *   <li>Every length and count is checked against a named limit, and against the bytes at hand,
 *       before anything is allocated.
 *   <li>Where jute has a null form (length or count -1) the record says what null means; where
 *       ZooKeeper never writes null, null is refused.
 *   <li>Where ZooKeeper 3.9 accepts an older, shorter form of a message, we accept that form and
 *       decode it to what ZooKeeper reads from it; we always write the current form. Where we are
 *       stricter than ZooKeeper's reader (input no ZooKeeper writes), the record's comment says so.
 * </ol>
 *
 * <p>Encoders trust their caller: a value that cannot be encoded is a programmer error
 * ({@link IllegalArgumentException}). This package depends on the JDK and {@code wire} alone, but
 * for {@link io.paddock.core.wire.quorum.ZabTxnCodec}, which maps the {@code request} package's Txn
 * model (and {@code tree}'s NodeKind) to ZooKeeper's txn records: the one arrow up from here. The
 * election and zab packages map the other records to their own types.
 */
package io.paddock.core.wire.quorum;
