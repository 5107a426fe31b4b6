/**
 * Zab's roles as pure step handlers: {@link io.paddock.core.zab.LeaderRole}, {@link
 * io.paddock.core.zab.FollowerRole} and {@link io.paddock.core.zab.ObserverRole} (discovery and
 * holding the leadership, part 1 of the ensemble), composed with the election by {@link
 * io.paddock.core.zab.QuorumPeerCore}. Events in ({@link io.paddock.core.zab.PeerEvent}), effects out
 * ({@link io.paddock.core.zab.PeerEffect}); messages are ZooKeeper 3.9's quorum packets
 * ({@code wire.quorum}), so the bytes are ZooKeeper's. Sync (DIFF / TRUNC / SNAP, NEWLEADER,
 * UPTODATE) and broadcast come with replication (part 2); each role marks the place.
 */
package io.paddock.core.zab;
