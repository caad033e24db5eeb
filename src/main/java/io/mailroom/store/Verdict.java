package io.mailroom.store;

import java.util.Map;

/**
 * What a job's counts by status add up to, in the contract's words and exit code: the one place this is
 * decided, for run, resume, status, report, preview and the dry run.
 */
public enum Verdict {
    SENT(0, "finished: every recipient sent"),
    /** As SENT, where some were cancelled by hand (mailroom cancel): settled, none left to send, no problem. */
    SETTLED(0, "finished: every recipient sent or cancelled"),
    PROBLEMS(1, "finished with problems"),
    UNFINISHED(75, "unfinished: run or resume again later");

    private final int exitCode;
    private final String words;

    Verdict(int exitCode, String words) {
        this.exitCode = exitCode;
        this.words = words;
    }

    /** Unfinished while anything is pending or deferred; with problems when anything is failed, skipped, unknown, partial or bounced. */
    public static Verdict of(Map<RecipientStatus, Integer> counts) {
        if (counts.get(RecipientStatus.PENDING) + counts.get(RecipientStatus.DEFERRED) > 0) return UNFINISHED;
        if (counts.get(RecipientStatus.FAILED) + counts.get(RecipientStatus.SKIPPED) + counts.get(RecipientStatus.UNKNOWN)
                + counts.get(RecipientStatus.PARTIAL) + counts.getOrDefault(RecipientStatus.BOUNCED, 0) > 0) return PROBLEMS;
        return counts.getOrDefault(RecipientStatus.CANCELLED, 0) > 0 ? SETTLED : SENT;
    }

    /** For rows only rendered, never sent (dry run, preview): the problems are the rows that would be skipped. */
    public static Verdict rehearsal(int skipped) {
        return skipped > 0 ? PROBLEMS : SENT;
    }

    public int exitCode() { return exitCode; }

    public String words() { return words; }

    public boolean finished() { return this != UNFINISHED; }
}
