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

    /** When the run stops starting new messages (the earlier of --max-duration and --until), or null. */
    Instant deadline(Context ctx, CommandLine cmd) {
        Instant now = ctx.clock().instant();
        Instant deadline = null;
        if (maxDuration != null) {
            Duration d = JobFile.parseDuration(maxDuration);
            if (d == null) throw new ParameterException(cmd, "--max-duration: \"" + maxDuration + "\" must be a duration like 30m, 2h or 1d");
            deadline = now.plus(d);
        }
        if (until != null) {
            Instant u = untilInstant(now, cmd);
            if (deadline == null || u.isBefore(deadline)) deadline = u;
        }
        return deadline;
    }

    private Instant untilInstant(Instant now, CommandLine cmd) {
        ZoneId zone = ZoneId.systemDefault();
        try {
            if (until.contains("T")) return LocalDateTime.parse(until).atZone(zone).toInstant();
            ZonedDateTime today = LocalTime.parse(until).atDate(LocalDate.ofInstant(now, zone)).atZone(zone);
            return (today.toInstant().isAfter(now) ? today : today.plusDays(1)).toInstant();
        } catch (DateTimeParseException e) {
            throw new ParameterException(cmd, "--until: \"" + until + "\" must be a local time like 06:00 or a date and time like 2026-11-23T06:00");
        }
    }

    Jobs jobs(Context ctx) {
        return ctx.jobs(verbose);
    }
}
