package io.mailroom.report;

import io.mailroom.store.Claims;
import io.mailroom.store.JobRecord;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import io.mailroom.store.Throttle;
import io.mailroom.store.Verdict;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who got it, who didn't, and what the server said: one model loaded from the store, written by one
 * writer per format; with the workers that sent a shared job (PostgreSQL) as they were {@code at} loading, and the
 * times a server asked the job's runs to slow down.
 */
public record Report(String job, Map<RecipientStatus, Integer> counts, List<Recipient> messages, boolean planComplete, List<Claims.Worker> workers,
                     Instant at, List<Throttle> throttles) {

    /** A report of a job no server asked to slow down. */
    public Report(String job, Map<RecipientStatus, Integer> counts, List<Recipient> messages, boolean planComplete, List<Claims.Worker> workers,
                  Instant at) {
        this(job, counts, messages, planComplete, workers, at, List.of());
    }

    public static Optional<Report> load(Store store, String jobName, Instant now) throws SQLException {
        Optional<JobRecord> job = store.job(jobName);
        if (job.isEmpty()) return Optional.empty();
        long id = job.get().id();
        return Optional.of(new Report(jobName, store.counts(id), store.recipients(id), job.get().planComplete(), store.workers(id), now,
                store.throttles(id)));
    }

    /**
     * Of the addresses a relay accepted (sent, or bounced since), how many bounced, as text and HTML reports say it;
     * empty for a job without bounces.
     */
    public Optional<String> bounceRate() {
        long bounced = 0, accepted = 0;
        for (Recipient m : messages) {
            for (var a : m.addresses()) {
                if (a.status() == RecipientStatus.BOUNCED) bounced++;
                if (a.status() == RecipientStatus.BOUNCED || a.status() == RecipientStatus.SENT) accepted++;
            }
        }
        if (bounced == 0) return Optional.empty();
        return Optional.of("bounce rate: " + bounced + " of " + accepted + " address(es) the relay accepted bounced ("
                + String.format(java.util.Locale.ROOT, "%.1f", 100.0 * bounced / accepted) + "%)");
    }

    /** The pace a throttled run kept after {@code t}, messages a minute, as every format writes it: 3.50. */
    static String perMinute(Throttle t) {
        return String.format(java.util.Locale.ROOT, "%.2f", t.perSecond() * 60);
    }

    /** A job whose plan a killed run left unfinished is unfinished, whatever its planned rows say: resume plans the rest. */
    public Verdict verdict() { return planComplete ? Verdict.of(counts) : Verdict.UNFINISHED; }

    /** Nothing is pending or deferred, and every row of the CSV is planned. */
    public boolean finished() { return verdict().finished(); }
}
