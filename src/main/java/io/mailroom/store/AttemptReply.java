package io.mailroom.store;

import java.time.Instant;

/** One stored reply of one attempt. */
public record AttemptReply(long attemptId, String connectionId, Instant startedAt, String step, String argument, StoredReply reply) { }
