package io.mailroom.store;

import java.util.Locale;

/** The contract's recipient statuses; stored and shown by their lower-case names. */
public enum RecipientStatus {
    PENDING, DEFERRED, SENT, FAILED, UNKNOWN, SKIPPED;

    public String label() { return name().toLowerCase(Locale.ROOT); }

    public static RecipientStatus of(String label) { return valueOf(label.toUpperCase(Locale.ROOT)); }
}
