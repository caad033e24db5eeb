package io.mailroom.send;

import io.mailroom.store.Attempts;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's sending limits: at most N messages ({@code rate}, e.g. {@code 20/second, 50/5m}) or N
 * recipients ({@code rate.recipients}, e.g. {@code 10000/day}; every address in a message's envelope
 * counts, as providers count them) in any sliding window of that length. Seeded with the job's earlier
 * attempts, so a quota used by this morning's run still counts tonight. Time is passed in; only
 * {@link #earlier} reads the store, for what the limits count.
 */
public final class RateLimit {
    /** {@code count} messages, or recipients when {@code recipients}, in any {@code window}. */
    public record Limit(int count, Duration window, boolean recipients) {
        /** As the job file writes it: 20/second, 50/5m. */
        public String toKey() {
            return count + "/" + windowKey(window);
        }

        /** For messages: 20/second, 10000/day recipients. */
        public String describe() {
            return toKey() + (recipients ? " recipients" : "");
        }
    }

    /** A message that went, with how many recipients its envelope carried. */
    public record Sent(Instant at, int recipients) { }

    private static final Pattern ONE = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d*)\\s*(s|m|h|d|seconds?|minutes?|hours?|days?)\\s*");

    private final List<Limit> limits;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();

    RateLimit(List<Limit> limits, Collection<Sent> earlier) {
        this.limits = List.copyOf(limits);
        earlier.stream().sorted(Comparator.comparing(Sent::at)).forEach(sent::add);
    }

    /**
     * Parses {@code 20/second, 50/5m, 2000/hour}: units second, minute, hour, day (or s, m, h, d), each
     * after an optional number; {@code recipients} says what the limits count. Null for any other text.
     */
    public static List<Limit> parse(String text, boolean recipients) {
        List<Limit> out = new ArrayList<>();
        for (String part : text.split(",")) {
            Matcher m = ONE.matcher(part.toLowerCase(Locale.ROOT));
            if (!m.matches()) return null;
            int count = Integer.parseInt(m.group(1));
            long units = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
            if (count < 1 || units < 1 || units > 366) return null;
            Duration unit = switch (m.group(3).charAt(0)) {
                case 's' -> Duration.ofSeconds(1);
                case 'm' -> Duration.ofMinutes(1);
                case 'h' -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            out.add(new Limit(count, unit.multipliedBy(units), recipients));
        }
        return out;
    }

    private static String windowKey(Duration w) {
        if (w.equals(Duration.ofDays(1))) return "day";
        if (w.equals(Duration.ofHours(1))) return "hour";
        if (w.equals(Duration.ofMinutes(1))) return "minute";
        if (w.equals(Duration.ofSeconds(1))) return "second";
        if (w.toSeconds() % 86_400 == 0) return w.toDays() + "d";
        if (w.toSeconds() % 3_600 == 0) return w.toHours() + "h";
        if (w.toSeconds() % 60 == 0) return w.toMinutes() + "m";
        return w.toSeconds() + "s";
    }

    List<Limit> limits() { return limits; }

    /**
     * The attempts {@code limits} count at {@code now}: every run's through {@code account}, or job
     * {@code jobId}'s alone when {@code account} is null (rate.scope=job).
     */
    public static List<Sent> earlier(Attempts attempts, long jobId, String account, List<Limit> limits, Instant now) throws SQLException {
        return attempts.attemptsSince(jobId, account, now.minus(lookBack(limits))).stream().map(a -> new Sent(a.at(), a.addresses())).toList();
    }

    /** The longest window: how far back earlier attempts matter. */
    static Duration lookBack(List<Limit> limits) {
        return limits.stream().map(Limit::window).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * Zero when a message with {@code recipients} addresses may go now, else how long until it may. One that
     * alone is over a recipient limit goes when nothing else is in that window.
     */
    Duration waitAt(Instant now, int recipients) {
        Duration longest = Duration.ZERO;
        for (Limit l : limits) {
            List<Sent> inWindow = inWindow(l, now);
            int used = used(l, inWindow);
            int cost = cost(l, recipients);
            if (used == 0 || used + cost <= l.count()) continue;
            // the window must slide past the oldest messages until this one fits (or the window is empty)
            Instant freeAt = null;
            for (Sent s : inWindow) {
                used -= cost(l, s.recipients());
                freeAt = s.at().plus(l.window());
                if (used == 0 || used + cost <= l.count()) break;
            }
            Duration wait = Duration.between(now, freeAt);
            if (wait.compareTo(longest) > 0) longest = wait;
        }
        return longest;
    }

    /** How much of a limit's window is used at a moment, and when the next message may go by it (now if it may already). */
    public record Use(Limit limit, int used, Instant nextAt) { }

    /** What {@code limits} look like at {@code now} after the attempts {@code earlier}: for status. */
    public static List<Use> use(List<Limit> limits, Collection<Sent> earlier, Instant now) {
        List<Use> out = new ArrayList<>();
        for (Limit l : limits) {
            RateLimit one = new RateLimit(List.of(l), earlier);
            out.add(new Use(l, used(l, one.inWindow(l, now)), now.plus(one.waitAt(now, 1))));
        }
        return out;
    }

    /** The messages in {@code l}'s window ending at {@code now}, oldest first. */
    private List<Sent> inWindow(Limit l, Instant now) {
        Instant windowStart = now.minus(l.window());
        return sent.stream().filter(s -> s.at().isAfter(windowStart)).toList();
    }

    /** What those messages count against {@code l}. */
    private static int used(Limit l, List<Sent> inWindow) {
        return inWindow.stream().mapToInt(s -> cost(l, s.recipients())).sum();
    }

    private static int cost(Limit l, int recipients) {
        return l.recipients() ? recipients : 1;
    }

    void sentAt(Instant t, int recipients) {
        sent.add(new Sent(t, recipients));
        Duration keep = lookBack(limits);
        while (!sent.isEmpty() && sent.peekFirst().at().isBefore(t.minus(keep))) sent.pollFirst();
    }
}
