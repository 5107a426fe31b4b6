package io.paddock.sim;

import java.util.Random;

/**
 * How hostile one run is, drawn from its seed and printed with it. Rates are per message (election
 * loss and duplication in percent, a broken quorum connection in per mille) or per tick (nemesis
 * actions, per mille). Delays are in ticks; the quorum connection is ordered, so its delays never
 * reorder it, while election messages reorder freely (duplicates take their own delay).
 *
 * @param delayTicksMax each message takes 1 + [0, delayTicksMax] ticks
 * @param dropPercent election messages lost
 * @param duplicatePercent election messages delivered twice
 * @param linkBreakPerMille quorum packets whose sending breaks the connection (both sides see it closed)
 * @param diskDelayTicksMax an epoch write becomes durable 1 + [0, diskDelayTicksMax] ticks after it is asked
 * @param crashPerMille per tick: a live server crashes (loses all but its durable epochs)
 * @param restartPerMille per tick: a crashed server restarts
 * @param partitionPerMille per tick: a new partition replaces the current one (symmetric or one-way)
 * @param healPerMille per tick: all partitions heal
 */
public record FaultPlan(int delayTicksMax, int dropPercent, int duplicatePercent, int linkBreakPerMille,
        int diskDelayTicksMax, int crashPerMille, int restartPerMille, int partitionPerMille, int healPerMille) {

    /** Message delay only: no loss, no faults (what the network does once faults stop). */
    public static FaultPlan quiet(int delayTicksMax) {
        return new FaultPlan(delayTicksMax, 0, 0, 0, 2, 0, 0, 0, 0);
    }

    /** A plan drawn from {@code random}: from a clean network to a very hostile one. */
    public static FaultPlan draw(Random random) {
        return new FaultPlan(random.nextInt(4), random.nextInt(16), random.nextInt(11), random.nextInt(11),
                random.nextInt(4), random.nextInt(16), 20 + random.nextInt(60), random.nextInt(16),
                5 + random.nextInt(40));
    }

    /** The same plan without crashes, partitions or loss: delays and slow disks stay. */
    public FaultPlan calm() {
        return new FaultPlan(delayTicksMax, 0, 0, 0, diskDelayTicksMax, 0, 0, 0, 0);
    }
}
