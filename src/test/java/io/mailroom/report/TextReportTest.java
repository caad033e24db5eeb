package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The text report names every address of a row that is not wholly sent, and only those. */
class TextReportTest {
    private final String text = SampleReport.write(ReportFormat.TEXT);

    @Test
    void rowsNotWhollySentListEachAddressWithKindStatusAttemptsAndTheServersWords() {
        assertEquals("""
                job welcome (unfinished: run or resume again later)
                  pending 0, deferred 1, sent 1, failed 0, unknown 1, skipped 1, partial 1

                  row  status    attempts key                                      reply / reason
                    2  partial   1        ann@example.com                          550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown
                       failed    1          to  ann@example.com                    550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown
                       sent      1          cc  =1+2@example.com                   250 2.0.0 Ok: queued as 4XyZ
                    3  deferred  1        bob@example.com                          451 4.7.1 \\x1b[2Jgreylisted, try later
                       sent      1          to  bob@example.com                    250 2.0.0 Ok: queued as 4XyZ
                       deferred  1          bcc audit@example.com                  451 4.7.1 \\x1b[2Jgreylisted, try later
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
        assertEquals(14, text.lines().count(), "the two-line 550 reply is joined: " + text);
    }
}
