package io.mailroom.store;

import java.util.List;

/** A planned recipient to insert: pending with its Message-ID and envelope addresses, or skipped with a reason. */
public record NewRecipient(int row, String key, List<String> values, List<String> to, String messageId,
                           RecipientStatus status, String reason, List<Address> addresses) { }
