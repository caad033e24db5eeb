package io.mailroom.cli;

import io.mailroom.job.Jobs;
import io.mailroom.job.RunSummary;
import io.mailroom.sandbox.SandboxServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resume", mixinStandardHelpOptions = true, description = "Send what is due for a stored job, from the database alone (the CSV and templates may be gone).")
final class ResumeCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBNAME", description = "the job's name (its job file's name= key, else the file's name without extension)")
    String name;

    @Mixin
    DatabaseOption db;

    @Option(names = "--resend-unknown", description = "send again to recipients whose fate is unknown (they may get a second copy)")
    boolean resendUnknown;

    @Option(names = "--retry-failed", description = "try failed recipients again")
    boolean retryFailed;

    @Option(names = "--sandbox", paramLabel = "DIR", description = "send to an embedded server on loopback that writes each message to DIR as .eml")
    Path sandbox;

    @Mixin
    SendOptions send;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    ResumeCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        Instant deadline = send.deadline(ctx, spec.commandLine());
        try (ProgressDisplay progress = send.progress(ctx, spec.commandLine(), Integer.MAX_VALUE)) {
            Jobs jobs = send.jobs(ctx, progress);
            RunSummary s;
            if (sandbox == null) {
                s = jobs.resume(name, db.resolve(ctx), resendUnknown, retryFailed, deadline, null);
            } else {
                try (SandboxServer server = SandboxServer.start(sandbox, ctx::note)) {
                    ctx.err().println("sandbox: SMTP on 127.0.0.1:" + server.settings().port() + ", writing messages to " + sandbox);
                    s = jobs.resume(name, db.resolve(ctx), resendUnknown, retryFailed, deadline, server.settings());
                }
            }
            progress.close();
            Summaries.print(s, ctx.out(), progress.planShown());
            return s.verdict().exitCode();
        }
    }
}
