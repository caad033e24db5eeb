package io.mailroom.store;

import java.time.Instant;
import java.util.List;

/**
 * A stored recipient row: its CSV row snapshot, its status (the roll-up of its addresses', or skipped),
 * the reply that decided it, and its envelope addresses in order (empty for a skipped row).
 */
public record Recipient(long id, int row, String key, List<String> values, List<String> to, String messageId,
                        RecipientStatus status, String reason, int attempts, Instant notBefore, Instant firstAttemptAt, StoredReply reply,
                        List<Address> addresses) {
    public Recipient {
        addresses = List.copyOf(addresses);
    }
}
