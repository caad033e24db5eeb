package io.mailroom.report;

import io.mailroom.csv.CsvLine;
import io.mailroom.store.Recipient;
import java.io.PrintWriter;
import java.util.List;

/**
 * One CSV record per recipient, for spreadsheets, one line each.
 *
 * <p>Guards against formula injection: a key, an address, a reply or a reason can begin with = + - or @
 * ({@code =1+2@example.com} is a valid address), and a spreadsheet would run it as a formula. Such a text
 * cell, or one beginning with tab or CR (some spreadsheets skip those and look again), gets a leading
 * {@code '}, as OWASP recommends; the JSON report keeps the exact value. The numbers (row, attempts,
 * reply code) are ours and never negative, and stay numbers a spreadsheet can sum. Every text cell shows its
 * control characters escaped ({@link Display}), and a multi-line reply is joined with spaces, as in the
 * text report.
 */
final class CsvReport {
    private CsvReport() { }

    static void write(Report r, PrintWriter out) {
        out.print(CsvLine.encode(List.of("row", "key", "to", "status", "attempts", "reply_code", "reply_enhanced", "reply_text",
                "message_id", "reason")) + "\r\n");
        for (Recipient m : r.messages()) {
            out.print(CsvLine.encode(List.of(String.valueOf(m.row()), text(m.key()), text(String.join(" ", m.to())), m.status().label(),
                    String.valueOf(m.attempts()), m.reply() == null ? "" : String.valueOf(m.reply().code()),
                    m.reply() == null ? "" : text(m.reply().enhanced()),
                    m.reply() == null ? "" : neutralized(m.reply().text(), TextReport.oneLine(m.reply().text())),
                    text(m.messageId()), text(m.reason()))) + "\r\n");
        }
    }

    /** A text cell from data or a server; null is empty. */
    private static String text(String value) {
        return neutralized(value, Display.escape(value));
    }

    /** {@code shown} (the escaped form of {@code value}) with a leading ' when {@code value} starts like a formula. */
    private static String neutralized(String value, String shown) {
        return value != null && !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + shown : shown;
    }
}
