package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The HTML report shows each address under its row, every value escaped, and counts partial rows. */
class HtmlReportTest {
    private final String html = SampleReport.write(ReportFormat.HTML);

    private static String address(String kind, String address, String status, String words) {
        return "<tr><td>" + kind + "</td><td>" + address + "</td><td>" + status + "</td><td>1</td><td>" + words + "</td>";
    }

    @Test
    void eachAddressIsShownUnderItsRowWithKindStatusAndReply() {
        String refused = address("to", "ann@example.com", "failed", "550 5.1.1 &lt;ann@example.com&gt;: Recipient address rejected: User unknown");
        String cc = address("cc", "=1+2@example.com", "sent", "250 2.0.0 Ok: queued as 4XyZ");
        String bcc = address("bcc", "audit@example.com", "deferred", "451 4.7.1 \\x1b[2Jgreylisted, try later")
                + "<td>2026-11-02T09:15:00Z</td><td>2026-11-02T09:20:30Z</td><td>2026-11-02T09:35:30Z</td></tr>";
        String lost = address("to", "eve@example.com", "unknown", "connection lost during END_OF_DATA");
        int row2 = html.indexOf("<tr><td>2</td>");
        int row3 = html.indexOf("<tr><td>3</td>");
        int row4 = html.indexOf("<tr><td>4</td>");
        assertTrue(row2 >= 0 && row2 < html.indexOf(refused) && html.indexOf(refused) < html.indexOf(cc) && html.indexOf(cc) < row3, html);
        assertTrue(row3 < html.indexOf(bcc) && html.indexOf(bcc) < row4, html);
        assertTrue(html.indexOf(lost) > html.indexOf("<tr><td>6</td>"), html);
    }

    @Test
    void countsIncludePartial() {
        assertTrue(html.contains("skipped: 1 &nbsp; partial: 1"), html);
    }

    @Test
    void serverTextAndAddressesAreEscapedNeverMarkup() {
        assertFalse(html.contains("\u001b"), html);
        assertFalse(html.contains("<ann@example.com>"), html);
        assertFalse(html.contains("<script") || html.contains("http"), "self-contained: " + html);
    }
}
