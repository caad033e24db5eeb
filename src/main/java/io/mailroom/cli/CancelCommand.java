package io.mailroom.cli;

import io.mailroom.job.Jobs;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Verdict;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Settle recipients by hand: each KEY not sent becomes cancelled, which no run sends and no report counts as a problem"
                + " (e.g. an old row whose address was corrected under a new key). Exit code as for status.")
final class CancelCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(index = "0", paramLabel = "JOBNAME", description = "the job's name")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY", description = "the recipient's key (the job's key column, e.g. an address)")
    List<String> keys;

    @Mixin
    DatabaseOption db;

    CancelCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        Jobs.Cancellation c = ctx.jobs(false).cancel(name, db.resolve(ctx), keys);
        if (!c.allFound()) {
            for (Jobs.Cancelled k : c.keys()) if (k.was() == null) ctx.err().println(name + ": no recipient with key \"" + k.key() + "\" in the job");
            ctx.err().println(name + ": nothing was cancelled; give keys as the job's key column has them (mailroom report " + name + " lists them)");
            return ExitCodes.USAGE;
        }
        for (Jobs.Cancelled k : c.keys()) {
            ctx.out().println(name + ": " + k.key() + (k.cancelled() ? ": cancelled (was " + k.was().label() + ")"
                    : k.was() == RecipientStatus.SENT ? ": already sent; left as it is" : ": already cancelled"));
        }
        ctx.out().println(Summaries.countsLine(name, c.counts()));
        return Verdict.of(c.counts()).exitCode();
    }
}
