package io.mailroom.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs mailroom's command line in-process with a given environment, capturing output and exit code. */
final class Cli {
    record Result(int exit, String out, String err) {
        String all() { return out + err; }
    }

    private Cli() { }

    static Result run(Map<String, String> env, String... args) {
        return run(env, Clock.systemUTC(), d -> { }, args);
    }

    /** With a clock of the test's and the waits it should see (a pause that moves that clock, say). */
    static Result run(Map<String, String> env, Clock clock, io.mailroom.send.Pause pause, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Context ctx = new Context(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env::get, clock, pause, new io.mailroom.send.Stop());
        int exit = Main.execute(ctx, args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    static String[] withDb(String db, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--db");
        all.add(db);
        return all.toArray(String[]::new);
    }
}
