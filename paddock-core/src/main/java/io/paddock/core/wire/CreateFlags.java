package io.paddock.core.wire;

/** The {@code flags} of a create request (ZooKeeper's CreateMode) and what each one means. */
public final class CreateFlags {
    private CreateFlags() {}

    public static final int PERSISTENT = 0;
    public static final int EPHEMERAL = 1;
    public static final int PERSISTENT_SEQUENTIAL = 2;
    public static final int EPHEMERAL_SEQUENTIAL = 3;
    public static final int CONTAINER = 4;
    public static final int PERSISTENT_WITH_TTL = 5;
    public static final int PERSISTENT_SEQUENTIAL_WITH_TTL = 6;

    public static boolean isValid(int flags) {
        return flags >= PERSISTENT && flags <= PERSISTENT_SEQUENTIAL_WITH_TTL;
    }

    public static boolean isEphemeral(int flags) {
        return flags == EPHEMERAL || flags == EPHEMERAL_SEQUENTIAL;
    }

    public static boolean isSequential(int flags) {
        return flags == PERSISTENT_SEQUENTIAL || flags == EPHEMERAL_SEQUENTIAL
                || flags == PERSISTENT_SEQUENTIAL_WITH_TTL;
    }

    public static boolean isContainer(int flags) {
        return flags == CONTAINER;
    }

    public static boolean isTtl(int flags) {
        return flags == PERSISTENT_WITH_TTL || flags == PERSISTENT_SEQUENTIAL_WITH_TTL;
    }
}
