package io.paddock.sim;

/**
 * A sync of the simulated disk failed for want of space (a fault the nemesis arms with {@link
 * SimDisk#failNextSync}). As with the server's log, the transactions from {@link #fromZxid()} on
 * were dropped and the file cut back to its durable end; the shell turns this into the core's
 * {@code LogFailed(fromZxid, reason)} and the next append tries the disk again.
 */
public final class SimDiskFullException extends Exception {
    private final long fromZxid;
    private final long durableZxid;

    SimDiskFullException(String diskName, long fromZxid, long durableZxid, String reason) {
        super(diskName + ": cannot sync the transaction log from zxid 0x" + Long.toHexString(fromZxid) + ": "
                + reason + " (durable up to 0x" + Long.toHexString(durableZxid) + ")");
        this.fromZxid = fromZxid;
        this.durableZxid = durableZxid;
    }

    /** The first zxid that was dropped. */
    public long fromZxid() {
        return fromZxid;
    }

    /** The last zxid still durable (what the disk keeps). */
    public long durableZxid() {
        return durableZxid;
    }
}
