package io.mailroom.store;

import java.util.Locale;

/**
 * The contract's statuses, stored and shown by their lower-case names. An address has one of the first
 * five; a row's status rolls its addresses up ({@code partial}: finished with some sent, others failed or
 * unknown), or is {@code skipped} when the row could not become a message.
 */
public enum RecipientStatus {
    PENDING, DEFERRED, SENT, FAILED, UNKNOWN, SKIPPED, PARTIAL;

    public String label() { return name().toLowerCase(Locale.ROOT); }

    public static RecipientStatus of(String label) { return valueOf(label.toUpperCase(Locale.ROOT)); }
}
