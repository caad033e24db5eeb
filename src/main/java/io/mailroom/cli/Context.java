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
record Context(PrintStream out, PrintStream err, Function<String, String> env, Clock clock, Pause pause, Stop stop) {

    static final String DEFAULT_DB = "jdbc:h2:./.mailroom/mailroom";

    /** This context with {@code out} and {@code err} escaping control characters (see EscapingStream). */
    Context escaping() {
        return new Context(EscapingStream.over(out), EscapingStream.over(err), env, clock, pause, stop);
    }

    /** --db, else MAILROOM_DB, else an H2 file database under ./.mailroom/. */
    String dbUrl(String flag) {
        if (flag != null) return flag;
        String fromEnv = env.apply("MAILROOM_DB");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_DB;
    }

    /** The use cases, printing to this context; {@code verbose} shows each SMTP session's transcript. */
    Jobs jobs(boolean verbose) {
        return new Jobs(clock, pause, stop, err, env, Transcripts.of(verbose, err));
    }

    /** A note on standard error, such as a file mailroom made private. */
    void note(String text) {
        err.println("mailroom: " + text);
    }
}
