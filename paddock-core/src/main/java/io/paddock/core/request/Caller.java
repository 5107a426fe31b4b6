package io.paddock.core.request;

import io.paddock.core.wire.Id;
import java.util.List;

/** Who sent a request: the session and the identities its connection has authenticated as. */
public record Caller(long sessionId, List<Id> authIds, boolean isSuper) {
    public Caller {
        authIds = List.copyOf(authIds);
    }

    /** The server itself (container and TTL clean-up): allowed everything. */
    public static Caller server() {
        return new Caller(0, List.of(), true);
    }
}
