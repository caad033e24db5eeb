package io.mailroom.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark's results, one row per contender and setting, in the order rows were first added, printed
 * as a Markdown table: the median rate over the rounds and its range, the median wall and CPU seconds and
 * peak RSS, and the range of the load average the rounds ended under.
 */
final class Table {
    private record Row(String what, int messages, List<Measure> rounds) { }

    private final Map<String, Row> rows = new LinkedHashMap<>();

    void add(String what, int messages, Measure m) {
        rows.computeIfAbsent(what + " × " + messages, k -> new Row(what, messages, new ArrayList<>())).rounds().add(m);
    }

    void print(PrintStream out) {
        out.println("| what | messages | msgs/s median (range) | wall s | CPU s | peak RSS MB | load 1 min |");
        out.println("|---|--:|--:|--:|--:|--:|--:|");
        rows.values().forEach(r -> {
            List<Double> rates = sorted(r.rounds(), m -> r.messages() / m.seconds());
            List<Double> loads = sorted(r.rounds(), Measure::load);
            String rate = rates.size() == 1 ? String.format("%.0f", rates.get(0))
                    : String.format("%.0f (%.0f–%.0f)", median(rates), rates.get(0), rates.get(rates.size() - 1));
            double rss = median(sorted(r.rounds(), m -> m.peakRssKb() / 1024.0));
            out.printf("| %s | %,d | %s | %.1f | %s | %s | %.1f–%.1f |%n", r.what(), r.messages(), rate, median(sorted(r.rounds(), Measure::seconds)),
                    orNa("%.1f", median(sorted(r.rounds(), Measure::cpuSeconds))), rss < 0 ? "n/a" : String.format("%.0f", rss),
                    loads.get(0), loads.get(loads.size() - 1));
        });
    }

    private static List<Double> sorted(List<Measure> rounds, ToDoubleFunction<Measure> f) {
        return rounds.stream().map(f::applyAsDouble).sorted(Comparator.naturalOrder()).toList();
    }

    /** The middle value; with an even count, the lower of the two middle ones (a value that was measured). */
    static double median(List<Double> sorted) {
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static String orNa(String format, double v) {
        return Double.isNaN(v) ? "n/a" : String.format(format, v);
    }
}
