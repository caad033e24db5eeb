package io.mailroom.cli;

import io.mailroom.job.Plan;
import io.mailroom.job.RunSummary;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Verdict;
import java.io.PrintStream;

/** The short summary run and resume print. */
final class Summaries {
    private Summaries() { }

    /** One line per rate limit: how much of its window is used, and when the next message may go if not now. */
    static void printRate(io.mailroom.job.Jobs.RateView view, java.time.Instant now, PrintStream out) {
        String whose = view.account() == null ? "this job" : "account " + view.account();
        if (view.pace() != null) out.println("  slowed down (account " + view.account() + "): " + view.pace().describe(now));
        for (var u : view.uses()) {
            out.println("  rate " + u.limit().describe() + " (" + whose + "): " + u.used() + " of "
                    + u.limit().count() + " used" + (u.used() < u.limit().count() ? "" : "; next at " + u.nextAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        }
    }

    /** A shared job's workers, a line each: who, where, whether it still runs, its last heartbeat and what it sent. */
    static void printWorkers(java.util.List<io.mailroom.store.Claims.Worker> workers, java.time.Instant now, PrintStream out) {
        for (var w : workers) {
            String state = switch (w.state(now)) {
                case "stopped" -> "stopped " + w.stoppedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
                case "gone" -> "gone (no heartbeat since " + w.heartbeatAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")";
                default -> "running, last heartbeat " + w.heartbeatAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            };
            out.println("  worker " + w.id() + " on " + w.host() + ": started " + w.startedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ", " + state + ", " + w.sent() + " message(s) sent");
        }
    }

    /** A job's counts and what they add up to, as status, cancel and bounces print them. */
    static String countsLine(String job, java.util.Map<RecipientStatus, Integer> counts) {
        return job + ": " + RecipientStatus.counts(counts) + " (" + Verdict.of(counts).words() + ")";
    }

    /** What a plan did: rows read, new, already in the job, left out, skipped. */
    static String planLine(String job, Plan p) {
        if (p.stopped()) {
            return job + ": planning stopped on request after " + p.rows() + " row(s), " + p.added() + " new; resume or the next run plans the rest";
        }
        return job + ": " + p.rows() + " row(s) read, " + p.added() + " new" + (p.known() > 0 ? ", " + p.known() + " already in the job" : "")
                + (p.duplicates() > 0 ? ", " + p.duplicates() + " duplicate key(s) left out" : "")
                + (p.skipped() > 0 ? ", " + p.skipped() + " skipped (see above)" : "");
    }

    /**
     * What a run would leave: for a job with a history (anything tried), what is sent already, and the counts the
     * job would then have; deferred addresses are sent once due.
     */
    private static void printDryRun(RunSummary s, PrintStream out) {
        var c = s.counts();
        int due = c.get(RecipientStatus.PENDING) + c.get(RecipientStatus.DEFERRED);
        boolean history = c.get(RecipientStatus.SENT) + c.get(RecipientStatus.DEFERRED) + c.get(RecipientStatus.FAILED)
                + c.get(RecipientStatus.UNKNOWN) + c.get(RecipientStatus.PARTIAL) > 0;
        String deferred = c.get(RecipientStatus.DEFERRED) == 0 || s.nextDue() == null ? ""
                : " (" + c.get(RecipientStatus.DEFERRED) + " deferred, the first due at " + s.nextDue().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")";
        out.println(s.job() + ": dry run: nothing was stored or sent; " + (history ? c.get(RecipientStatus.SENT) + " already sent, " : "")
                + due + " message(s) would be sent" + deferred);
        if (history) out.println(s.job() + ": the job would then be: " + RecipientStatus.counts(c));
    }

    static void print(RunSummary s, PrintStream out) {
        print(s, out, false);
    }

    /** {@code planShown}: the plan's line was printed when the plan ended (see ProgressDisplay). */
    static void print(RunSummary s, PrintStream out, boolean planShown) {
        if (s.plan() != null && !planShown) out.println(planLine(s.job(), s.plan()));
        if (s.dryRun()) {
            printDryRun(s, out);
            return;
        }
        String next = s.nextDue() == null ? "" : "; the next deferred address is due at " + s.nextDue().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // with rows pending, the run was stopped before it could send (a limit, its time bound, a request): said above
        String nothing = s.counts().get(RecipientStatus.PENDING) > 0 ? "sent nothing" : "nothing due: sent nothing";
        out.println(s.job() + ": " + (s.tried() == 0 ? nothing + next : s.tried() + " message(s) tried over " + s.sessions() + " SMTP session(s)"));
        Verdict v = s.verdict();
        out.println(s.job() + ": " + RecipientStatus.counts(s.counts()) + " (" + v.words() + (v == Verdict.PROBLEMS ? ": see mailroom report " + s.job() : "") + ")");
    }


}
