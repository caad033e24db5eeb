package io.mailroom.cli;

import picocli.CommandLine.Option;

/** The --db option every command that touches the database shares. */
final class DatabaseOption {
    @Option(names = "--db", paramLabel = "URL", description = "JDBC URL of the job database (default: $MAILROOM_DB, else ./.mailroom/ in the folder mailroom runs in)")
    String url;

    String resolve(Context ctx) { return ctx.dbUrl(url); }
}
