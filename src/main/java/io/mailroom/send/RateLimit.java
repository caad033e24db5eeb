package io.mailroom.send;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's sending limits (the {@code rate} key, e.g. {@code 20/second, 500/day}): at most N messages in
 * any sliding window of that length. Seeded with the job's earlier attempts, so a quota used by this
 * morning's run still counts tonight. Pure: time is passed in.
 */
public final class RateLimit {
    public record Limit(int count, Duration window) {
        public String toKey() {
            String unit = window.toDays() == 1 ? "day" : window.toHours() == 1 ? "hour" : window.toMinutes() == 1 ? "minute" : "second";
            return count + "/" + unit;
        }
    }

    private static final Pattern ONE = Pattern.compile("\\s*(\\d+)\\s*/\\s*(second|minute|hour|day)s?\\s*");

    private final List<Limit> limits;
    private final ArrayDeque<Instant> sent = new ArrayDeque<>();

    RateLimit(List<Limit> limits, Collection<Instant> earlier) {
        this.limits = List.copyOf(limits);
        earlier.stream().sorted().forEach(sent::add);
    }

    /** Parses {@code 20/second, 500/day}; null for a text that is not such a list. */
    public static List<Limit> parse(String text) {
        List<Limit> out = new ArrayList<>();
        for (String part : text.split(",")) {
            Matcher m = ONE.matcher(part.toLowerCase(Locale.ROOT));
            if (!m.matches() || Integer.parseInt(m.group(1)) < 1) return null;
            Duration window = switch (m.group(2)) {
                case "second" -> Duration.ofSeconds(1);
                case "minute" -> Duration.ofMinutes(1);
                case "hour" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            out.add(new Limit(Integer.parseInt(m.group(1)), window));
        }
        return out;
    }

    List<Limit> limits() { return limits; }

    /** The longest window: how far back earlier attempts matter. */
    static Duration lookBack(List<Limit> limits) {
        return limits.stream().map(Limit::window).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** Zero when a message may go now, else how long until one may. */
    Duration waitAt(Instant now) {
        Duration longest = Duration.ZERO;
        for (Limit l : limits) {
            Instant windowStart = now.minus(l.window());
            List<Instant> inWindow = sent.stream().filter(t -> t.isAfter(windowStart)).toList();
            if (inWindow.size() >= l.count()) {
                // the window must slide past the oldest message that keeps it full
                Instant freeAt = inWindow.get(inWindow.size() - l.count()).plus(l.window());
                Duration wait = Duration.between(now, freeAt);
                if (wait.compareTo(longest) > 0) longest = wait;
            }
        }
        return longest;
    }

    void sentAt(Instant t) {
        sent.add(t);
        Duration keep = lookBack(limits);
        while (!sent.isEmpty() && sent.peekFirst().isBefore(t.minus(keep))) sent.pollFirst();
    }
}
