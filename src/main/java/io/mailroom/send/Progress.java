package io.mailroom.send;

import io.mailroom.store.RecipientStatus;

/** What a run tells as it goes, for whoever shows its progress; called from several threads. */
public interface Progress {
    Progress NONE = new Progress() { };

    /** {@code messages} more are due in this run: those due when it starts, then each row its plan adds. */
    default void due(long messages) { }

    /**
     * A message's attempt (or a row that could not become one) is in the store, row {@code recipientId} now
     * {@code status}; a row deferred earlier in the run may come again.
     */
    default void settled(long recipientId, RecipientStatus status) { }

    /** The run waits, and why, e.g. "for the rate limit (20/minute) until 10:01:05Z"; null when it goes on. */
    default void waiting(String why) { }
}
