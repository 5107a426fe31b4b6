package io.paddock.core.tree;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The text ZooKeeper keeps in a quota's {@code zookeeper_limits} and {@code zookeeper_stats}
 * nodes (its {@code StatsTrack}): {@code key=value} pairs separated by commas or semicolons,
 * {@code count} and {@code bytes} first, then any other keys ({@code countHardLimit},
 * {@code byteHardLimit}) in name order behind an extra {@code =} that old readers ignore:
 * {@code count=3,bytes=10=;byteHardLimit=100}. A key that is absent reads as -1 (no limit).
 *
 * <p>Anyone can write these nodes, so the text is untrusted. Where ZooKeeper's parser throws (a
 * pair without {@code =} or a value that is no long), {@link #parse} returns null and the caller
 * leaves the quota alone; ZooKeeper's server stops on such a stats node at the next write under
 * the quota.
 */
public final class QuotaStats {
    public static final String COUNT = "count";
    public static final String BYTES = "bytes";
    public static final String COUNT_HARD_LIMIT = "countHardLimit";
    public static final String BYTE_HARD_LIMIT = "byteHardLimit";
    private static final Pattern PAIRS = Pattern.compile("[,;]+");
    private static final Pattern KEY_VALUE = Pattern.compile("=");

    private final TreeMap<String, Long> values;

    private QuotaStats(TreeMap<String, Long> values) {
        this.values = values;
    }

    /** A stats text with just a count and a size (what a recount writes). */
    public static QuotaStats of(long count, long bytes) {
        TreeMap<String, Long> values = new TreeMap<>();
        values.put(COUNT, count);
        values.put(BYTES, bytes);
        return new QuotaStats(values);
    }

    /** The pairs of a node's data, or null where ZooKeeper's parser would throw (null data too). */
    public static QuotaStats parse(byte[] data) {
        TreeMap<String, Long> values = new TreeMap<>();
        if (data == null) {
            return null;
        }
        if (data.length == 0) {
            return new QuotaStats(values);
        }
        for (String pair : PAIRS.split(new String(data, StandardCharsets.UTF_8))) {
            String[] kv = KEY_VALUE.split(pair);
            if (kv.length < 2) {
                return null;
            }
            try {
                values.put(kv[0], kv[1].isEmpty() ? -1 : Long.parseLong(kv[1]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return new QuotaStats(values);
    }

    private long get(String key) {
        Long v = values.get(key);
        return v == null ? -1 : v;
    }

    public long count() {
        return get(COUNT);
    }

    public long bytes() {
        return get(BYTES);
    }

    public long countHardLimit() {
        return get(COUNT_HARD_LIMIT);
    }

    public long byteHardLimit() {
        return get(BYTE_HARD_LIMIT);
    }

    /** These stats after a change of {@code countDiff} nodes and {@code bytesDiff} bytes; other keys kept. */
    public QuotaStats plus(long countDiff, long bytesDiff) {
        TreeMap<String, Long> next = new TreeMap<>(values);
        next.put(COUNT, count() + countDiff);
        next.put(BYTES, bytes() + bytesDiff);
        return new QuotaStats(next);
    }

    /** The text as ZooKeeper writes it. */
    public byte[] toBytes() {
        StringBuilder text = new StringBuilder().append(COUNT).append('=').append(count())
                .append(',').append(BYTES).append('=').append(bytes());
        boolean more = false;
        for (Map.Entry<String, Long> e : values.entrySet()) {
            if (e.getKey().equals(COUNT) || e.getKey().equals(BYTES)) {
                continue;
            }
            if (!more) {
                text.append('=');
                more = true;
            }
            text.append(';').append(e.getKey()).append('=').append(e.getValue());
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }
}
