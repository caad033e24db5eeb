package io.mailroom.report;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.StoredReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML page, to open or forward: the verdict in the command line's words ({@link
 * io.mailroom.store.Verdict}), when it was generated, the job's first and last attempt and next try, the counts
 * coloured by status, charts as inline SVG ({@link HtmlCharts}), the workers of a shared job, and a table of
 * recipients, problems first, each row but a wholly sent one followed by a table of its envelope addresses in order
 * (kind, address, status, attempts, the server's words, first and last attempt, next try; times ISO-8601 UTC).
 *
 * <p>Nothing is fetched, ever: no external style, script, font, image or link, and a Content-Security-Policy
 * (default-src 'none') that lets in only this page's one style and one script, by their hashes. The script
 * (report.js) filters the table by status and text and sorts it by a clicked column; without it the whole table
 * is there in its first order. Every value is text, never markup: its control characters escaped as in the text
 * report ({@link Display}), then its HTML special characters ({@link #esc}).
 */
final class HtmlReport {
    /** The order of the table: what needs a look first, sent last. */
    static final List<RecipientStatus> PROBLEMS_FIRST = List.of(RecipientStatus.FAILED, RecipientStatus.BOUNCED, RecipientStatus.UNKNOWN,
            RecipientStatus.PARTIAL, RecipientStatus.SKIPPED, RecipientStatus.DEFERRED, RecipientStatus.PENDING, RecipientStatus.SENT, RecipientStatus.CANCELLED);
    private static final Map<RecipientStatus, String> COLOURS = new EnumMap<>(Map.of(RecipientStatus.PENDING, "#9e9e9e",
            RecipientStatus.DEFERRED, "#f9a825", RecipientStatus.SENT, "#2e7d32", RecipientStatus.FAILED, "#c62828",
            RecipientStatus.UNKNOWN, "#6a1b9a", RecipientStatus.SKIPPED, "#6d4c41", RecipientStatus.PARTIAL, "#ef6c00",
            RecipientStatus.CANCELLED, "#546e7a", RecipientStatus.BOUNCED, "#ad1457"));
    private static final String STYLE = resource("report.css") + statusColours();
    private static final String SCRIPT = resource("report.js");
    private static final String POLICY = "default-src 'none'; style-src '" + sha256(STYLE) + "'; script-src '" + sha256(SCRIPT)
            + "'; base-uri 'none'; form-action 'none'";

    private HtmlReport() { }

    static void write(Report r, PrintWriter out) {
        Breakdown b = Breakdown.of(r);
        out.println("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.println("<meta http-equiv=\"Content-Security-Policy\" content=\"" + POLICY + "\">");
        out.println("<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        out.println("<title>mailroom: " + esc(r.job()) + " — " + r.verdict().words() + "</title>\n<style>" + STYLE + "</style></head><body>");
        out.println("<header><h1>" + esc(r.job()) + " — " + r.verdict().words() + "</h1>");
        out.println("<p class=\"times\">generated at " + when(r.at()) + " · first attempt " + when(b.firstAttempt()) + " · last attempt "
                + when(b.lastAttempt()) + " · next try " + when(b.nextTry()) + " (UTC)</p></header>");
        out.print("<section class=\"counts\" aria-label=\"recipient rows by status\">");
        for (RecipientStatus s : RecipientStatus.shown(r.counts())) {
            int n = r.counts().get(s);
            out.print("<div class=\"count s-" + s.label() + (n == 0 ? " zero" : "") + "\"><b>" + n + "</b> " + s.label() + "</div>");
        }
        out.println("</section>");
        r.bounceRate().ifPresent(rate -> out.println("<p class=\"times\">" + esc(rate) + "</p>"));
        out.println("<section class=\"charts\">");
        figure(out, "Recipient rows by status", HtmlCharts.statuses(r));
        figure(out, "Replies (addresses)", HtmlCharts.replies(b));
        figure(out, "Sent over time (addresses)", HtmlCharts.sendsOverTime(b));
        figure(out, "Top recipient domains (addresses)", HtmlCharts.domains(b, TextReport.DOMAINS_SHOWN));
        out.println("</section>");
        if (!r.workers().isEmpty()) workers(r, out);
        if (!r.throttles().isEmpty()) throttles(r, out);
        recipients(r, out);
        out.println("<script>" + SCRIPT + "</script></body></html>");
    }

    private static void figure(PrintWriter out, String caption, String chart) {
        out.println("<figure><figcaption>" + caption + "</figcaption>" + chart + "</figure>");
    }

    private static void workers(Report r, PrintWriter out) {
        out.println("<h2>Workers</h2><table><tr><th>worker</th><th>host</th><th>state</th><th>started</th><th>last heartbeat</th><th>messages sent</th></tr>");
        for (var w : r.workers()) {
            out.println("<tr><td>" + esc(w.id()) + "</td><td>" + esc(w.host()) + "</td><td>" + w.state(r.at()) + "</td>" + time(w.startedAt())
                    + time(w.heartbeatAt()) + "<td>" + w.sent() + "</td></tr>");
        }
        out.println("</table>");
    }

    /** When and why a server asked the job's runs to slow down, and the pace they kept after. */
    private static void throttles(Report r, PrintWriter out) {
        out.println("<h2>Throttled</h2><table><tr><th>at</th><th>reply</th><th>meaning</th><th>paused until</th><th>then at most (a minute)</th></tr>");
        for (var t : r.throttles()) {
            out.println("<tr>" + time(t.at()) + "<td>" + esc(TextReport.reply(t.reply())) + "</td><td>" + esc(t.meaning()) + "</td>" + time(t.resumeAt())
                    + "<td>" + Report.perMinute(t) + "</td></tr>");
        }
        out.println("</table>");
    }

    /** The table, one tbody per row (its line, then its addresses), so the script sorts and hides a row with its addresses. */
    private static void recipients(Report r, PrintWriter out) {
        out.println("<h2>Recipients</h2><p>Problems first: failed, bounced, unknown, partial, skipped, deferred, pending, then sent and cancelled; click a column to sort.</p>");
        out.print("<div id=\"controls\" hidden><label>status <select id=\"status-filter\"><option value=\"\">all</option>"
                + "<option value=\"problems\">all but sent</option>");
        for (RecipientStatus s : PROBLEMS_FIRST) out.print("<option>" + s.label() + "</option>");
        out.println("</select></label> <label>find <input id=\"text-filter\" type=\"search\" placeholder=\"key, address, reply…\"></label>"
                + " <span id=\"shown\" aria-live=\"polite\"></span></div>");
        out.println("<table id=\"recipients\"><thead><tr><th class=\"num\">row</th><th>key</th><th>to</th><th class=\"num\">status</th>"
                + "<th class=\"num\">attempts</th><th>reply / reason</th><th>first attempt</th><th>last attempt</th><th>next try</th>"
                + "<th>Message-ID</th></tr></thead>");
        List<Recipient> rows = r.messages().stream().sorted(java.util.Comparator.comparingInt((Recipient m) -> PROBLEMS_FIRST.indexOf(m.status()))
                .thenComparingInt(Recipient::row)).toList();
        for (Recipient m : rows) {
            out.println("<tbody data-status=\"" + m.status().label() + "\"><tr><td class=\"n\">" + m.row() + "</td><td>" + esc(m.key()) + "</td><td>"
                    + esc(String.join(", ", m.to())) + "</td>" + status(m.status(), true) + "<td class=\"n\">" + m.attempts() + "</td><td>"
                    + esc(TextReport.detail(m)) + meaning(m.reply()) + "</td>" + time(m.firstAttemptAt()) + time(Breakdown.lastAttempt(m))
                    + time(Breakdown.nextTry(m)) + "<td class=\"id\">" + esc(m.messageId()) + "</td></tr>");
            if (!whollySent(m)) addresses(m, out);
            out.println("</tbody>");
        }
        out.println("</table>");
    }

    /**
     * A sent row whose every address is sent needs no table of them: its line says it all, and on a large job
     * those tables were most of the page (400,000 rows made 292 MB).
     */
    private static boolean whollySent(Recipient m) {
        return m.status() == RecipientStatus.SENT && m.addresses().stream().allMatch(a -> a.status() == RecipientStatus.SENT);
    }

    /** The row's addresses, as a table in a cell under its key. */
    private static void addresses(Recipient m, PrintWriter out) {
        if (m.addresses().isEmpty()) return;
        out.println("<tr class=\"addresses\"><td></td><td colspan=\"9\"><table><tr><th>kind</th><th>address</th><th>status</th><th>attempts</th>"
                + "<th>reply / failure</th><th>first attempt</th><th>last attempt</th><th>next try</th></tr>");
        for (Address a : m.addresses()) {
            out.println("<tr><td>" + esc(a.kind()) + "</td><td>" + esc(a.address()) + "</td>" + status(a.status(), false) + "<td>" + a.attempts()
                    + "</td><td>" + esc(TextReport.words(a)) + meaning(a.reply()) + "</td>" + time(a.firstAttemptAt()) + time(a.lastAttemptAt())
                    + time(Breakdown.nextTry(a)) + "</tr>");
        }
        out.println("</table></td></tr>");
    }

    /** A status cell, coloured; in the recipients' own column it sorts problems first. */
    private static String status(RecipientStatus s, boolean sortable) {
        return "<td class=\"st s-" + s.label() + "\"" + (sortable ? " data-sort=\"" + PROBLEMS_FIRST.indexOf(s) + "\"" : "") + ">" + s.label() + "</td>";
    }

    /** A negative reply's plain meaning after the server's words; a success needs none. */
    private static String meaning(StoredReply reply) {
        String meaning = reply == null || reply.code() / 100 == 2 ? "" : ReplyMeaning.of(reply);
        return meaning.isEmpty() ? "" : " <span class=\"meaning\">(" + esc(meaning) + ")</span>";
    }

    /** A time cell (kept on one line). */
    private static String time(java.time.Instant t) {
        return "<td class=\"t\">" + TextReport.time(t) + "</td>";
    }

    private static String when(java.time.Instant t) {
        return t == null ? "none" : TextReport.time(t);
    }

    /** Text as HTML text or attribute value: controls escaped ({@link Display}), then &amp;, &lt;, &gt;, quotes. */
    static String esc(String s) {
        return Display.escape(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    /** One rule per status: its colour as a box's or cell's left border and as a chart bar's fill. */
    private static String statusColours() {
        StringBuilder css = new StringBuilder();
        COLOURS.forEach((s, c) -> css.append(".s-").append(s.label()).append("{border-left-color:").append(c).append(";fill:").append(c).append("}\n"));
        return css.toString();
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("the jar lacks io/mailroom/report/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CSP source for an inline block: its SHA-256, base64. */
    private static String sha256(String block) {
        try {
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(block.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
