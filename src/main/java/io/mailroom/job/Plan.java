package io.mailroom.job;

/**
 * What planning did with the CSV: rows read, recipients added, keys already in the job, duplicates left out, rows
 * skipped; {@code stopped}: it was stopped on request before the CSV's end (resume or the next run plans the rest).
 */
public record Plan(int rows, int added, int known, int duplicates, int skipped, boolean stopped) {
    /** A plan that read its CSV to the end. */
    public Plan(int rows, int added, int known, int duplicates, int skipped) {
        this(rows, added, known, duplicates, skipped, false);
    }
}
