package io.paddock.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Measured values per metric and server, in the order metrics were first added; the table shows medians. */
final class Results {
    /** The project's goal for Paddock/ZooKeeper, where it states one. */
    enum Goal {
        NONE("", true, Double.NaN),
        AT_LEAST_TWICE(">= 2.0", true, 2.0),
        AT_LEAST_ONE_AND_A_HALF(">= 1.5", true, 1.5),
        AT_MOST_HALF("<= 0.5", false, 0.5),
        AT_MOST_A_QUARTER("<= 0.25", false, 0.25);

        final String text;
        private final boolean atLeast;
        private final double bound;

        Goal(String text, boolean atLeast, double bound) {
            this.text = text;
            this.atLeast = atLeast;
            this.bound = bound;
        }

        String verdict(double ratio) {
            if (this == NONE || Double.isNaN(ratio)) {
                return text;
            }
            boolean met = atLeast ? ratio >= bound : ratio <= bound;
            return text + (met ? " (met)" : " (not met)");
        }
    }

    record Metric(String label, String unit, int decimals, Goal goal) {}

    private final Map<Metric, Map<ServerKind, List<Double>>> values = new LinkedHashMap<>();

    /** The median of the values added for a metric and server; NaN when none. */
    double median(Metric metric, ServerKind kind) {
        return Stats.median(values.getOrDefault(metric, Map.of()).getOrDefault(kind, List.of()));
    }

    void add(Metric metric, ServerKind kind, double value) {
        values.computeIfAbsent(metric, m -> new EnumMap<>(ServerKind.class))
            .computeIfAbsent(kind, k -> new ArrayList<>()).add(value);
    }

    /** Declares a metric so it has a row even if no server produced a value. */
    void declare(Metric metric) {
        values.computeIfAbsent(metric, m -> new EnumMap<>(ServerKind.class));
    }

    /** A Markdown table: metric, ZooKeeper, Paddock, Paddock/ZooKeeper, goal. */
    String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"metric", "ZooKeeper 3.9.5", "Paddock", "Paddock/ZooKeeper", "goal"});
        for (Map.Entry<Metric, Map<ServerKind, List<Double>>> e : values.entrySet()) {
            Metric m = e.getKey();
            double zk = Stats.median(e.getValue().getOrDefault(ServerKind.ZOOKEEPER, List.of()));
            double paddock = Stats.median(e.getValue().getOrDefault(ServerKind.PADDOCK, List.of()));
            double ratio = paddock / zk;
            rows.add(new String[] {m.label() + " (" + m.unit() + ")", format(zk, m.decimals()),
                format(paddock, m.decimals()), format(ratio, 2), m.goal().verdict(ratio)});
        }
        return render(rows);
    }

    private static String format(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String render(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            out.append(line(rows.get(r), widths));
            if (r == 0) {
                String[] rule = new String[widths.length];
                for (int i = 0; i < widths.length; i++) {
                    rule[i] = i == 0 || i == 4 ? "-".repeat(widths[i]) : "-".repeat(widths[i] - 1) + ":";
                }
                out.append(line(rule, widths));
            }
        }
        return out.toString();
    }

    private static String line(String[] cells, int[] widths) {
        StringBuilder out = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i];
            String pad = " ".repeat(widths[i] - cell.length());
            out.append(' ').append(i == 0 || i == 4 ? cell + pad : pad + cell).append(" |");
        }
        return out.append('\n').toString();
    }
}
