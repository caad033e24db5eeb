package io.mailroom.send;

/**
 * Rows still arriving while the engine sends: a big CSV is planned on a thread of its own and committed a
 * batch at a time, and sending starts with the first batch. Until planning is over, running out of due
 * rows means waiting for the next batch, not the end of the run.
 */
public interface Arrivals {
    /** Nothing arrives: every row was planned before sending started. */
    Arrivals NONE = new Arrivals() {
        @Override public long batches() { return 0; }
        @Override public boolean over() { return true; }
        @Override public boolean failed() { return false; }
        @Override public void awaitAfter(long seen, long atMostMillis) { }
    };

    /** Batches committed so far. */
    long batches();

    /** True once planning has ended, its last batch committed (or failed). */
    boolean over();

    /** True when planning failed: nothing more arrives, and the run ends with that failure. */
    boolean failed();

    /** Waits until more than {@code seen} batches are committed or planning is over, or {@code atMostMillis} (0: no limit) have passed. */
    void awaitAfter(long seen, long atMostMillis) throws InterruptedException;
}
