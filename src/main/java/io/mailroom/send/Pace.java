package io.mailroom.send;

import java.time.Duration;
import java.time.Instant;
import io.mailroom.store.Throttle;
import java.util.ArrayDeque;

/**
 * How fast a run may start messages once a server has asked it to slow down ({@link Throttling}): it pauses for
 * {@link #PAUSE}, then starts messages at half the pace it had (the messages it started in the last minute), and
 * after each {@link #QUIET} period without another such reply a third faster, until it is back at that pace and
 * free again. A reply that comes while it pauses (other messages of the same moment) changes nothing. Time is
 * passed in; callers hold their own lock.
 */
public final class Pace {
    static final Duration PAUSE = Duration.ofMinutes(1);
    static final Duration QUIET = Duration.ofMinutes(1);
    private static final Duration SAMPLE = Duration.ofMinutes(1);
    /** Never slower than a message a minute. */
    private static final double SLOWEST = 1.0 / 60;

    /** What a throttling reply did: when, and the pace (messages a second) the run keeps from then on. */
    record Slowed(Instant at, Instant resumeAt, double perSecond) { }

    private final ArrayDeque<Instant> starts = new ArrayDeque<>();
    /** Messages a second allowed; 0: no pace but the run's own. */
    private double perSecond;
    /** The pace the run had before its first throttling reply: once back at it, the pace is lifted. */
    private double before;
    private Instant resumeAt;
    private Instant lastStep;
    private Instant lastStart;

    /**
     * The pace an earlier run through the account was left at ({@code perSecond} from {@code resumeAt}): a run that
     * starts meanwhile waits out its pause and keeps its pace, recovering as if it had gone on.
     */
    void resume(Instant resumeAt, double perSecond) {
        this.resumeAt = resumeAt;
        this.lastStep = resumeAt;
        this.perSecond = perSecond;
        // what it had before is not kept: the pace it was halved from
        this.before = perSecond * 2;
    }

    /** Where a throttled account's pace stands: no message before {@code resumeAt}, then at most {@code perSecond}; what asked for it. */
    public record Standing(Instant resumeAt, double perSecond, Throttle cause) {
        /** As status says it: "no message before 10:01:00Z, then at most 3.50 message(s) a minute (451 4.7.28: …)". */
        public String describe(Instant now) {
            return (now.isBefore(resumeAt) ? "no message before " + resumeAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", then " : "")
                    + "at most " + Pace.describe(perSecond) + ", faster after each quiet minute (asked at " + cause.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ": " + cause.said() + ")";
        }
    }

    /** The pace {@code t} left its account at, as it stands at {@code now}; empty once it has recovered. */
    public static java.util.Optional<Standing> standing(Throttle t, Instant now) {
        Pace p = new Pace();
        p.resume(t.resumeAt(), t.perSecond());
        double perSecond = p.perSecond(now);
        return perSecond == 0 ? java.util.Optional.empty() : java.util.Optional.of(new Standing(t.resumeAt(), perSecond, t));
    }

    /** A message starts at {@code now}. */
    void started(Instant now) {
        starts.addLast(now);
        lastStart = now;
        while (starts.peekFirst().isBefore(now.minus(SAMPLE))) starts.pollFirst();
    }

    /** A throttling reply was read at {@code now}: the pause and the new pace, or null when the run already pauses for one. */
    Slowed throttled(Instant now) {
        if (resumeAt != null && now.isBefore(resumeAt)) return null;
        double had = Math.max(SLOWEST, starts.stream().filter(t -> !t.isBefore(now.minus(SAMPLE))).count() / (double) SAMPLE.toSeconds());
        double current = perSecond > 0 ? Math.min(perSecond, had) : had;
        if (before == 0) before = had;
        perSecond = Math.max(SLOWEST, current / 2);
        resumeAt = now.plus(PAUSE);
        lastStep = resumeAt;
        return new Slowed(now, resumeAt, perSecond);
    }

    /** How long until the next message may start: zero when it may now. */
    Duration waitAt(Instant now) {
        if (resumeAt == null) return Duration.ZERO;
        if (now.isBefore(resumeAt)) return Duration.between(now, resumeAt);
        recover(now);
        if (perSecond == 0 || lastStart == null) return Duration.ZERO;
        Instant next = lastStart.plusNanos((long) (1e9 / perSecond));
        return now.isBefore(next) ? Duration.between(now, next) : Duration.ZERO;
    }

    /** The pace allowed now, messages a second (0: none), as {@link #waitAt} applies it. */
    double perSecond(Instant now) {
        if (resumeAt != null && !now.isBefore(resumeAt)) recover(now);
        return perSecond;
    }

    /** A pace as notes say it: 12 a minute, 0.5 a second. */
    static String describe(double perSecond) {
        if (perSecond == 0) return "none";
        if (perSecond < 1) return String.format(java.util.Locale.ROOT, "%.3g message(s) a minute", perSecond * 60);
        return String.format(java.util.Locale.ROOT, "%.3g message(s) a second", perSecond);
    }

    /** Each quiet period since the pause ended (or since the last step) makes the pace a third faster, up to the one it had. */
    private void recover(Instant now) {
        while (perSecond > 0 && !now.isBefore(lastStep.plus(QUIET))) {
            lastStep = lastStep.plus(QUIET);
            perSecond = perSecond * 4 / 3;
            if (perSecond >= before) {
                perSecond = 0;
                before = 0;
                resumeAt = null;
            }
        }
    }
}
