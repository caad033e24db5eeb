package io.mailroom.cli;

import io.mailroom.job.Jobs;
import io.mailroom.report.Report;
import io.mailroom.store.JobRecord;
import io.mailroom.store.NoDatabaseException;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Counts per status for one job (exit code as for run) or for every job.")
final class StatusCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBNAME", arity = "0..1", description = "the job's name (its job file's name= key, else the file's name without extension); without it, every job")
    String name;

    @Mixin
    DatabaseOption db;

    StatusCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        String url = db.resolve(ctx);
        try (Store store = Store.openExistingToRead(url, ctx.env(), ctx::note, name)) {
            List<String> names = name != null ? List.of(name) : store.jobs().stream().map(JobRecord::name).toList();
            if (names.isEmpty()) ctx.out().println("no jobs yet in " + store.where());
            int exit = ExitCodes.OK;
            Jobs jobs = ctx.jobs(false);
            for (String n : names) {
                JobRecord job = store.job(n).orElseThrow(() -> Jobs.noJobNamed(n, store));
                jobs.settleLeftovers(store, n);
                Report r = Report.load(store, n, ctx.clock().instant()).orElseThrow();
                ctx.out().println(n + ": " + RecipientStatus.counts(r.counts()) + (r.verdict().finished() ? "" : " (unfinished)"));
                Summaries.printRate(jobs.rateNow(store, job, ctx.clock().instant()), ctx.clock().instant(), ctx.out());
                if (store.isShared()) Summaries.printWorkers(store.workers(job.id()), ctx.clock().instant(), ctx.out());
                exit = r.verdict().exitCode();
            }
            return name != null ? exit : ExitCodes.OK;
        } catch (NoDatabaseException e) {
            if (name != null) throw e;
            // nothing to list is no failure; where it looked, and how to look elsewhere, is the useful part
            ctx.out().println("no jobs yet: there is no database at " + e.file() + ExitCodes.WHERE_JOBS_ARE);
            return ExitCodes.OK;
        } catch (Exception e) {
            Store.explainFailure(url, e);
            throw e;
        }
    }
}
