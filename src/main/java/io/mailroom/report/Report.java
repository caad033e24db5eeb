package io.mailroom.report;

import io.mailroom.store.JobRecord;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import io.mailroom.store.Verdict;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who got it, who didn't, and what the server said: one model loaded from the store, written by one
 * writer per format.
 */
public record Report(String job, Map<RecipientStatus, Integer> counts, List<Recipient> messages, boolean planComplete) {

    public static Optional<Report> load(Store store, String jobName) throws SQLException {
        Optional<JobRecord> job = store.job(jobName);
        if (job.isEmpty()) return Optional.empty();
        return Optional.of(new Report(jobName, store.counts(job.get().id()), store.recipients(job.get().id()), job.get().planComplete()));
    }

    /** A job whose plan a killed run left unfinished is unfinished, whatever its planned rows say: resume plans the rest. */
    public Verdict verdict() { return planComplete ? Verdict.of(counts) : Verdict.UNFINISHED; }

    /** Nothing is pending or deferred, and every row of the CSV is planned. */
    public boolean finished() { return verdict().finished(); }
}
