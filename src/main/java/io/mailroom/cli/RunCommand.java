package io.mailroom.cli;

import io.mailroom.job.Jobs;
import io.mailroom.job.RunOptions;
import io.mailroom.job.RunSummary;
import io.mailroom.sandbox.SandboxServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Snapshot the job (first call) or add new rows, then send whatever is due. Safe to repeat.")
final class RunCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBFILE", description = "the job file (Java properties)")
    Path jobFile;

    @Mixin
    DatabaseOption db;

    @Option(names = "--dry-run", description = "plan, render and validate every row; report all problems; store and send nothing")
    boolean dryRun;

    @Option(names = "--limit", paramLabel = "N", description = "send at most N messages in this run")
    Integer limit;

    @Option(names = "--sandbox", paramLabel = "DIR", description = "send to an embedded server on loopback that writes each message to DIR as .eml")
    Path sandbox;

    @Option(names = "--accept-template-change", description = "send a changed template to every recipient of the job not sent yet")
    boolean acceptTemplateChange;

    @Mixin
    SendOptions send;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    RunCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if (limit != null && limit < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1");
        int max = limit == null ? Integer.MAX_VALUE : limit;
        Instant deadline = send.deadline(ctx, spec.commandLine());
        try (ProgressDisplay progress = send.progress(ctx, spec.commandLine(), max)) {
            Jobs jobs = send.jobs(ctx, progress);
            RunSummary s;
            if (sandbox == null || dryRun) {
                s = jobs.run(jobFile, new RunOptions(db.resolve(ctx), dryRun, max, null, acceptTemplateChange, deadline));
            } else {
                try (SandboxServer server = SandboxServer.start(sandbox, ctx::note)) {
                    ctx.err().println("sandbox: SMTP on 127.0.0.1:" + server.settings().port() + ", writing messages to " + sandbox);
                    s = jobs.run(jobFile, new RunOptions(db.resolve(ctx), false, max, server.settings(), acceptTemplateChange, deadline));
                }
            }
            progress.close();
            Summaries.print(s, ctx.out(), progress.planShown());
            return s.verdict().exitCode();
        }
    }
}
