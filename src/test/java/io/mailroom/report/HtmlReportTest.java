package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.store.RecipientStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTML report: the CLI's verdict, times, coloured counts, SVG charts, a table of rows problems first with
 * each address under its row, every value escaped, nothing fetched. (HtmlReportInChromiumTest opens it.)
 */
class HtmlReportTest {
    private final String html = SampleReport.write(ReportFormat.HTML);

    private static String address(String kind, String address, String status, String words) {
        return "<tr><td>" + kind + "</td><td>" + address + "</td><td class=\"st s-" + status + "\">" + status + "</td><td>1</td><td>" + words;
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    @Test
    void eachAddressIsShownUnderItsRowWithKindStatusReplyAndTheReplysMeaning() {
        String refused = address("to", "ann@example.com", "failed", "550 5.1.1 &lt;ann@example.com&gt;: Recipient address rejected: User unknown"
                + " <span class=\"meaning\">(mailbox does not exist)</span></td>");
        String cc = address("cc", "=1+2@example.com", "sent", "250 2.0.0 Ok: queued as 4XyZ</td>");
        String bcc = address("bcc", "audit@example.com", "deferred", "451 4.7.1 \\x1b[2Jgreylisted, try later"
                + " <span class=\"meaning\">(delivery not authorized, message refused)</span></td>"
                + "<td class=\"t\">2026-11-02T09:15:00Z</td><td class=\"t\">2026-11-02T09:20:30Z</td><td class=\"t\">2026-11-02T09:35:30Z</td></tr>");
        String lost = address("to", "eve@example.com", "unknown", "connection lost during END_OF_DATA</td>");
        assertEquals(row(2), html.substring(0, html.indexOf(cc)).lastIndexOf("<tbody"), "in row 2's own tbody: " + html);
        assertTrue(html.indexOf(refused) > row(2) && html.indexOf(refused) < html.indexOf(cc), html);
        assertEquals(row(3), html.substring(0, html.indexOf(bcc)).lastIndexOf("<tbody"), "in row 3's own tbody, not the next row's: " + html);
        assertEquals(row(6), html.substring(0, html.indexOf(lost)).lastIndexOf("<tbody"), html);
    }

    @Test
    void aWhollySentRowHasNoTableOfAddressesWhileARowWithProblemsKeepsItsOwn() {
        String sent = html.substring(row(5), html.indexOf("</tbody>", row(5)));
        String partial = html.substring(row(2), html.indexOf("</tbody>", row(2)));
        assertFalse(sent.contains("<table") || sent.contains("dana@example.com"), "its line says it all: " + sent);
        assertTrue(partial.contains("<tr class=\"addresses\"><td></td><td colspan=\"9\"><table>")
                && partial.contains(address("cc", "=1+2@example.com", "sent", "")), "its sent Cc shown beside the refused To: " + partial);
    }

    /** Where row {@code n}'s tbody (its line, then its addresses) starts; the rows are in problems-first order. */
    private int row(int n) {
        int line = html.indexOf("><tr><td class=\"n\">" + n + "</td>");
        assertTrue(line >= 0, "row " + n + ": " + html);
        return html.lastIndexOf("<tbody", line);
    }

    @Test
    void rowsComeProblemsFirstEachInATbodyOfItsStatusAndNoneHidden() {
        Matcher rows = Pattern.compile("<tbody data-status=\"(\\w+)\"><tr><td class=\"n\">(\\d+)</td>").matcher(html);
        StringBuilder order = new StringBuilder();
        while (rows.find()) order.append(rows.group(2)).append(':').append(rows.group(1)).append(' ');
        assertEquals("6:unknown 2:partial 4:skipped 3:deferred 5:sent ", order.toString());
        assertFalse(html.contains("<tbody hidden") || html.contains("<tr hidden"), "without a script the whole table is there");
        assertTrue(html.contains("<div id=\"controls\" hidden>"), "the filter shows only once the script runs");
    }

    @Test
    void theVerdictIsTheCommandLinesAndEveryCountIsColouredByItsStatus() {
        assertTrue(html.contains("<h1>welcome — unfinished: run or resume again later</h1>"), html);
        assertTrue(html.contains("<div class=\"count s-partial\"><b>1</b> partial</div>"), html);
        assertTrue(html.contains("<div class=\"count s-failed zero\"><b>0</b> failed</div>"), html);
        assertTrue(html.contains(".s-failed{border-left-color:#c62828;fill:#c62828}"), html);
        Map<RecipientStatus, Integer> counts = new EnumMap<>(SampleReport.report().counts());
        counts.put(RecipientStatus.DEFERRED, 0);
        StringWriter done = new StringWriter();
        Report r = SampleReport.report();
        ReportFormat.HTML.write(new Report(r.job(), counts, r.messages(), true, List.of(), r.at()), new PrintWriter(done));
        assertTrue(done.toString().contains("<h1>welcome — finished with problems</h1>"), "not '— finished' with failures");
    }

    @Test
    void generatedAtFirstAndLastAttemptAndNextTryAreShown() {
        assertTrue(html.contains("generated at 2026-11-02T09:20:30Z · first attempt 2026-11-02T09:15:00Z · last attempt 2026-11-02T09:20:30Z"
                + " · next try 2026-11-02T09:35:30Z (UTC)"), html);
    }

    @Test
    void chartsAreInlineSvgOfStatusesRepliesWithMeaningsSendsOverTimeAndDomains() {
        assertEquals(4, count(html, "<svg "), html);
        assertTrue(html.contains("<title>550 5.1.1 mailbox does not exist: 1</title>"), html);
        assertTrue(html.contains("<title>partial: 1</title>"), html);
        assertTrue(html.contains("<title>example.com: 7</title>"), html);
        assertTrue(html.contains("<title>2026-11-02T09:20:30Z to 2026-11-02T09:20:31Z: 4 sent</title>"), "four addresses sent in that second: " + html);
    }

    @Test
    void nothingIsFetchedAndThePolicyAllowsOnlyThisPagesStyleAndScript() throws Exception {
        assertFalse(Pattern.compile("\\s(src|href|srcset|action|poster|xlink:href)=|url\\(|@import|://").matcher(html).find(), html);
        Matcher policy = Pattern.compile("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">").matcher(html);
        assertTrue(policy.find(), html);
        assertTrue(policy.group(1).startsWith("default-src 'none'; "), policy.group(1));
        assertTrue(policy.group(1).contains("script-src '" + sha256(between("<script>", "</script>")) + "'"), policy.group(1));
        assertTrue(policy.group(1).contains("style-src '" + sha256(between("<style>", "</style>")) + "'"), policy.group(1));
        assertEquals(1, count(html, "<script"), "one script");
    }

    @Test
    void serverTextAndAddressesAreEscapedNeverMarkup() {
        assertFalse(html.contains("\u001b"), html);
        assertFalse(html.contains("<ann@example.com>"), html);
    }

    @Test
    void markupInAKeyOrAnAddressIsShownAsTextInTheTableAndTheCharts() {
        String evil = "\"><svg onload=alert(1)>@</title><script>x()</script>.example";
        Report sample = SampleReport.report();
        var row = new io.mailroom.store.Recipient(9, 9, "</td><script>k()</script>", List.of(), List.of(evil), null, RecipientStatus.FAILED, null, 1, null,
                SampleReport.T1, SampleReport.NO_SUCH_USER, List.of(new io.mailroom.store.Address(1, "to", evil, RecipientStatus.FAILED, 1, SampleReport.T1,
                SampleReport.T1, null, SampleReport.NO_SUCH_USER, null)));
        StringWriter out = new StringWriter();
        ReportFormat.HTML.write(new Report("x", sample.counts(), List.of(row), true, List.of(), sample.at()), new PrintWriter(out));
        String page = out.toString();
        assertEquals(1, count(page, "<script"), "only the page's own script: " + page);
        assertFalse(page.contains("<svg onload") || page.contains("</title><script"), page);
        assertTrue(page.contains("<td>&lt;/td&gt;&lt;script&gt;k()&lt;/script&gt;</td>"), page);
        assertTrue(page.contains("<title>&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;.example: 1</title>"), "the domain bar: " + page);
    }

    @Test
    void aJobWithNothingTriedYetSaysSoInsteadOfDrawingEmptyCharts() {
        Map<RecipientStatus, Integer> none = new EnumMap<>(RecipientStatus.class);
        for (RecipientStatus s : RecipientStatus.values()) none.put(s, 0);
        StringWriter out = new StringWriter();
        ReportFormat.HTML.write(new Report("empty", none, List.of(), true, List.of(), SampleReport.T1), new PrintWriter(out));
        String page = out.toString();
        assertEquals(0, count(page, "<svg "), page);
        assertTrue(page.contains("<figcaption>Sent over time (addresses)</figcaption><p>nothing sent yet</p>"), page);
        assertTrue(page.contains("first attempt none · last attempt none · next try none"), page);
    }

    @Test
    void printingHidesTheControlsAndKeepsRowsTogether() {
        assertTrue(html.contains("@media print{") && html.contains("#controls{display:none}") && html.contains("figure,tbody,.count{break-inside:avoid}"),
                html);
    }

    private String between(String open, String close) {
        int from = html.indexOf(open) + open.length();
        return html.substring(from, html.indexOf(close, from));
    }

    private static String sha256(String s) throws Exception {
        return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
