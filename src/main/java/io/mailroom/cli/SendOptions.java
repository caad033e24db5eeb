package io.mailroom.cli;

import io.mailroom.job.Jobs;
import picocli.CommandLine.Option;

/** What run and resume share: --verbose, and the use cases wired to the context. */
final class SendOptions {
    @Option(names = {"-v", "--verbose"}, description = "print the SMTP dialogue to standard error (AUTH redacted)")
    boolean verbose;

    Jobs jobs(Context ctx) {
        return new Jobs(ctx.clock(), ctx.pause(), ctx.stop(), ctx.err(), ctx.env(), Transcripts.of(verbose, ctx.err()));
    }
}
