package io.mailroom.send;

import io.mailroom.store.Attempts;
import io.mailroom.store.Database;
import io.mailroom.store.RateLedger;
import io.mailroom.store.RateLedger.Send;
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
 * counts, as providers count them) in any sliding window of that length. Seeded with earlier attempts,
 * so a quota used by this morning's run still counts tonight. A run's messages are counted in the
 * account's {@link RateLedger}, where every process sending through the account at once (workers on
 * other machines, other jobs) counts its own: each message is checked and counted there in one step.
 * A message counts a little longer than its window ({@link #guard}): the server sees it a moment
 * after it is counted here, and must never find N+1 in its own window. Time is passed in.
 */
public final class RateLimit implements AutoCloseable {
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

    private static final Pattern ONE = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d*)\\s*(s|m|h|d|seconds?|minutes?|hours?|days?)\\s*");

    private final List<Limit> limits;
    /** What the limits count, oldest first. */
    private final ArrayDeque<Send> sent = new ArrayDeque<>();
    /** Where this run's messages are counted with every other sender's; null without limits (and in unit tests, which count with {@link #sentAt}). */
    private final RateLedger ledger;

    RateLimit(List<Limit> limits, Collection<Send> earlier) {
        this(limits, earlier, null);
    }

    private RateLimit(List<Limit> limits, Collection<Send> earlier, RateLedger ledger) {
        this.limits = List.copyOf(limits);
        this.ledger = ledger;
        earlier.stream().sorted(Comparator.comparing(Send::at)).forEach(sent::add);
    }

    /**
     * The limits of a run of job {@code jobId} through {@code account}, counting what every job sent through it
     * (or job {@code jobId} alone when {@code jobOnly}); no ledger for a job without limits.
     */
    static RateLimit forRun(Attempts attempts, Database database, long jobId, String account, boolean jobOnly, List<Limit> limits, Instant now)
            throws SQLException {
        if (limits.isEmpty()) return new RateLimit(limits, List.of());
        List<Send> earlier = attempts.attemptsSince(jobId, jobOnly ? null : account, now.minus(lookBack(limits)));
        return new RateLimit(limits, earlier, RateLedger.open(database, account, jobId, jobOnly, lookBack(limits)));
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
     * What {@code limits} count at {@code now} (for status): the attempts and the ledger's sends of every run
     * through {@code account}, or of job {@code jobId} alone when {@code jobOnly} (rate.scope=job).
     */
    public static List<Send> earlier(Attempts attempts, long jobId, String account, boolean jobOnly, List<Limit> limits, Instant now)
            throws SQLException {
        Instant since = now.minus(lookBack(limits));
        List<Send> out = new ArrayList<>(attempts.attemptsSince(jobId, jobOnly ? null : account, since));
        if (account != null) out.addAll(attempts.countedSince(account, jobId, jobOnly, since));
        return out;
    }

    /** The longest window and its guard: how far back earlier messages matter. */
    static Duration lookBack(List<Limit> limits) {
        return limits.stream().map(l -> l.window().plus(guard(l.window()))).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** How much longer than its window a message counts: a twentieth of the window, at most a second. */
    static Duration guard(Duration window) {
        Duration twentieth = window.dividedBy(20);
        return twentieth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : twentieth;
    }

    /**
     * Zero, and the message counted, when one with {@code recipients} addresses may go now; else how long until
     * it may: decided in the ledger, under the account's lock, on what every sender has counted.
     */
    Duration take(Instant now, int recipients) throws SQLException {
        if (limits.isEmpty()) return Duration.ZERO;
        return ledger.take(now, recipients, newer -> {
            newer.forEach(this::add);
            Duration wait = waitAt(now, recipients);
            if (wait.isZero()) add(new Send(now, recipients));
            return wait;
        });
    }

    /**
     * Zero when a message with {@code recipients} addresses may go now, else how long until it may. One that
     * alone is over a recipient limit goes when nothing else is in that window.
     */
    Duration waitAt(Instant now, int recipients) {
        Duration longest = Duration.ZERO;
        for (Limit l : limits) {
            List<Send> inWindow = inWindow(l, now);
            int used = used(l, inWindow);
            int cost = cost(l, recipients);
            if (used == 0 || used + cost <= l.count()) continue;
            // the window must slide past the oldest messages until this one fits (or the window is empty)
            Instant freeAt = null;
            for (Send s : inWindow) {
                used -= cost(l, s.recipients());
                freeAt = s.at().plus(l.window());
                if (used == 0 || used + cost <= l.count()) break;
            }
            Duration wait = Duration.between(now, freeAt.plus(guard(l.window())));
            if (wait.compareTo(longest) > 0) longest = wait;
        }
        return longest;
    }

    /** How much of a limit's window is used at a moment, and when the next message may go by it (now if it may already). */
    public record Use(Limit limit, int used, Instant nextAt) { }

    /** What {@code limits} look like at {@code now} after the attempts {@code earlier}: for status. */
    public static List<Use> use(List<Limit> limits, Collection<Send> earlier, Instant now) {
        List<Use> out = new ArrayList<>();
        for (Limit l : limits) {
            RateLimit one = new RateLimit(List.of(l), earlier);
            out.add(new Use(l, used(l, one.inWindow(l, now)), now.plus(one.waitAt(now, 1))));
        }
        return out;
    }

    /** The messages {@code l} counts at {@code now} (its window and guard), oldest first. */
    private List<Send> inWindow(Limit l, Instant now) {
        Instant windowStart = now.minus(l.window()).minus(guard(l.window()));
        return sent.stream().filter(s -> s.at().isAfter(windowStart)).toList();
    }

    /** What those messages count against {@code l}. */
    private static int used(Limit l, List<Send> inWindow) {
        return inWindow.stream().mapToInt(s -> cost(l, s.recipients())).sum();
    }

    private static int cost(Limit l, int recipients) {
        return l.recipients() ? recipients : 1;
    }

    void sentAt(Instant t, int recipients) {
        add(new Send(t, recipients));
    }

    /** Counts {@code s} (in time order: another machine's may be a little older than the newest) and forgets what no window counts any more. */
    private void add(Send s) {
        if (sent.isEmpty() || !s.at().isBefore(sent.peekLast().at())) {
            sent.addLast(s);
        } else {
            List<Send> all = new ArrayList<>(sent);
            all.add(s);
            all.sort(Comparator.comparing(Send::at));
            sent.clear();
            sent.addAll(all);
        }
        Instant forget = sent.peekLast().at().minus(lookBack(limits));
        while (sent.peekFirst().at().isBefore(forget)) sent.pollFirst();
    }

    @Override
    public void close() throws SQLException {
        if (ledger != null) ledger.close();
    }
}
