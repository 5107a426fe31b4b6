/**
 * Jute-compatible records and codecs: the client protocol and ZooKeeper's quorum protocol, byte
 * for byte.
 *
 * <h2>Null fields</h2>
 *
 * <p>Every jute string, buffer and vector has a null form on the wire (length or count -1), and
 * the decoders here keep it: {@link io.paddock.core.wire.JuteReader#readString()},
 * {@link io.paddock.core.wire.JuteReader#readBuffer()} and
 * {@link io.paddock.core.wire.JuteReader#readVector} return null for it, so <em>any</em> string,
 * buffer or vector field of a decoded client request may be null, and so may any element of a
 * decoded vector of strings. This is not hostile input only: kazoo writes every empty string as
 * null. A decoder never refuses a null (only a malformed frame is a
 * {@link io.paddock.core.wire.WireException}); what a null means is decided where the field is
 * used, and it is what ZooKeeper 3.9 does with it (NullFieldsConformanceTest in paddock-server
 * checks each against ZooKeeper on the wire). In short:
 *
 * <table>
 *   <caption>What a null field means</caption>
 *   <tr><th>field</th><th>answer</th></tr>
 *   <tr><td>path of exists, getData, getChildren(2), getACL, getAllChildrenNumber, and of any op
 *       of a multiRead</td><td>MARSHALLINGERROR, no watch set, connection open</td></tr>
 *   <tr><td>path of sync</td><td>OK, echoed as null</td></tr>
 *   <tr><td>prefix of getEphemerals</td><td>"/": every ephemeral of the session</td></tr>
 *   <tr><td>path of addWatch, of a persistent(-recursive) path in setWatches2</td><td>kept as a
 *       path: the watch never fires; checkWatches/removeWatches of null find it</td></tr>
 *   <tr><td>path of checkWatches/removeWatches</td><td>looked up like any path (NoWatcher if
 *       none)</td></tr>
 *   <tr><td>a list of setWatches/setWatches2, or a data, exist or child path in one</td>
 *       <td>MARSHALLINGERROR</td></tr>
 *   <tr><td>path of create (all kinds), delete</td><td>MARSHALLINGERROR (the failed write still
 *       takes a zxid)</td></tr>
 *   <tr><td>path of deleteContainer</td><td>MARSHALLINGERROR, taking no zxid</td></tr>
 *   <tr><td>path of setData, setACL</td><td>BadArguments</td></tr>
 *   <tr><td>data of create or setData</td><td>stored as null: read back as a null buffer, with
 *       dataLength 0</td></tr>
 *   <tr><td>ACL list of create or setACL; an ACL scheme</td><td>InvalidACL</td></tr>
 *   <tr><td>id of an `auth` ACL entry</td><td>ignored: the entry expands to the session's digest
 *       ids (kazoo's CREATOR_ALL_ACL); InvalidACL without any</td></tr>
 *   <tr><td>id of a world, digest or ip entry</td><td>MARSHALLINGERROR (ZooKeeper fails on it);
 *       of an unknown scheme, InvalidACL</td></tr>
 *   <tr><td>a path in any op of a multi</td><td>the whole multi MARSHALLINGERROR, whatever the
 *       op's place (it takes a zxid)</td></tr>
 *   <tr><td>an ACL list in any create of a multi</td><td>the whole multi MARSHALLINGERROR, taking
 *       no zxid</td></tr>
 *   <tr><td>an ACL entry's id (world, digest, ip) in a multi</td><td>the whole multi
 *       MARSHALLINGERROR, unless an earlier op failed already</td></tr>
 *   <tr><td>scheme or credentials of auth</td><td>AuthFailed, then the connection is closed</td></tr>
 *   <tr><td>token of sasl</td><td>no reply; the connection is closed</td></tr>
 *   <tr><td>members of reconfig</td><td>ReconfigDisabled, as any reconfig</td></tr>
 * </table>
 *
 * <p>Records built by Paddock itself (replies, the quorum protocol's records it writes) may
 * carry null where jute allows it and encode it as -1.
 */
package io.paddock.core.wire;
