package io.mailroom.job;

import io.mailroom.store.RecipientStatus;
import java.util.Map;

/**
 * What a run or resume did: rows planned (null for resume), messages tried, sessions opened, the job's
 * counts afterwards, and the contract's exit code for them.
 */
public record RunSummary(String job, Plan plan, int tried, int sessions, Map<RecipientStatus, Integer> counts, boolean dryRun) {

    /** 75 while anything is pending or deferred; 1 when something is failed, skipped or unknown; else 0. */
    public int exitCode() {
        if (counts.get(RecipientStatus.PENDING) + counts.get(RecipientStatus.DEFERRED) > 0) return 75;
        if (counts.get(RecipientStatus.FAILED) + counts.get(RecipientStatus.SKIPPED) + counts.get(RecipientStatus.UNKNOWN) > 0) return 1;
        return 0;
    }
}
