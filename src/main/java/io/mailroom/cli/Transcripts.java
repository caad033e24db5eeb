package io.mailroom.cli;

import io.mailroom.smtp.Transcript;
import java.io.PrintStream;
import java.util.function.Function;

/** --verbose: the SMTP dialogue on standard error, one line each, prefixed by connection; AUTH arrives redacted. */
final class Transcripts {
    private Transcripts() { }

    static Function<String, Transcript> of(boolean verbose, PrintStream err) {
        if (!verbose) return id -> Transcript.NONE;
        return id -> new Transcript() {
            @Override public void client(String line) { err.println("[" + id + "] C: " + line); }

            @Override public void server(String line) { err.println("[" + id + "] S: " + line); }

            @Override public void note(String text) { err.println("[" + id + "] * " + text); }
        };
    }
}
