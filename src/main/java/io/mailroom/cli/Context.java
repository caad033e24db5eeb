package io.mailroom.cli;

import io.mailroom.job.Jobs;
import io.mailroom.send.Pause;
import io.mailroom.send.Stop;
import java.io.PrintStream;
import java.time.Clock;
import java.util.function.Function;

/**
 * What commands get from the outside world: streams, environment, clock and waiting (injected by tests).
 * Main.execute hands commands {@link #escaping()} of the context it is given, so everything printed on
 * {@code out} and {@code err} shows control characters escaped.
 */
record Context(PrintStream out, PrintStream err, Function<String, String> env, Clock clock, Pause pause, Stop stop, StatusLine line) {

    static final String DEFAULT_DB = "jdbc:h2:./.mailroom/mailroom";

    /** A context whose standard error is no terminal (no progress line to redraw). */
    Context(PrintStream out, PrintStream err, Function<String, String> env, Clock clock, Pause pause, Stop stop) {
        this(out, err, env, clock, pause, stop, StatusLine.NONE);
    }

    /**
     * This context with {@code out} and {@code err} escaping control characters (see EscapingStream), and wiping
     * the progress line before they write to the terminal.
     */
    Context escaping() {
        return new Context(EscapingStream.over(line.guard(out)), EscapingStream.over(line.guard(err)), env, clock, pause, stop, line);
    }

    /** --db, else MAILROOM_DB, else an H2 file database under ./.mailroom/. */
    String dbUrl(String flag) {
        if (flag != null) return flag;
        String fromEnv = env.apply("MAILROOM_DB");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_DB;
    }

    /** The use cases, printing to this context; {@code verbose} shows each SMTP session's transcript. */
    Jobs jobs(boolean verbose) {
        return jobs(verbose, io.mailroom.job.RunProgress.NONE);
    }

    /** As {@link #jobs(boolean)}, telling {@code progress} how a run goes. */
    Jobs jobs(boolean verbose, io.mailroom.job.RunProgress progress) {
        return new Jobs(clock, pause, stop, err, env, Transcripts.of(verbose, err), progress);
    }

    /** A note on standard error, such as a file mailroom made private. */
    void note(String text) {
        err.println("mailroom: " + text);
    }
}
