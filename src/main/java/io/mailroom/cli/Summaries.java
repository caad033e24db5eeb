package io.mailroom.cli;

import io.mailroom.job.RunSummary;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Verdict;
import java.io.PrintStream;
import java.util.Map;

/** The short summary run and resume print. */
final class Summaries {
    private Summaries() { }

    static void print(RunSummary s, PrintStream out) {
        if (s.plan() != null) {
            var p = s.plan();
            out.println(s.job() + ": " + p.rows() + " row(s) read, " + p.added() + " new" + (p.known() > 0 ? ", " + p.known() + " already in the job" : "")
                    + (p.duplicates() > 0 ? ", " + p.duplicates() + " duplicate key(s) left out" : "")
                    + (p.skipped() > 0 ? ", " + p.skipped() + " skipped (see above)" : ""));
        }
        if (s.dryRun()) {
            out.println(s.job() + ": dry run: nothing was stored or sent; " + s.counts().get(RecipientStatus.PENDING) + " message(s) would be sent");
            return;
        }
        out.println(s.job() + ": " + (s.tried() == 0 ? "nothing due: sent nothing" : s.tried() + " message(s) tried over " + s.sessions() + " SMTP session(s)"));
        Verdict v = s.verdict();
        out.println(s.job() + ": " + counts(s.counts()) + " (" + v.words() + (v == Verdict.PROBLEMS ? ": see mailroom report " + s.job() : "") + ")");
    }

    static String counts(Map<RecipientStatus, Integer> counts) {
        StringBuilder sb = new StringBuilder();
        for (RecipientStatus st : RecipientStatus.values()) sb.append(sb.length() == 0 ? "" : ", ").append(st.label()).append(' ').append(counts.get(st));
        return sb.toString();
    }
}
