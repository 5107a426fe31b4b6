package io.paddock.core.election;

/** Effects of one {@link Election} step: send a notification, or the decision of this server. */
public sealed interface ElectionOutput {

    /** Send {@code notification} to server {@code toSid} (it may be lost; the election copes). */
    record Send(long toSid, Notification notification) implements ElectionOutput {
    }

    /** This server takes {@code role} (LEADING or FOLLOWING) under {@code leader} in {@code round}. */
    record Decided(ServerState role, Vote leader, long round) implements ElectionOutput {
    }
}
