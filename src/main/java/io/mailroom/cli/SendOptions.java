package io.mailroom.cli;

import io.mailroom.job.JobFile;
import io.mailroom.job.Jobs;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;

/** What run and resume share: --verbose, the time bound (--max-duration, --until), and the use cases wired to the context. */
final class SendOptions {
    @Option(names = {"-v", "--verbose"}, description = "print the SMTP dialogue to standard error (AUTH redacted)")
    boolean verbose;

    @Option(names = "--max-duration", paramLabel = "DURATION", description = "start no new message after this long, e.g. 2h")
    String maxDuration;

    @Option(names = "--until", paramLabel = "TIME", description = "start no new message after this local time: HH:MM (next one) or 2026-11-23T06:00")
    String until;

    @Option(names = "--progress-every", paramLabel = "DURATION",
            description = "off a terminal (cron, a pipe), print a progress line this often; 0: only at the end (default: 30s)")
    String progressEvery;

    /** What shows the run's progress: a redrawn line on a terminal, else a plain line every --progress-every and at the end. */
    ProgressDisplay progress(Context ctx, CommandLine cmd, long limit) {
        Duration every = Duration.ofSeconds(30);
        if (progressEvery != null) {
            every = progressEvery.equals("0") ? Duration.ZERO : JobFile.parseDuration(progressEvery);
            if (every == null) throw new ParameterException(cmd, "--progress-every: \"" + progressEvery + "\" must be a duration like 30s, 5m or 0");
        }
        return new ProgressDisplay(ctx.line(), ctx.out(), ctx.err(), ctx.clock(), every, limit);
    }

    /** When the run stops starting new messages (the earlier of --max-duration and --until), or null. */
    Instant deadline(Context ctx, CommandLine cmd) {
        Instant now = ctx.clock().instant();
        Instant deadline = null;
        if (maxDuration != null) {
            Duration d = JobFile.parseDuration(maxDuration);
            if (d == null && maxDuration.strip().matches("(?i)0+(ms|s|m|h|d)")) {
                throw new ParameterException(cmd, "--max-duration: \"" + maxDuration + "\" must be more than zero, e.g. 30m; leave the option out"
                        + " for no limit");
            }
            if (d == null) throw new ParameterException(cmd, "--max-duration: \"" + maxDuration + "\" must be a duration like 30m, 2h or 1d");
            deadline = now.plus(d);
        }
        if (until != null) {
            ZonedDateTime u = untilTime(now, cmd);
            // said at the start, so a time that has just passed, which means tomorrow's, surprises nobody
            boolean justPassed = !until.contains("T") && Duration.between(u.minusDays(1).toInstant(), now).compareTo(JUST_PASSED) < 0;
            ctx.note("--until " + until + ": no message starts after " + u.toOffsetDateTime()
                    + (justPassed ? " (" + until + " today has just passed, so it is tomorrow's)" : ""));
            if (deadline == null || u.toInstant().isBefore(deadline)) deadline = u.toInstant();
        }
        return deadline;
    }

    private static final Duration JUST_PASSED = Duration.ofMinutes(10);

    /** The next such local time (HH:MM), or the date and time given, which must be to come. */
    private ZonedDateTime untilTime(Instant now, CommandLine cmd) {
        ZoneId zone = ZoneId.systemDefault();
        try {
            if (until.contains("T")) {
                ZonedDateTime at = LocalDateTime.parse(until).atZone(zone);
                if (!at.toInstant().isAfter(now)) throw new ParameterException(cmd, "--until: " + until + " has passed; give a time to come");
                return at;
            }
            ZonedDateTime today = LocalTime.parse(until).atDate(LocalDate.ofInstant(now, zone)).atZone(zone);
            return today.toInstant().isAfter(now) ? today : today.plusDays(1);
        } catch (DateTimeParseException e) {
            throw new ParameterException(cmd, "--until: \"" + until + "\" must be a local time like 06:00 or a date and time like 2026-11-23T06:00");
        }
    }

    Jobs jobs(Context ctx, ProgressDisplay progress) {
        return ctx.jobs(verbose, progress);
    }
}
