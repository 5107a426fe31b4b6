package io.paddock.bench;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles of measured values. */
final class Stats {
    private Stats() {}

    /** The median (mean of the middle two for an even count); NaN when empty. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Nearest-rank percentile {@code q} (0..1) of the first {@code count} values; NaN when empty. */
    static double percentile(long[] values, int count, double q) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * count);
        return sorted[Math.min(count, Math.max(1, rank)) - 1];
    }
}
