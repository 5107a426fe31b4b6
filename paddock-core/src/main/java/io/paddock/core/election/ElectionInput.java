package io.paddock.core.election;

/** What drives an {@link Election}: start looking, a notification from a peer, or time passing. */
public sealed interface ElectionInput {

    /** Begin (or restart) an election: vote for ourselves in a new round and broadcast. */
    record Start(long nowTick) implements ElectionInput {
    }

    /** A notification arrived from server {@code fromSid}. */
    record Received(long fromSid, Notification notification) implements ElectionInput {
    }

    /** Server {@code sid} cannot be reached: its vote will not come until it says something. */
    record Unreachable(long sid) implements ElectionInput {
    }

    /** Virtual time advanced to {@code nowTick}. */
    record Tick(long nowTick) implements ElectionInput {
    }
}
