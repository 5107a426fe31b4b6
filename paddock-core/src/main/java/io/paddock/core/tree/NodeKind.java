package io.paddock.core.tree;

/**
 * What kind of znode this is. ZooKeeper folds the kind into the stored ephemeralOwner
 * (container = Long.MIN_VALUE, TTL = 0xFF00000000000000 | ttl); we keep it explicit and
 * convert only at the edges ({@link #encodeOwner}, {@link #ofEncodedOwner}) for snapshots.
 */
public enum NodeKind {
    PERSISTENT,
    EPHEMERAL,
    CONTAINER,
    TTL;

    /** ZooKeeper's stored ephemeralOwner of a container. */
    public static final long CONTAINER_OWNER = Long.MIN_VALUE;
    /** High byte set on the stored ephemeralOwner of a TTL node (extended type, TTL bit 0). */
    public static final long TTL_OWNER_MASK = 0xFF00000000000000L;
    /** Largest TTL ZooKeeper can encode: the low 40 bits. */
    public static final long TTL_MS_MAX = 0x000000FFFFFFFFFFL;
    private static final long TTL_RESERVED_BITS = 0x00FFFF0000000000L;

    /** The ephemeralOwner ZooKeeper stores for a node of this kind (snapshots, digests). */
    public long encodeOwner(long sessionId, long ttlMs) {
        return switch (this) {
            case PERSISTENT -> 0L;
            case EPHEMERAL -> sessionId;
            case CONTAINER -> CONTAINER_OWNER;
            case TTL -> TTL_OWNER_MASK | ttlMs;
        };
    }

    /** The kind behind a stored ephemeralOwner (extended types enabled, as for TTL nodes). */
    public static NodeKind ofEncodedOwner(long owner) {
        if (owner == 0) {
            return PERSISTENT;
        }
        if (owner == CONTAINER_OWNER) {
            return CONTAINER;
        }
        if ((owner & TTL_OWNER_MASK) == TTL_OWNER_MASK) {
            if ((owner & TTL_RESERVED_BITS) != 0) {
                throw new IllegalArgumentException("unknown extended ephemeralOwner 0x"
                        + Long.toHexString(owner));
            }
            return TTL;
        }
        return EPHEMERAL;
    }

    /** The TTL in milliseconds of a stored TTL ephemeralOwner. */
    public static long ttlOfEncodedOwner(long owner) {
        return owner & TTL_MS_MAX;
    }
}
