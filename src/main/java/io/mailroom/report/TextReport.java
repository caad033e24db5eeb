package io.mailroom.report;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.StoredReply;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A terminal-friendly report: the verdict and counts, when the attempts began and last happened and when the
 * next try is due, then addresses by the reply that decided them (with its plain meaning, {@link ReplyMeaning})
 * and by recipient domain (the ten largest, then what the rest add up to), then one line per recipient with the
 * reply that decided it. Under a row that is not wholly sent, one indented line per envelope address, in envelope
 * order: its status and attempts in the row's columns, then its kind and address, then the server's words (or
 * what happened when no reply came) and, while it is still due, its next try; a wholly sent row stays one line.
 * Keys, addresses, replies and reasons show their control characters escaped ({@link Display}); a multi-line
 * reply is joined with spaces, so one recipient or address stays one line. Times are ISO-8601 UTC, to the second.
 */
final class TextReport {
    private TextReport() { }

    /** How many domains the report lists by name; a job to a thousand domains would otherwise bury its rows. */
    static final int DOMAINS_SHOWN = 10;

    static void write(Report r, PrintWriter out) {
        Breakdown b = Breakdown.of(r);
        out.println("job " + Display.escape(r.job()) + " (" + r.verdict().words() + ")");
        out.println("  " + RecipientStatus.counts(r.counts()));
        r.bounceRate().ifPresent(rate -> out.println("  " + rate));
        out.println("  first attempt " + when(b.firstAttempt()) + ", last attempt " + when(b.lastAttempt()) + ", next try " + when(b.nextTry()));
        for (var w : r.workers()) {
            out.println("  worker " + Display.escape(w.id()) + " on " + Display.escape(w.host()) + ": " + w.state(r.at()) + ", started "
                    + time(w.startedAt()) + ", last heartbeat " + time(w.heartbeatAt()) + ", " + w.sent() + " message(s) sent");
        }
        for (var t : r.throttles()) {
            out.println("  throttled at " + time(t.at()) + ": " + reply(t.reply()) + " (" + t.meaning() + "); paused until " + time(t.resumeAt())
                    + ", then at most " + Report.perMinute(t) + " message(s) a minute");
        }
        breakdown(b, out);
        out.println();
        out.printf("%5s  %-9s %-8s %-40s %s%n", "row", "status", "attempts", "key", "reply / reason");
        for (Recipient m : r.messages()) {
            out.printf("%5d  %-9s %-8d %-40s %s%n", m.row(), m.status().label(), m.attempts(), Display.escape(m.key()), detail(m));
            if (m.status() == RecipientStatus.SENT) continue;
            for (Address a : m.addresses()) {
                Instant next = Breakdown.nextTry(a);
                String words = words(a);
                if (next != null) words += (words.isEmpty() ? "" : "; ") + "next try " + time(next);
                out.printf("%5s  %-9s %-8d   %-3s %-34s %s%n", "", a.status().label(), a.attempts(), Display.escape(a.kind()),
                        Display.escape(a.address()), words);
            }
        }
    }

    /** Addresses by reply and by domain, each count right-aligned before what it counts. */
    private static void breakdown(Breakdown b, PrintWriter out) {
        if (!b.replies().isEmpty()) {
            out.println();
            out.println("addresses by the reply that decided them");
            for (var c : b.replies()) out.printf("%7d  %s%n", c.addresses(), oneLine(c.label()));
        }
        if (b.domains().isEmpty()) return;
        out.println();
        out.println("addresses by domain");
        for (var d : b.domains().subList(0, Math.min(DOMAINS_SHOWN, b.domains().size()))) {
            StringBuilder line = new StringBuilder(Display.escape(d.domain())).append(':');
            String sep = " ";
            for (RecipientStatus s : RecipientStatus.values()) {
                if (d.statuses().getOrDefault(s, 0) == 0) continue;
                line.append(sep).append(s.label()).append(' ').append(d.statuses().get(s));
                sep = ", ";
            }
            out.printf("%7d  %s%n", d.total(), line);
        }
        List<Breakdown.DomainCount> rest = b.domains().subList(Math.min(DOMAINS_SHOWN, b.domains().size()), b.domains().size());
        if (!rest.isEmpty()) {
            out.printf("%7d  in %d more domain(s), %d of them sent%n", rest.stream().mapToInt(Breakdown.DomainCount::total).sum(), rest.size(),
                    rest.stream().mapToInt(Breakdown.DomainCount::sent).sum());
        }
    }

    /** An instant as people read it in reports: ISO-8601 UTC to the second, e.g. 2026-11-02T09:15:00Z. */
    static String time(Instant t) {
        return t == null ? "" : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@link #time}, or "none" when there is no such time. */
    private static String when(Instant t) {
        return t == null ? "none" : time(t);
    }

    /** The deciding reply and the reason, on one line, escaped. */
    static String detail(Recipient m) {
        String reply = reply(m.reply());
        if (m.reason() == null) return reply;
        return reply.isEmpty() ? Display.escape(m.reason()) : reply + " (" + Display.escape(m.reason()) + ")";
    }

    /** What the server said to an address (code, enhanced code, text), else what happened instead; escaped, one line. */
    static String words(Address a) {
        String reply = reply(a.reply());
        if (a.failure() == null) return reply;
        String failure = oneLine(a.failure());
        return reply.isEmpty() ? failure : reply + " (" + failure + ")";
    }

    /** A reply as code, enhanced code and text on one line, escaped; empty when there is none. */
    static String reply(StoredReply reply) {
        if (reply == null) return "";
        return reply.code() + (reply.enhanced() == null ? "" : " " + Display.escape(reply.enhanced())) + " " + oneLine(reply.text());
    }

    /** A reply's or failure's text on one line: its lines joined by spaces (the JSON report keeps them apart), escaped. */
    static String oneLine(String text) {
        return Display.escape(text == null ? null : text.replace('\n', ' '));
    }
}
