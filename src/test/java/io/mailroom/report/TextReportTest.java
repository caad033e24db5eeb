package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text report: counts and times, addresses by reply (with its meaning) and by domain, then every row, with
 * every address of a row that is not wholly sent (and its next try while it is due), and only those.
 */
class TextReportTest {
    private final String text = SampleReport.write(ReportFormat.TEXT);

    @Test
    void countsTimesRepliesWithTheirMeaningDomainsThenRowsWithEachAddressNotWhollySentAndItsNextTry() {
        assertEquals("""
                job welcome (unfinished: run or resume again later)
                  pending 0, deferred 1, sent 1, failed 0, unknown 1, skipped 1, partial 1
                  first attempt 2026-11-02T09:15:00Z, last attempt 2026-11-02T09:20:30Z, next try 2026-11-02T09:35:30Z

                addresses by the reply that decided them
                      4  250 2.0.0 accepted
                      1  451 4.7.1 delivery not authorized, message refused
                      1  550 5.1.1 mailbox does not exist
                      1  no reply (connection lost or timed out)

                addresses by domain
                      7  example.com: deferred 1, sent 4, failed 1, unknown 1

                  row  status    attempts key                                      reply / reason
                    2  partial   1        ann@example.com                          550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown
                       failed    1          to  ann@example.com                    550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown
                       sent      1          cc  =1+2@example.com                   250 2.0.0 Ok: queued as 4XyZ
                    3  deferred  1        bob@example.com                          451 4.7.1 \\x1b[2Jgreylisted, try later
                       sent      1          to  bob@example.com                    250 2.0.0 Ok: queued as 4XyZ
                       deferred  1          bcc audit@example.com                  451 4.7.1 \\x1b[2Jgreylisted, try later; next try 2026-11-02T09:35:30Z
                    4  skipped   0        carl                                     invalid To address "carl@"
                    5  sent      1        dan@example.com                          250 2.0.0 Ok: queued as 4XyZ
                    6  unknown   1        eve@example.com                          connection lost during END_OF_DATA
                       unknown   1          to  eve@example.com                    connection lost during END_OF_DATA
                """, text.replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aWhollySentRowStaysOneLine() {
        List<String> dan = text.lines().filter(l -> l.contains("dan")).toList();
        assertEquals(List.of("    5  sent      1        dan@example.com                          250 2.0.0 Ok: queued as 4XyZ"), dan,
                "neither its To nor its Cc dana@example.com gets a line of its own");
    }

    @Test
    void serverWordsShowEscapedAndEachAddressStaysOneLine() {
        assertFalse(text.contains("\u001b"), text);
        assertEquals(24, text.lines().count(), "the two-line 550 reply is joined: " + text);
    }

    @Test
    void theTenLargestDomainsAreNamedAndTheRestAddedUpOnOneLine() {
        List<Recipient> rows = new ArrayList<>();
        for (int d = 1; d <= 12; d++) {
            for (int i = 0; i < d; i++) {
                String to = "u" + i + "@D" + d + ".example";
                RecipientStatus st = i == 0 ? RecipientStatus.FAILED : RecipientStatus.SENT;
                rows.add(new Recipient(rows.size(), rows.size() + 2, to, List.of(), List.of(to), null, st, null, 1, null, SampleReport.T1, null,
                        List.of(new Address(1, "to", to, st, 1, SampleReport.T1, SampleReport.T1, null, null, null))));
            }
        }
        StringWriter out = new StringWriter();
        ReportFormat.TEXT.write(new Report("many", SampleReport.report().counts(), rows, true, List.of(), SampleReport.T2), new PrintWriter(out));
        List<String> lines = out.toString().lines().toList();
        int heading = lines.indexOf("addresses by domain");
        assertEquals("     12  d12.example: sent 11, failed 1", lines.get(heading + 1), "largest first, domains lower-cased");
        assertEquals("      3  d3.example: sent 2, failed 1", lines.get(heading + 10));
        assertEquals("      3  in 2 more domain(s), 1 of them sent", lines.get(heading + 11), "d2 (2 addresses, one sent) and d1 (one, failed)");
        assertTrue(lines.get(heading + 12).isEmpty(), out.toString());
    }
}
