package io.mailroom.report;

import io.mailroom.csv.CsvLine;
import io.mailroom.store.Recipient;
import java.io.PrintWriter;
import java.util.List;

/** One CSV record per recipient, for spreadsheets. */
final class CsvReport {
    private CsvReport() { }

    static void write(Report r, PrintWriter out) {
        out.print(CsvLine.encode(List.of("row", "key", "to", "status", "attempts", "reply_code", "reply_enhanced", "reply_text",
                "message_id", "reason")) + "\r\n");
        for (Recipient m : r.messages()) {
            out.print(CsvLine.encode(List.of(String.valueOf(m.row()), m.key(), String.join(" ", m.to()), m.status().label(),
                    String.valueOf(m.attempts()), m.reply() == null ? "" : String.valueOf(m.reply().code()),
                    m.reply() == null || m.reply().enhanced() == null ? "" : m.reply().enhanced(),
                    m.reply() == null ? "" : m.reply().text(), nz(m.messageId()), nz(m.reason()))) + "\r\n");
        }
    }

    private static String nz(String s) { return s == null ? "" : s; }
}
