package io.mailroom.report;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.StoredReply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a report's envelope addresses add up to, computed once for the text and HTML reports: how many
 * addresses each reply decided, how each recipient domain fared, when the job's attempts began and last
 * happened, when the next try is due, and when each sent address was sent. A skipped row has no addresses,
 * so it counts in none of these (the counts by status have it).
 *
 * @param replies   addresses by the reply that decided them, most first; an address tried without a reply
 *                  (the connection was lost) counts under a reply of null; one never tried counts nowhere
 * @param domains   addresses by the part after their last {@code @} (lower-cased), most first
 * @param sentTimes when each sent address was sent (its last attempt), in order
 */
record Breakdown(List<ReplyCount> replies, List<DomainCount> domains, Instant firstAttempt, Instant lastAttempt, Instant nextTry,
                 List<Instant> sentTimes) {

    /** {@code addresses} addresses were decided by {@code reply} (null: tried, but no reply came). */
    record ReplyCount(StoredReply reply, int addresses) {
        /** Code, enhanced code and meaning, e.g. "550 5.1.1 mailbox does not exist"; "no reply" without one. */
        String label() {
            if (reply == null) return "no reply (connection lost or timed out)";
            String meaning = ReplyMeaning.of(reply);
            return reply.code() + (reply.enhanced() == null ? "" : " " + reply.enhanced()) + (meaning.isEmpty() ? "" : " " + meaning);
        }
    }

    /** A recipient domain's addresses by status. */
    record DomainCount(String domain, Map<RecipientStatus, Integer> statuses) {
        int total() { return statuses.values().stream().mapToInt(Integer::intValue).sum(); }

        int sent() { return statuses.getOrDefault(RecipientStatus.SENT, 0); }
    }

    static Breakdown of(Report r) {
        Map<StoredReply, Integer> replies = new LinkedHashMap<>();
        Map<String, Map<RecipientStatus, Integer>> domains = new LinkedHashMap<>();
        Instant first = null, last = null, next = null;
        List<Instant> sent = new ArrayList<>();
        for (Recipient m : r.messages()) {
            for (Address a : m.addresses()) {
                if (a.reply() != null || a.attempts() > 0) replies.merge(a.reply(), 1, Integer::sum);
                domains.computeIfAbsent(domain(a.address()), d -> new EnumMap<>(RecipientStatus.class)).merge(a.status(), 1, Integer::sum);
                first = earliest(first, a.firstAttemptAt());
                last = latest(last, a.lastAttemptAt());
                next = earliest(next, nextTry(a));
                if (a.status() == RecipientStatus.SENT && a.lastAttemptAt() != null) sent.add(a.lastAttemptAt());
            }
        }
        List<ReplyCount> byReply = replies.entrySet().stream().map(e -> new ReplyCount(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingInt(ReplyCount::addresses).reversed()
                        .thenComparing(c -> c.reply() == null ? 1000 : c.reply().code()).thenComparing(ReplyCount::label)).toList();
        List<DomainCount> byDomain = domains.entrySet().stream().map(e -> new DomainCount(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingInt(DomainCount::total).reversed().thenComparing(DomainCount::domain)).toList();
        sent.sort(null);
        return new Breakdown(byReply, byDomain, first, last, next, sent);
    }

    /** When an address will be tried again: its not-before time while it is still due (pending or deferred), else null. */
    static Instant nextTry(Address a) {
        return a.status() == RecipientStatus.PENDING || a.status() == RecipientStatus.DEFERRED ? a.notBefore() : null;
    }

    /** The latest attempt at any of the row's addresses; null when none was tried. */
    static Instant lastAttempt(Recipient m) {
        Instant last = null;
        for (Address a : m.addresses()) last = latest(last, a.lastAttemptAt());
        return last;
    }

    /** The soonest next try of the row's addresses still due; null when none is. */
    static Instant nextTry(Recipient m) {
        Instant next = null;
        for (Address a : m.addresses()) next = earliest(next, nextTry(a));
        return next;
    }

    /** The part after the last @, lower-cased (domains are case-insensitive); the address itself when it has none. */
    static String domain(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
