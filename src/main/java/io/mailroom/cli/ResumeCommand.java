package io.mailroom.cli;

import io.mailroom.job.Jobs;
import io.mailroom.job.RunSummary;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resume", mixinStandardHelpOptions = true, description = "Send what is due for a stored job, from the database alone (the CSV and templates may be gone).")
final class ResumeCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBNAME")
    String name;

    @Mixin
    DatabaseOption db;

    @Option(names = "--resend-unknown", description = "send again to recipients whose fate is unknown (they may get a second copy)")
    boolean resendUnknown;

    @Option(names = "--retry-failed", description = "try failed recipients again")
    boolean retryFailed;

    @Mixin
    SendOptions send;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    ResumeCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        java.time.Instant deadline = send.deadline(ctx, spec.commandLine());
        try (ProgressDisplay progress = send.progress(ctx, spec.commandLine(), Integer.MAX_VALUE)) {
            RunSummary s = send.jobs(ctx, progress).resume(name, db.resolve(ctx), resendUnknown, retryFailed, deadline);
            progress.close();
            Summaries.print(s, ctx.out(), progress.planShown());
            return s.verdict().exitCode();
        }
    }
}
