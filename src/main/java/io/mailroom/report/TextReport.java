package io.mailroom.report;

import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import java.io.PrintWriter;

/** A terminal-friendly report: counts, then one line per recipient with the reply that decided it. */
final class TextReport {
    private TextReport() { }

    static void write(Report r, PrintWriter out) {
        out.println("job " + r.job() + (r.finished() ? " (finished)" : " (unfinished: run or resume again)"));
        StringBuilder counts = new StringBuilder();
        for (RecipientStatus s : RecipientStatus.values()) counts.append(counts.length() == 0 ? "  " : ", ").append(s.label()).append(' ').append(r.counts().get(s));
        out.println(counts);
        out.println();
        out.printf("%5s  %-9s %-8s %-40s %s%n", "row", "status", "attempts", "key", "reply / reason");
        for (Recipient m : r.messages()) {
            out.printf("%5d  %-9s %-8d %-40s %s%n", m.row(), m.status().label(), m.attempts(), m.key(), detail(m));
        }
    }

    static String detail(Recipient m) {
        String reply = m.reply() == null ? "" : m.reply().code() + (m.reply().enhanced() == null ? "" : " " + m.reply().enhanced())
                + " " + m.reply().text().replace('\n', ' ');
        if (m.reason() == null) return reply;
        return reply.isEmpty() ? m.reason() : reply + " (" + m.reason() + ")";
    }
}
