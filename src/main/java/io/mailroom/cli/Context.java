package io.mailroom.cli;

import io.mailroom.job.Pause;
import java.io.PrintStream;
import java.time.Clock;
import java.util.function.Function;

/** What commands get from the outside world: streams, environment, clock and waiting (injected by tests). */
record Context(PrintStream out, PrintStream err, Function<String, String> env, Clock clock, Pause pause) {

    // AUTO_SERVER lets a second process (status, report, a second run) open the file while a run has it
    static final String DEFAULT_DB = "jdbc:h2:./.mailroom/mailroom;AUTO_SERVER=TRUE";

    /** --db, else MAILROOM_DB, else an H2 file database under ./.mailroom/. */
    String dbUrl(String flag) {
        if (flag != null) return flag;
        String fromEnv = env.apply("MAILROOM_DB");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_DB;
    }
}
