package io.mailroom.report;

import io.mailroom.store.JobRecord;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who got it, who didn't, and what the server said: one model loaded from the store, written by one
 * writer per format. {@code finished} means nothing is pending or deferred.
 */
public record Report(String job, boolean finished, Map<RecipientStatus, Integer> counts, List<Recipient> messages) {

    public static Optional<Report> load(Store store, String jobName) throws SQLException {
        Optional<JobRecord> job = store.job(jobName);
        if (job.isEmpty()) return Optional.empty();
        Map<RecipientStatus, Integer> counts = store.counts(job.get().id());
        boolean finished = counts.get(RecipientStatus.PENDING) + counts.get(RecipientStatus.DEFERRED) == 0;
        return Optional.of(new Report(jobName, finished, counts, store.recipients(job.get().id())));
    }
}
