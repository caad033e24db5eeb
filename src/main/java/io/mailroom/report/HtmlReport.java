package io.mailroom.report;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import java.io.PrintWriter;

/**
 * A self-contained HTML page (no scripts, nothing fetched): counts and a table of recipients, each row
 * followed by a table of its envelope addresses in order (kind, address, status, attempts, the server's words,
 * first and last attempt, next try; times ISO-8601 UTC). Every value is text, never markup: its control
 * characters escaped as in the text report ({@link Display}), then its HTML special characters.
 */
final class HtmlReport {
    private HtmlReport() { }

    static void write(Report r, PrintWriter out) {
        out.println("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mailroom: " + esc(r.job()) + "</title>");
        out.println("<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
                + "table table{margin:2px 0 6px 0}</style></head><body>");
        out.println("<h1>" + esc(r.job()) + " — " + r.verdict().words() + "</h1><p>");
        for (RecipientStatus s : RecipientStatus.values()) out.print(esc(s.label()) + ": " + r.counts().get(s) + " &nbsp; ");
        out.println("</p>");
        if (!r.workers().isEmpty()) {
            out.println("<table><tr><th>worker</th><th>host</th><th>state</th><th>started</th><th>last heartbeat</th><th>messages sent</th></tr>");
            for (var w : r.workers()) {
                out.println("<tr><td>" + esc(w.id()) + "</td><td>" + esc(w.host()) + "</td><td>" + w.state(r.at()) + "</td><td>"
                        + w.startedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "</td><td>" + w.heartbeatAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        + "</td><td>" + w.sent() + "</td></tr>");
            }
            out.println("</table><p></p>");
        }
        out.println("<table><tr><th>row</th><th>key</th><th>to</th><th>status</th><th>attempts</th><th>reply / reason</th><th>Message-ID</th></tr>");
        for (Recipient m : r.messages()) {
            out.println("<tr><td>" + m.row() + "</td><td>" + esc(m.key()) + "</td><td>" + esc(String.join(", ", m.to())) + "</td><td>"
                    + esc(m.status().label()) + "</td><td>" + m.attempts() + "</td><td>" + esc(TextReport.detail(m)) + "</td><td>"
                    + esc(m.messageId() == null ? "" : m.messageId()) + "</td></tr>");
            if (!m.addresses().isEmpty()) addresses(m, out);
        }
        out.println("</table></body></html>");
    }

    /** The row's addresses, as a table in a cell under its key. */
    private static void addresses(Recipient m, PrintWriter out) {
        out.println("<tr><td></td><td colspan=\"6\"><table><tr><th>kind</th><th>address</th><th>status</th><th>attempts</th>"
                + "<th>reply / failure</th><th>first attempt</th><th>last attempt</th><th>next try</th></tr>");
        for (Address a : m.addresses()) {
            out.println("<tr><td>" + esc(a.kind()) + "</td><td>" + esc(a.address()) + "</td><td>" + esc(a.status().label()) + "</td><td>"
                    + a.attempts() + "</td><td>" + esc(TextReport.words(a)) + "</td><td>" + CsvReport.time(a.firstAttemptAt()) + "</td><td>"
                    + CsvReport.time(a.lastAttemptAt()) + "</td><td>" + CsvReport.time(CsvReport.nextTry(a)) + "</td></tr>");
        }
        out.println("</table></td></tr>");
    }

    private static String esc(String s) {
        return Display.escape(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
