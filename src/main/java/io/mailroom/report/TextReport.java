package io.mailroom.report;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.StoredReply;
import java.io.PrintWriter;

/**
 * A terminal-friendly report: counts, then one line per recipient with the reply that decided it. Under a
 * row that is not wholly sent, one indented line per envelope address, in envelope order: its status and
 * attempts in the row's columns, then its kind and address, then the server's words (or what happened when
 * no reply came); a wholly sent row stays one line. Keys, addresses, replies and reasons show their control
 * characters escaped ({@link Display}); a multi-line reply is joined with spaces, so one recipient or address
 * stays one line.
 */
final class TextReport {
    private TextReport() { }

    static void write(Report r, PrintWriter out) {
        out.println("job " + Display.escape(r.job()) + " (" + r.verdict().words() + ")");
        StringBuilder counts = new StringBuilder();
        for (RecipientStatus s : RecipientStatus.values()) counts.append(counts.length() == 0 ? "  " : ", ").append(s.label()).append(' ').append(r.counts().get(s));
        out.println(counts);
        for (var w : r.workers()) {
            out.println("  worker " + Display.escape(w.id()) + " on " + Display.escape(w.host()) + ": " + w.state(r.at()) + ", started "
                    + w.startedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", last heartbeat "
                    + w.heartbeatAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", " + w.sent() + " message(s) sent");
        }
        out.println();
        out.printf("%5s  %-9s %-8s %-40s %s%n", "row", "status", "attempts", "key", "reply / reason");
        for (Recipient m : r.messages()) {
            out.printf("%5d  %-9s %-8d %-40s %s%n", m.row(), m.status().label(), m.attempts(), Display.escape(m.key()), detail(m));
            if (m.status() == RecipientStatus.SENT) continue;
            for (Address a : m.addresses()) {
                out.printf("%5s  %-9s %-8d   %-3s %-34s %s%n", "", a.status().label(), a.attempts(), Display.escape(a.kind()),
                        Display.escape(a.address()), words(a));
            }
        }
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
    private static String reply(StoredReply reply) {
        if (reply == null) return "";
        return reply.code() + (reply.enhanced() == null ? "" : " " + Display.escape(reply.enhanced())) + " " + oneLine(reply.text());
    }

    /** A reply's or failure's text on one line: its lines joined by spaces (the JSON report keeps them apart), escaped. */
    static String oneLine(String text) {
        return Display.escape(text == null ? null : text.replace('\n', ' '));
    }
}
