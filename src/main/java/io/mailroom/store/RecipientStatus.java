package io.mailroom.store;

import java.util.List;
import java.util.Locale;

/**
 * The contract's statuses, stored and shown by their lower-case names. An address has one of the first
 * five; a row's status rolls its addresses up ({@code partial}: finished with some sent, others failed or
 * unknown), or is {@code skipped} when the row could not become a message.
 */
public enum RecipientStatus {
    PENDING, DEFERRED, SENT, FAILED, UNKNOWN, SKIPPED, PARTIAL,
    /** Settled by hand (mailroom cancel): never sent by a later run, and no problem; its addresses sent before stay sent. */
    CANCELLED,
    /** Sent, and then reported failed by a bounce read back from the job's bounce mailbox (mailroom bounces): a problem. */
    BOUNCED;

    public String label() { return name().toLowerCase(Locale.ROOT); }

    /**
     * A row's status from its addresses': sent when every one is; while any is pending or deferred, pending
     * (one is due now) or deferred; once none is left to try, partial when some were sent, else unknown
     * when one is, else failed.
     */
    public static RecipientStatus rollUp(List<RecipientStatus> addresses) {
        if (addresses.isEmpty()) throw new IllegalArgumentException("a row with no address has no roll-up");
        if (addresses.stream().allMatch(s -> s == SENT)) return SENT;
        if (addresses.contains(PENDING)) return PENDING;
        if (addresses.contains(DEFERRED)) return DEFERRED;
        if (addresses.contains(CANCELLED)) return CANCELLED;
        if (addresses.contains(BOUNCED)) return BOUNCED;
        if (addresses.contains(SENT)) return PARTIAL;
        return addresses.contains(UNKNOWN) ? UNKNOWN : FAILED;
    }

    public static RecipientStatus of(String label) { return valueOf(label.toUpperCase(Locale.ROOT)); }

    /** The statuses counts are shown with: the contract's seven always; cancelled and bounced, mailroom's own, once a job has any. */
    public static List<RecipientStatus> shown(java.util.Map<RecipientStatus, Integer> counts) {
        return java.util.Arrays.stream(values()).filter(st -> st.ordinal() <= PARTIAL.ordinal() || counts.getOrDefault(st, 0) > 0).toList();
    }

    /** Counts by status as every command prints them: pending 0, deferred 1, sent 4, … */
    public static String counts(java.util.Map<RecipientStatus, Integer> counts) {
        StringBuilder sb = new StringBuilder();
        for (RecipientStatus st : shown(counts)) sb.append(sb.length() == 0 ? "" : ", ").append(st.label()).append(' ').append(counts.get(st));
        return sb.toString();
    }
}
