package io.mailroom.cli;

import io.mailroom.job.Plan;
import io.mailroom.job.RunProgress;
import io.mailroom.store.RecipientStatus;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A run's progress as it goes: messages done of those due (the total grows while the CSV is planned), counts by
 * status, rate and time left. On a terminal, a line redrawn five times a second ({@link StatusLine}); off one (cron,
 * CI, a pipe), a plain line every {@code every} and one at the end. The plan's line (rows read, new, already in the
 * job) is printed on standard output as soon as the plan ends, before the summary.
 */
final class ProgressDisplay implements RunProgress, AutoCloseable {
    private static final Duration REDRAW = Duration.ofMillis(200);

    private final StatusLine line;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final Duration every;
    private final long limit;
    private final AtomicLong due = new AtomicLong();
    private final Map<RecipientStatus, AtomicLong> settled = new EnumMap<>(RecipientStatus.class);
    private final Thread ticker;
    /** The rows this run has deferred (few): the ones it tries again replace their earlier count. */
    private final java.util.Set<Long> deferredHere = new java.util.HashSet<>();
    private final boolean ticking;
    private volatile String job;
    private volatile Instant started;
    private volatile boolean planning = true;
    private volatile boolean planShown;
    private volatile String waiting;
    private Instant lastLine;
    private boolean closed;

    /** {@code every}: how often a plain line is printed off a terminal (zero: only at the end); {@code limit}: --limit. */
    ProgressDisplay(StatusLine line, PrintStream out, PrintStream err, Clock clock, Duration every, long limit) {
        this(line, out, err, clock, every, limit, true);
    }

    /** {@code ticking}: a thread of its own calls {@link #tick}; else only its caller does (tests, with their clock). */
    ProgressDisplay(StatusLine line, PrintStream out, PrintStream err, Clock clock, Duration every, long limit, boolean ticking) {
        this.ticking = ticking;
        this.line = line;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.every = every;
        this.limit = limit;
        for (RecipientStatus s : RecipientStatus.values()) settled.put(s, new AtomicLong());
        this.ticker = new Thread(this::tickLoop, "mailroom-progress");
        ticker.setDaemon(true);
    }

    /** Starts redrawing (or timing plain lines) for job {@code job}. */
    @Override
    public synchronized void started(String job, boolean planning) {
        this.job = job;
        this.planning = planning;
        this.started = clock.instant();
        this.lastLine = started;
        if (ticking) ticker.start();
    }

    @Override
    public void due(long messages) {
        due.addAndGet(messages);
    }

    @Override
    public void settled(long recipientId, RecipientStatus status) {
        synchronized (deferredHere) {
            // a row this run deferred and tries again is counted once, as it stands now
            if (deferredHere.remove(recipientId)) settled.get(RecipientStatus.DEFERRED).decrementAndGet();
            if (status == RecipientStatus.DEFERRED) deferredHere.add(recipientId);
        }
        settled.get(status).incrementAndGet();
    }

    @Override
    public void waiting(String why) {
        this.waiting = why;
    }

    @Override
    public void planned(String job, Plan plan) {
        planning = false;
        planShown = true;
        out.println(Summaries.planLine(job, plan));
    }

    /** Whether the plan's line is out already (the summary leaves it out then). */
    boolean planShown() {
        return planShown;
    }

    private void tickLoop() {
        try {
            while (true) {
                Thread.sleep(line.isTerminal() ? REDRAW.toMillis() : 1000);
                tick(clock.instant());
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Redraws the terminal's line, or prints a plain line when {@code every} has passed since the last. */
    synchronized void tick(Instant now) {
        if (closed) return;
        if (line.isTerminal()) {
            line.draw(describe(now, false));
        } else if (!every.isZero() && !now.isBefore(lastLine.plus(every))) {
            lastLine = now;
            err.println(describe(now, false));
        }
    }

    /** The line as it stands at {@code now}; {@code over}: the run has ended, and it says how long it took instead of how long is left. */
    String describe(Instant now, boolean over) {
        long total = Math.min(due.get(), limit);
        long done = Math.min(settled.values().stream().mapToLong(AtomicLong::get).sum(), Math.max(total, 0));
        StringBuilder s = new StringBuilder(job).append(": ").append(done).append('/').append(total).append(" message(s)");
        if (total > 0) s.append(" (").append(done * 100 / total).append("%)");
        StringBuilder counts = new StringBuilder();
        for (var e : settled.entrySet()) {
            if (e.getValue().get() > 0) counts.append(counts.length() == 0 ? "" : ", ").append(e.getKey().label()).append(' ').append(e.getValue().get());
        }
        if (counts.length() > 0) s.append(": ").append(counts);
        Duration elapsed = Duration.between(started, now);
        if (done > 0 && elapsed.toMillis() > 0) {
            double perSecond = done * 1000.0 / elapsed.toMillis();
            s.append("; ").append(String.format(java.util.Locale.ROOT, "%.1f", perSecond)).append("/s");
            if (!over && done < total) s.append("; about ").append(span(Duration.ofSeconds((long) Math.ceil((total - done) / perSecond)))).append(" left");
        }
        if (over) s.append("; took ").append(span(elapsed));
        else if (waiting != null) s.append("; waiting ").append(waiting);
        else if (planning && !planShown) s.append(" (still reading the CSV)");
        return s.toString();
    }

    /** 45s, 3m05s, 2h07m. */
    static String span(Duration d) {
        long seconds = Math.max(0, d.toSeconds());
        if (seconds < 60) return seconds + "s";
        if (seconds < 3600) return String.format(java.util.Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        return String.format(java.util.Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }

    /** Stops redrawing: the terminal keeps the last line, ended; off a terminal, the last plain line is printed. */
    @Override
    public void close() {
        ticker.interrupt();
        synchronized (this) {
            if (closed || job == null) return;
            closed = true;
            if (due.get() == 0 && settled.values().stream().allMatch(n -> n.get() == 0)) return; // the summary says "nothing due"
            String last = describe(clock.instant(), true);
            if (line.isTerminal()) {
                line.draw(last);
                line.keep();
            } else {
                err.println(last);
            }
        }
    }
}
