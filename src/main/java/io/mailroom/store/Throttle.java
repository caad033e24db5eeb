package io.mailroom.store;

import java.time.Instant;

/** A reply that asked a run to slow down: when, the reply and what it means, and the pace kept after it (messages a second) from {@code resumeAt}. */
public record Throttle(Instant at, StoredReply reply, String meaning, Instant resumeAt, double perSecond) { }
