package io.mailroom.report;

import io.mailroom.csv.CsvLine;
import io.mailroom.store.Recipient;
import java.io.PrintWriter;
import java.util.List;

/**
 * One CSV record per recipient, for spreadsheets, one line each. Every text cell shows its control
 * characters escaped ({@link Display}), and a multi-line reply is joined with spaces, as in the text report.
 */
final class CsvReport {
    private CsvReport() { }

    static void write(Report r, PrintWriter out) {
        out.print(CsvLine.encode(List.of("row", "key", "to", "status", "attempts", "reply_code", "reply_enhanced", "reply_text",
                "message_id", "reason")) + "\r\n");
        for (Recipient m : r.messages()) {
            out.print(CsvLine.encode(List.of(String.valueOf(m.row()), Display.escape(m.key()), Display.escape(String.join(" ", m.to())),
                    m.status().label(), String.valueOf(m.attempts()), m.reply() == null ? "" : String.valueOf(m.reply().code()),
                    m.reply() == null ? "" : Display.escape(m.reply().enhanced()), m.reply() == null ? "" : TextReport.replyText(m.reply()),
                    Display.escape(m.messageId()), Display.escape(m.reason()))) + "\r\n");
        }
    }
}
