package io.mailroom.report;

import io.mailroom.csv.CsvLine;
import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.StoredReply;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One CSV record per envelope address, for spreadsheets: the row and key it belongs to, then the address's
 * own kind, status, attempts, deciding reply, failure (what happened when no reply decided it), first and
 * last attempt and next try, then the row's Message-ID, status (the roll-up, e.g. partial) and reason. A row
 * without addresses (skipped) is one record with the address columns empty. Times are ISO-8601 UTC; the next
 * try is shown only for an address still due (pending or deferred).
 *
 * <p>Guards against formula injection: a key, an address, a reply or a reason can begin with = + - or @
 * ({@code =1+2@example.com} is a valid address), and a spreadsheet would run it as a formula. Such a text
 * cell, or one beginning with tab or CR (some spreadsheets skip those and look again), gets a leading
 * {@code '}, as OWASP recommends; the JSON report keeps the exact value. The numbers (row, attempts,
 * reply code) and times are ours and never negative, and stay values a spreadsheet can use. Every text cell
 * shows its control characters escaped ({@link Display}), and a multi-line reply is joined with spaces, as in
 * the text report.
 */
final class CsvReport {
    private static final List<String> HEADER = List.of("row", "key", "kind", "address", "status", "attempts", "reply_code",
            "reply_enhanced", "reply_text", "failure", "first_attempt", "last_attempt", "next_try", "message_id", "row_status", "reason");
    /** kind to next_try of a row that has no addresses. */
    private static final List<String> NO_ADDRESS = Collections.nCopies(11, "");

    private CsvReport() { }

    static void write(Report r, PrintWriter out) {
        out.print(CsvLine.encode(HEADER) + "\r\n");
        for (Recipient m : r.messages()) {
            if (m.addresses().isEmpty()) out.print(record(m, null) + "\r\n");
            for (Address a : m.addresses()) out.print(record(m, a) + "\r\n");
        }
    }

    /** The record of one address of {@code m}, or of {@code m} alone when {@code a} is null. */
    private static String record(Recipient m, Address a) {
        List<String> cells = new ArrayList<>(HEADER.size());
        cells.add(String.valueOf(m.row()));
        cells.add(text(m.key()));
        cells.addAll(a == null ? NO_ADDRESS : addressCells(a));
        cells.addAll(List.of(text(m.messageId()), m.status().label(), text(m.reason())));
        return CsvLine.encode(cells);
    }

    /** The cells from kind to next_try. */
    private static List<String> addressCells(Address a) {
        StoredReply reply = a.reply();
        return List.of(text(a.kind()), text(a.address()), a.status().label(), String.valueOf(a.attempts()),
                reply == null ? "" : String.valueOf(reply.code()), reply == null ? "" : text(reply.enhanced()),
                reply == null ? "" : neutralized(reply.text(), TextReport.oneLine(reply.text())),
                neutralized(a.failure(), TextReport.oneLine(a.failure())),
                time(a.firstAttemptAt()), time(a.lastAttemptAt()), time(Breakdown.nextTry(a)));
    }

    /** An instant in ISO-8601 UTC, e.g. 2026-11-02T09:15:00Z; null is empty. */
    static String time(Instant t) {
        return t == null ? "" : t.toString();
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
