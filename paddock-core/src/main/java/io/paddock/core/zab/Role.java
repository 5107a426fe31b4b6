package io.paddock.core.zab;

import io.paddock.core.election.ServerState;
import java.util.List;

/**
 * The handler of a decided server: {@link LeaderRole}, {@link FollowerRole} or {@link ObserverRole}.
 * {@link QuorumPeerCore} feeds it the quorum-port events and every tick; a role never sees
 * election notifications (the peer's decided election answers those). A role that gives up sets
 * {@link #exitReason()}; the peer then drops it and goes back to LOOKING. A role change is swapping
 * this handler, never a flag.
 */
public sealed interface Role permits LeaderRole, LearnerRole {

    /** Handles one event; effects are appended in order. Not called again once {@link #exitReason()} is set. */
    void step(PeerEvent event, List<PeerEffect> effects);

    /** LEADING, FOLLOWING or OBSERVING. */
    ServerState state();

    /** Null while the role holds; why it gave up once it has. */
    String exitReason();

    /** The epoch this role is established in, or -1 while discovery is still under way. */
    long establishedEpoch();

    /** The sids whose quorum connection this role uses, to close when the role ends. */
    List<Long> connectedPeers();
}
