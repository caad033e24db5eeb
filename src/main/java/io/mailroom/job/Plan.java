package io.mailroom.job;

/** What planning did with the CSV: rows read, recipients added, keys already in the job, duplicates left out, rows skipped. */
public record Plan(int rows, int added, int known, int duplicates, int skipped) { }
