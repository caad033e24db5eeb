package io.mailroom.cli;

import io.mailroom.job.Bounces;
import io.mailroom.store.Verdict;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bounces", mixinStandardHelpOptions = true,
        description = "Read the job's bounce mailbox (bounces.* in its job file) and put each bounce on the address it is about: a hard bounce makes a"
                + " sent address bounced. Safe to repeat: a message leaves the mailbox only after what it changed is stored. Exit code as for status.")
final class BouncesCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBNAME", arity = "0..1", description = "the job's name (default: every job that names a bounce mailbox)")
    String name;

    @Mixin
    DatabaseOption db;

    @Option(names = "--dry-run", description = "say what would change; change nothing, in the database or the mailbox")
    boolean dryRun;

    @Option(names = "--keep", description = "leave every message in the mailbox")
    boolean keep;

    BouncesCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        String url = db.resolve(ctx);
        Bounces bounces = new Bounces(ctx.clock(), ctx.env(), ctx.out()::println, ctx::note);
        List<String> names = name != null ? List.of(name) : bounces.jobsWithMailbox(url);
        if (names.isEmpty()) ctx.out().println("no job names a bounce mailbox (bounces.protocol, bounces.host, bounces.username in its job file)");
        int exit = ExitCodes.OK;
        for (String n : names) {
            Bounces.Result r = bounces.collect(n, url, dryRun, keep);
            ctx.out().println(n + ": " + r.read() + " message(s) read: " + r.bounced() + " address(es) bounced, " + r.delayed() + " delayed, "
                    + r.unmatched() + " put on no address (left in the mailbox)" + (dryRun ? "; dry run: nothing was changed" : ""));
            ctx.out().println(Summaries.countsLine(n, r.counts()));
            exit = Verdict.of(r.counts()).exitCode();
        }
        return name != null ? exit : ExitCodes.OK;
    }
}
