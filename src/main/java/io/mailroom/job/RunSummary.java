package io.mailroom.job;

import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Verdict;
import java.time.Instant;
import java.util.Map;

/**
 * What a run, resume or dry run did: rows planned (null for resume), messages tried, sessions opened, the
 * job's counts afterwards, when the first deferred address is due again (null for none), and what they add up to.
 */
public record RunSummary(String job, Plan plan, int tried, int sessions, Map<RecipientStatus, Integer> counts, Instant nextDue, boolean dryRun) {

    public Verdict verdict() {
        return dryRun ? Verdict.rehearsal(plan.skipped()) : Verdict.of(counts);
    }
}
