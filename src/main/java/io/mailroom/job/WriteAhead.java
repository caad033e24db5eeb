package io.mailroom.job;

/**
 * How many messages to write ahead (mark in flight) in one durable commit ({@code store.write-ahead}).
 * A commit costs about the same for one message as for a dozen, so on a fast relay one per message
 * would cap the job at the commit rate; on a slow link it costs nothing worth saving. Automatic: whatever
 * keeps the commit near a tenth of the time spent sending what it covers, 1 while a message takes ten
 * commits' time or more, at most {@link #MOST} (16 measured only a few per cent faster, 64 no faster). What is
 * written ahead is also the most a kill can leave {@code unknown}. Pure: the caller measures.
 */
final class WriteAhead {
    static final int MOST = 8;
    private static final int COMMITS_PER_SENDING = 10;

    private final int fixed;
    private long commitNanos;
    private long messageNanos;

    /** {@code fixed}: that many every time; 0 for automatic. */
    WriteAhead(int fixed) {
        this.fixed = fixed;
    }

    /** Messages to write ahead in the next commit; automatic starts at 1 until something was measured. */
    int size() {
        if (fixed > 0) return fixed;
        if (messageNanos <= 0) return 1;
        long n = (COMMITS_PER_SENDING * commitNanos + messageNanos - 1) / messageNanos;
        return (int) Math.max(1, Math.min(MOST, n));
    }

    /**
     * One cycle done: a commit that took {@code commitNanos}, then {@code messages} messages sent in
     * {@code sendingNanos} (everything but the commit: building, sending, recording outcomes).
     */
    void measured(long commitNanos, int messages, long sendingNanos) {
        if (messages <= 0) return;
        this.commitNanos = commitNanos;
        this.messageNanos = Math.max(1, sendingNanos / messages);
    }
}
