package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.opencsv.CSVReaderBuilder;
import com.opencsv.RFC4180ParserBuilder;
import java.io.StringReader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CSV report has one record per envelope address, still neutralizing formulas and escaping controls. */
class CsvReportTest {
    private final String csv = SampleReport.write(ReportFormat.CSV);

    private List<List<String>> records() throws Exception {
        try (var reader = new CSVReaderBuilder(new StringReader(csv)).withCSVParser(new RFC4180ParserBuilder().build()).build()) {
            return reader.readAll().stream().map(Arrays::asList).toList();
        }
    }

    @Test
    void eachAddressIsOneRecordWithItsKindStatusReplyAndTimesThenItsRowsStatus() throws Exception {
        List<List<String>> records = records();
        assertEquals(List.of("row", "key", "kind", "address", "status", "attempts", "reply_code", "reply_enhanced", "reply_text", "failure",
                "first_attempt", "last_attempt", "next_try", "message_id", "row_status", "reason"), records.get(0));
        assertEquals(9, records.size(), "a header, then 2 + 2 + 1 (skipped) + 2 + 1 records: " + csv);
        assertEquals(List.of("2", "ann@example.com", "to", "ann@example.com", "failed", "1", "550", "5.1.1",
                "<ann@example.com>: Recipient address rejected: User unknown", "", "2026-11-02T09:15:00Z", "2026-11-02T09:20:30Z", "",
                "<2.mailroom@example.com>", "partial", ""), records.get(1), "a failed address has no next try, whatever its not-before says");
        assertEquals(List.of("3", "bob@example.com", "bcc", "audit@example.com", "deferred", "1", "451", "4.7.1",
                "\\x1b[2Jgreylisted, try later", "", "2026-11-02T09:15:00Z", "2026-11-02T09:20:30Z", "2026-11-02T09:35:30Z",
                "<3.mailroom@example.com>", "deferred", ""), records.get(4));
        assertEquals(List.of("6", "eve@example.com", "to", "eve@example.com", "unknown", "1", "", "", "", "connection lost during END_OF_DATA",
                "2026-11-02T09:15:00Z", "2026-11-02T09:20:30Z", "", "<6.mailroom@example.com>", "unknown", "connection lost during END_OF_DATA"),
                records.get(8));
        assertEquals(List.of("5:to:dan@example.com:sent", "5:cc:dana@example.com:sent"),
                records.subList(6, 8).stream().map(r -> r.get(0) + ":" + r.get(2) + ":" + r.get(3) + ":" + r.get(4)).toList());
    }

    @Test
    void aSkippedRowIsOneRecordWithEmptyAddressColumnsAndItsReason() throws Exception {
        List<String> skipped = records().get(5);
        assertEquals(List.of("4", "carl", "", "", "", "", "", "", "", "", "", "", "", "", "skipped", "invalid To address \"carl@\""), skipped);
    }

    @Test
    void anAddressThatLooksLikeAFormulaIsNeutralizedAndServerControlsAreEscaped() throws Exception {
        assertEquals(List.of("2", "ann@example.com", "cc", "'=1+2@example.com", "sent"), records().get(2).subList(0, 5));
        assertFalse(csv.contains("\u001b"), csv);
        String lines = csv.replace("\r\n", "");
        assertFalse(lines.contains("\n") || lines.contains("\r"), "one physical line per record, the two-line reply joined: " + csv);
    }
}
