package io.mailroom.report;

import io.mailroom.store.RecipientStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTML report's charts, as inline SVG (nothing fetched, nothing scripted): addresses by status, by reply
 * (code, enhanced code and meaning) and by recipient domain as horizontal bars, and sends over time as a
 * histogram. A bar's colour is its status's ({@code class="s-<status>"}, coloured by the page's style); every
 * bar has a {@code <title>} with its exact label and count, so a label cut short to fit is still readable.
 * Every label is escaped by {@link HtmlReport#esc}.
 */
final class HtmlCharts {
    /** Bucket widths for sends over time, smallest first: the first that needs at most {@link #MAX_BUCKETS} is used. */
    private static final List<Duration> BUCKETS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1), Duration.ofDays(7),
            Duration.ofDays(30));
    private static final int MAX_BUCKETS = 60;
    private static final int WIDTH = 560, LABEL = 250, BAR = 22;

    /** One part of a bar: {@code value} addresses of {@code status}. */
    record Segment(int value, RecipientStatus status) { }

    record Bar(String label, List<Segment> segments) {
        int total() { return segments.stream().mapToInt(Segment::value).sum(); }
    }

    private HtmlCharts() { }

    static String statuses(Report r) {
        List<Bar> bars = new ArrayList<>();
        for (RecipientStatus s : RecipientStatus.values()) {
            if (r.counts().get(s) > 0) bars.add(new Bar(s.label(), List.of(new Segment(r.counts().get(s), s))));
        }
        return bars("recipient rows by status", bars);
    }

    static String replies(Breakdown b) {
        List<Bar> bars = new ArrayList<>();
        for (var c : b.replies()) {
            RecipientStatus colour = c.reply() == null ? RecipientStatus.UNKNOWN : switch (c.reply().code() / 100) {
                case 2 -> RecipientStatus.SENT;
                case 4 -> RecipientStatus.DEFERRED;
                default -> RecipientStatus.FAILED;
            };
            bars.add(new Bar(c.label(), List.of(new Segment(c.addresses(), colour))));
        }
        return bars("addresses by the reply that decided them", bars);
    }

    static String domains(Breakdown b, int shown) {
        List<Bar> bars = new ArrayList<>();
        for (var d : b.domains().subList(0, Math.min(shown, b.domains().size()))) {
            List<Segment> parts = new ArrayList<>();
            for (Map.Entry<RecipientStatus, Integer> e : d.statuses().entrySet()) parts.add(new Segment(e.getValue(), e.getKey()));
            bars.add(new Bar(d.domain(), parts));
        }
        return bars("addresses by recipient domain", bars);
    }

    /** Horizontal bars, one per line: the label, the bar (its segments side by side), the total. */
    static String bars(String title, List<Bar> bars) {
        if (bars.isEmpty()) return "<p>none yet</p>";
        int max = bars.stream().mapToInt(Bar::total).max().orElse(1);
        int height = bars.size() * BAR + 4;
        StringBuilder svg = new StringBuilder(svgOpen(title, height));
        int y = 2;
        for (Bar bar : bars) {
            svg.append("<g><title>").append(HtmlReport.esc(bar.label() + ": " + bar.total())).append("</title>");
            svg.append(text(LABEL - 6, y + 15, "end", cut(bar.label(), 36)));
            double x = LABEL;
            for (Segment s : bar.segments()) {
                double w = (WIDTH - LABEL - 50) * (double) s.value() / max;
                svg.append(String.format(java.util.Locale.ROOT, "<rect class=\"s-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>", s.status().label(), x, y + 3, w, BAR - 6));
                x += w;
            }
            svg.append(text((int) Math.ceil(x) + 4, y + 15, "start", String.valueOf(bar.total()))).append("</g>");
            y += BAR;
        }
        return svg.append("</svg>").toString();
    }

    /** Addresses sent per period from the first send to the last, the period chosen to need at most 60 bars. */
    static String sendsOverTime(Breakdown b) {
        List<Instant> sent = b.sentTimes();
        if (sent.isEmpty()) return "<p>nothing sent yet</p>";
        Instant start = sent.get(0);
        long span = Duration.between(start, sent.get(sent.size() - 1)).toMillis();
        Duration width = BUCKETS.stream().filter(d -> span / d.toMillis() < MAX_BUCKETS).findFirst().orElse(BUCKETS.get(BUCKETS.size() - 1));
        start = Instant.ofEpochMilli(start.toEpochMilli() - Math.floorMod(start.toEpochMilli(), width.toMillis()));
        long buckets = Duration.between(start, sent.get(sent.size() - 1)).toMillis() / width.toMillis() + 1;
        int[] counts = new int[(int) Math.min(MAX_BUCKETS * 4L, buckets)];
        for (Instant t : sent) counts[(int) Math.min(counts.length - 1, Duration.between(start, t).toMillis() / width.toMillis())]++;
        int max = java.util.Arrays.stream(counts).max().orElse(1);
        int plotHeight = 120, left = 40, top = 10;
        double w = (WIDTH - left - 10.0) / counts.length;
        StringBuilder svg = new StringBuilder(svgOpen("addresses sent over time, one bar per " + period(width), plotHeight + 50));
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) continue;
            double h = plotHeight * (double) counts[i] / max;
            Instant from = start.plus(width.multipliedBy(i));
            svg.append(String.format(java.util.Locale.ROOT, "<g><title>%s: %d sent</title><rect class=\"s-sent\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></g>",
                    TextReport.time(from) + " to " + TextReport.time(from.plus(width)), counts[i], left + i * w + 0.5, top + plotHeight - h,
                    Math.max(1, w - 1), h));
        }
        svg.append(String.format(java.util.Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, top + plotHeight, WIDTH - 10, top + plotHeight));
        svg.append(text(left - 4, top + 10, "end", String.valueOf(max))).append(text(left - 4, top + plotHeight, "end", "0"));
        svg.append(text(left, top + plotHeight + 16, "start", TextReport.time(start)));
        svg.append(text(WIDTH - 10, top + plotHeight + 16, "end", TextReport.time(start.plus(width.multipliedBy(counts.length)))));
        svg.append(text(left, top + plotHeight + 34, "start", "one bar per " + period(width) + ", UTC; highest " + max + " sent"));
        return svg.append("</svg>").toString();
    }

    private static String period(Duration d) {
        if (d.toDays() > 0) return d.toDays() + (d.toDays() == 1 ? " day" : " days");
        if (d.toHours() > 0) return d.toHours() + (d.toHours() == 1 ? " hour" : " hours");
        if (d.toMinutes() > 0) return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
        return d.toSeconds() + (d.toSeconds() == 1 ? " second" : " seconds");
    }

    private static String svgOpen(String title, int height) {
        return "<svg role=\"img\" width=\"" + WIDTH + "\" height=\"" + height + "\" viewBox=\"0 0 " + WIDTH + " " + height + "\" aria-label=\""
                + HtmlReport.esc(title) + "\">";
    }

    private static String text(int x, int y, String anchor, String s) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + HtmlReport.esc(s) + "</text>";
    }

    /** {@code s} cut to {@code max} characters, with an ellipsis when cut (the bar's title has all of it). */
    private static String cut(String s, int max) {
        if (s.length() <= max) return s;
        int end = Character.isHighSurrogate(s.charAt(max - 2)) ? max - 2 : max - 1;
        return s.substring(0, end) + "…";
    }
}
