package io.paddock.server.admin;

import java.util.List;

/**
 * Sessions that expire together, as ZooKeeper's {@code dump} lists them.
 *
 * @param expiresAtMs wall-clock time of the bucket (epoch ms); printed as {@code java.util.Date} prints it
 * @param sessionIds  the sessions in the bucket
 */
public record SessionExpiryBucket(long expiresAtMs, List<Long> sessionIds) {
    public SessionExpiryBucket {
        sessionIds = List.copyOf(sessionIds);
    }
}
