package io.mailroom.report;

import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.StoredReply;
import java.io.PrintWriter;

/**
 * A terminal-friendly report: counts, then one line per recipient with the reply that decided it. Keys,
 * replies and reasons show their control characters escaped ({@link Display}); a multi-line reply is
 * joined with spaces, so one recipient stays one line.
 */
final class TextReport {
    private TextReport() { }

    static void write(Report r, PrintWriter out) {
        out.println("job " + Display.escape(r.job()) + " (" + r.verdict().words() + ")");
        StringBuilder counts = new StringBuilder();
        for (RecipientStatus s : RecipientStatus.values()) counts.append(counts.length() == 0 ? "  " : ", ").append(s.label()).append(' ').append(r.counts().get(s));
        out.println(counts);
        out.println();
        out.printf("%5s  %-9s %-8s %-40s %s%n", "row", "status", "attempts", "key", "reply / reason");
        for (Recipient m : r.messages()) {
            out.printf("%5d  %-9s %-8d %-40s %s%n", m.row(), m.status().label(), m.attempts(), Display.escape(m.key()), detail(m));
        }
    }

    /** The deciding reply and the reason, on one line, escaped. */
    static String detail(Recipient m) {
        String reply = m.reply() == null ? "" : m.reply().code() + (m.reply().enhanced() == null ? "" : " " + Display.escape(m.reply().enhanced()))
                + " " + replyText(m.reply());
        if (m.reason() == null) return reply;
        return reply.isEmpty() ? Display.escape(m.reason()) : reply + " (" + Display.escape(m.reason()) + ")";
    }

    /** A reply's text on one line: its lines joined by spaces (the JSON report keeps them apart), escaped. */
    static String replyText(StoredReply reply) {
        return Display.escape(reply.text().replace('\n', ' '));
    }
}
