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
        Jobs jobs = send.jobs(ctx);
        RunSummary s = jobs.resume(name, db.resolve(ctx), resendUnknown, retryFailed, send.deadline(ctx, spec.commandLine()));
        Summaries.print(s, ctx.out());
        return s.verdict().exitCode();
    }
}
