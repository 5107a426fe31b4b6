package io.paddock.core.wire.quorum;

/**
 * The packet types of ZooKeeper's quorum port ({@code Leader.java}'s constants, checked against
 * ZooKeeper 3.9.5 by a test). The zxid field of each: see {@link LearnerHandshake} for the
 * handshake packets; a PROPOSAL, COMMIT or ACK carries the txn's zxid.
 */
public final class QuorumPacketType {
    public static final int REQUEST = 1;
    public static final int PROPOSAL = 2;
    public static final int ACK = 3;
    public static final int COMMIT = 4;
    public static final int PING = 5;
    public static final int REVALIDATE = 6;
    public static final int SYNC = 7;
    public static final int INFORM = 8;
    public static final int COMMITANDACTIVATE = 9;
    public static final int NEWLEADER = 10;
    public static final int FOLLOWERINFO = 11;
    public static final int UPTODATE = 12;
    public static final int DIFF = 13;
    public static final int TRUNC = 14;
    public static final int SNAP = 15;
    public static final int OBSERVERINFO = 16;
    public static final int LEADERINFO = 17;
    public static final int ACKEPOCH = 18;
    public static final int INFORMANDACTIVATE = 19;

    private static final String[] NAMES = {null, "REQUEST", "PROPOSAL", "ACK", "COMMIT", "PING", "REVALIDATE",
        "SYNC", "INFORM", "COMMITANDACTIVATE", "NEWLEADER", "FOLLOWERINFO", "UPTODATE", "DIFF", "TRUNC", "SNAP",
        "OBSERVERINFO", "LEADERINFO", "ACKEPOCH", "INFORMANDACTIVATE"};

    private QuorumPacketType() {}

    /** True for the types above; a packet of another type is refused by the zab roles, not the codec. */
    public static boolean isKnown(int type) {
        return type >= REQUEST && type <= INFORMANDACTIVATE;
    }

    /** The type's name as ZooKeeper logs it, or {@code UNKNOWN(n)}. */
    public static String name(int type) {
        return isKnown(type) ? NAMES[type] : "UNKNOWN(" + type + ")";
    }
}
