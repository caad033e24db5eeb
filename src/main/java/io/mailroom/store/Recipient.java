package io.mailroom.store;

import java.time.Instant;
import java.util.List;

/** A stored recipient: its CSV row snapshot, status and the reply that decided it. */
public record Recipient(long id, int row, String key, List<String> values, List<String> to, String messageId,
                        RecipientStatus status, String reason, int attempts, Instant notBefore, Instant firstAttemptAt, StoredReply reply) { }
