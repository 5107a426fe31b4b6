package io.paddock.server.quorum;

/** Where one ensemble member listens: its quorum port (learners connect there when it leads) and its election port. */
public record PeerAddress(long sid, String host, int quorumPort, int electionPort) {
}
